package mlexp

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// Actions of a recorded deployment.
const (
	ActionPromote  = "promote"  // a run was promoted (mlexp deploy, the Promote buttons)
	ActionRollback = "rollback" // the previously deployed run was promoted again
	ActionAdopt    = "adopt"    // the history took the version the registry alias was moved to in MLflow
)

// MaxDeploymentNote bounds the note of a promotion.
const MaxDeploymentNote = 2000

// Deployment is one recorded promotion of a model: which run became the deployed one, which
// run it replaced, who did it, when, and why. A rollback is a promotion too. The newest
// deployment of a model is the truth about its deployed run; the is_deployed tag in MLflow
// mirrors it.
type Deployment struct {
	ID              string    `json:"id"`
	ModelID         string    `json:"model_id"`
	Seq             int64     `json:"seq"` // 1, 2, … per model, in the order of promotion
	Action          string    `json:"action"`
	RunID           string    `json:"run_id"`
	RunName         string    `json:"run_name"`
	ExperimentID    string    `json:"experiment_id"`
	DatasetID       string    `json:"dataset_id"`
	PreviousRunID   string    `json:"previous_run_id"` // "" when no run was deployed before
	PreviousRunName string    `json:"previous_run_name"`
	PromotedBy      string    `json:"promoted_by"`
	PromotedAt      time.Time `json:"promoted_at"`
	Note            string    `json:"note"`
	// The Model Registry alias the promotion moved: models:/<RegisteredModel>@<Alias> names
	// Version after it, and named PreviousVersion before ("" when it named none). All are ""
	// for promotions recorded before mlexp moved aliases.
	RegisteredModel string `json:"registered_model"`
	Alias           string `json:"alias"`
	Version         string `json:"version"`
	PreviousVersion string `json:"previous_version"`
}

// DeploymentStore keeps the deployment history of models and serialises promotions per
// model (sqlstore.DB).
type DeploymentStore interface {
	// Promote runs apply while it holds the model's promotion lock, so that promotions of one
	// model, in this process or another sharing the store, run one at a time. apply gets the
	// model's newest deployment (nil when there is none) and returns the deployment to record,
	// or nil to record nothing. ID and Seq are set by the store. When apply fails nothing is
	// recorded. Promote returns the newest deployment after it.
	Promote(ctx context.Context, modelID string, apply func(ctx context.Context, current *Deployment) (*Deployment, error)) (*Deployment, error)
	// Deployments returns the model's history, newest first, at most limit entries.
	Deployments(ctx context.Context, modelID string, limit int) ([]Deployment, error)
}

// Promoter promotes runs, rolls back and keeps the deployment history (tracking.Promoter).
type Promoter interface {
	Promote(ctx context.Context, req PromoteRequest) (*Promotion, error)
	Rollback(ctx context.Context, modelID, by, note string) (*Promotion, error)
	History(ctx context.Context, modelID string, limit int) ([]Deployment, error)
}

// Reasons why a run cannot be promoted, in the details of the refusal.
const (
	RefusedNotFinished = "not_finished" // failed, killed or still running
	RefusedNoModelURI  = "no_model_uri" // nothing to deploy: no logged model, MLmodel directory or model/model_uri.txt
	RefusedOtherModel  = "other_model"  // the run is in another model's experiment
	RefusedNoModel     = "no_model"     // the run's experiment belongs to no model
	RefusedDeleted     = "deleted"      // the run is deleted in MLflow
)

// Promotable is what the guard rails look at in a run that is to be promoted.
type Promotable struct {
	Run      Run
	Deleted  bool
	ModelURI string // the URI of the run's model (RunModel.URI); "" when the run has none
	RunModel string // the model of the run's experiment (its ml_model_id tag)
	AskedFor string // the model the run is promoted under; "" to take the run's own
}

// CheckPromotion applies the guard rails of a promotion and returns the model the run is
// promoted under. A refusal is ECONFLICT naming the run_id field (or model_id for a run of
// another model), with the reason in Details["reason"].
func CheckPromotion(p Promotable) (string, error) {
	r := p.Run
	refuse := func(field, reason, format string, args ...any) error {
		return &Error{Code: ECONFLICT, Field: field, Message: field + ": " + fmt.Sprintf(format, args...),
			Details: map[string]any{"reason": reason, "run_id": r.ID}}
	}
	switch {
	case p.Deleted:
		return "", refuse("run_id", RefusedDeleted, "run %s is deleted in MLflow; restore it there before promoting it", r.ID)
	case p.RunModel == "" && p.AskedFor == "":
		return "", refuse("run_id", RefusedNoModel, "run %s is in MLflow experiment %s, which belongs to no model: attach the experiment to a model (mlexp attach) first", r.ID, r.ExperimentID)
	case p.AskedFor != "" && p.RunModel != p.AskedFor:
		owner := "no model"
		if p.RunModel != "" {
			owner = "model " + p.RunModel
		}
		return "", refuse("model_id", RefusedOtherModel, "run %s belongs to %s, not to model %s: promote it under its own model", r.ID, owner, p.AskedFor)
	case r.Status != RunFinished:
		status := r.Status
		if status == "" {
			status = "without a status"
		}
		return "", refuse("run_id", RefusedNotFinished, "run %s is %s: only a FINISHED run can be promoted", r.ID, status)
	case p.ModelURI == "":
		return "", refuse("run_id", RefusedNoModelURI, "run %s has no model to deploy: it has no MLflow logged model, no MLmodel artifact directory and no model/model_uri.txt artifact (log the model with mlflow.<flavor>.log_model, or the full training with a model_uri)", r.ID)
	}
	return p.RunModel, nil
}

// CheckNote checks the optional note of a promotion.
func CheckNote(note string) error {
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > MaxDeploymentNote {
		return InvalidField("note", "must be valid text of at most %d characters", MaxDeploymentNote)
	}
	return nil
}

// PromoteRequest asks to make RunID the deployed run of its model.
type PromoteRequest struct {
	RunID   string
	ModelID string // "" to promote under the run's own model; else it must be the run's
	By      string // who promotes
	Note    string // why, optional
}

// Promotion is the outcome of a promotion or rollback.
type Promotion struct {
	Deployment *Deployment `json:"deployment"`
	// Changed is false when the run already was the deployed one: nothing new was recorded.
	Changed bool `json:"changed"`
	// Cleared lists the runs whose is_deployed mark MLflow no longer shows.
	Cleared []string `json:"cleared"`
}

// AliasStatus compares the Model Registry alias a model's promotions move with the recorded
// history: someone may move the alias in MLflow's UI. mlexp reconcile aligns the two, either
// way.
type AliasStatus struct {
	RegisteredModel string `json:"registered_model"`
	Alias           string `json:"alias"`
	Version         string `json:"version"`          // the version the alias names in MLflow; "" when none
	RunID           string `json:"run_id"`           // the run of that version
	RecordedVersion string `json:"recorded_version"` // the version of the newest recorded deployment
	RecordedRunID   string `json:"recorded_run_id"`  // the run of the newest recorded deployment
	// InSync is true when the alias names the recorded version (or, for a deployment
	// recorded without a version, a version of the recorded run; or nothing without history).
	InSync bool `json:"in_sync"`
}

// AliasReporter compares a model's registry alias with its history (tracking.Promoter).
type AliasReporter interface {
	AliasStatus(ctx context.Context, modelID string) (*AliasStatus, error)
}
