package web

import (
	"net/http"

	"github.com/mlexp-dev/mlexp"
)

// savedAnswer is a saved comparison reopened with live data from MLflow: the comparison of
// the runs that still exist, and the ids of those that do not.
type savedAnswer struct {
	Saved         *mlexp.SavedComparison `json:"saved"`
	Comparison    *mlexp.Comparison      `json:"comparison"` // null when fewer than two runs remain
	MissingRunIDs []string               `json:"missing_run_ids"`
}

// comparisonInput is what a client sets of a new saved comparison; the server sets the rest
// (id, creator, times), and a body that tries to is refused.
type comparisonInput struct {
	Name    string   `json:"name"`
	ModelID string   `json:"model_id"`
	RunIDs  []string `json:"run_ids"`
	Notes   string   `json:"notes"`
}

func (s *server) handleCreateComparison(w http.ResponseWriter, r *http.Request) (any, error) {
	in, err := decode[comparisonInput](w, r)
	if err != nil {
		return nil, err
	}
	c := mlexp.SavedComparison{Name: in.Name, ModelID: in.ModelID, RunIDs: in.RunIDs, Notes: in.Notes, CreatedBy: UserFrom(r.Context())}
	if err := s.comparisons.CreateComparison(r.Context(), &c); err != nil {
		return nil, err
	}
	return statusAnswer{status: http.StatusCreated, location: "/api/experiments/comparisons/" + c.ID + "/", data: c}, nil
}

func (s *server) handleListComparisons(w http.ResponseWriter, r *http.Request) (any, error) {
	list, err := s.comparisons.Comparisons(r.Context(), r.URL.Query().Get("model_id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"comparisons": list}, nil
}

// handleGetComparison reopens a saved comparison with live data from MLflow.
func (s *server) handleGetComparison(w http.ResponseWriter, r *http.Request) (any, error) {
	saved, err := s.comparisons.Comparison(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	re, err := s.explore.Reopen(r.Context(), saved, "", "")
	if err != nil {
		return nil, err
	}
	return &savedAnswer{Saved: saved, Comparison: re.Comparison, MissingRunIDs: re.Missing}, nil
}

func (s *server) handleUpdateComparison(w http.ResponseWriter, r *http.Request) (any, error) {
	u, err := decode[mlexp.ComparisonUpdate](w, r)
	if err != nil {
		return nil, err
	}
	return s.comparisons.UpdateComparison(r.Context(), r.PathValue("id"), u, UserFrom(r.Context()))
}

func (s *server) handleDeleteComparison(w http.ResponseWriter, r *http.Request) (any, error) {
	id := r.PathValue("id")
	if err := s.comparisons.DeleteComparison(r.Context(), id, UserFrom(r.Context())); err != nil {
		return nil, err
	}
	return map[string]any{"id": id, "deleted": true}, nil
}
