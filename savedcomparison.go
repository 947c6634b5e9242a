package mlexp

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// SavedComparison is a comparison of runs kept for reference (the spec's
// ExperimentComparison). It holds run ids only: reopening it reads the runs live from MLflow.
type SavedComparison struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	ModelID   string    `json:"model_id"`
	RunIDs    []string  `json:"run_ids"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Limits of a saved comparison.
const (
	MaxComparisonName  = maxNameLength
	MaxComparisonNotes = 10000
)

// Validate checks what a user may set: name, model, runs and notes.
func (c SavedComparison) Validate() error {
	if err := validateName("name", c.Name); err != nil {
		return err
	}
	if utf8.RuneCountInString(c.Name) > MaxComparisonName {
		return InvalidField("name", "is longer than %d characters", MaxComparisonName)
	}
	if err := validateID("model_id", c.ModelID); err != nil {
		return err
	}
	if err := checkComparisonRuns(c.RunIDs); err != nil {
		return err
	}
	if utf8.RuneCountInString(c.Notes) > MaxComparisonNotes || !utf8.ValidString(c.Notes) {
		return InvalidField("notes", "must be valid text of at most %d characters", MaxComparisonNotes)
	}
	return nil
}

func checkComparisonRuns(ids []string) error {
	if len(ids) < MinCompareRuns || len(ids) > MaxCompareRuns {
		return InvalidField("run_ids", "a comparison holds %d to %d runs, got %d", MinCompareRuns, MaxCompareRuns, len(ids))
	}
	seen := map[string]bool{}
	for i, id := range ids {
		if err := validateID(fmt.Sprintf("run_ids[%d]", i), id); err != nil {
			return err
		}
		if seen[id] {
			return InvalidField(fmt.Sprintf("run_ids[%d]", i), "run %s is listed twice", id)
		}
		seen[id] = true
	}
	return nil
}

// ComparisonUpdate changes a saved comparison; nil fields are left alone.
type ComparisonUpdate struct {
	Name   *string   `json:"name"`
	Notes  *string   `json:"notes"`
	RunIDs *[]string `json:"run_ids"`
}

// Apply returns c with the update applied, checked.
func (u ComparisonUpdate) Apply(c SavedComparison) (SavedComparison, error) {
	if u.Name != nil {
		c.Name = *u.Name
	}
	if u.Notes != nil {
		c.Notes = *u.Notes
	}
	if u.RunIDs != nil {
		c.RunIDs = *u.RunIDs
	}
	return c, c.Validate()
}

// ComparisonStore keeps saved comparisons. Only the creator may change or delete one
// (EFORBIDDEN for anyone else).
type ComparisonStore interface {
	CreateComparison(ctx context.Context, c *SavedComparison) error
	Comparison(ctx context.Context, id string) (*SavedComparison, error)
	Comparisons(ctx context.Context, modelID string) ([]SavedComparison, error) // "" lists all
	UpdateComparison(ctx context.Context, id string, u ComparisonUpdate, by string) (*SavedComparison, error)
	DeleteComparison(ctx context.Context, id, by string) error
}
