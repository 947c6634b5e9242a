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

func (s *server) handleCreateComparison(w http.ResponseWriter, r *http.Request) {
	if s.comparisons == nil {
		s.respondError(w, r, errNotConfigured("saving comparisons"))
		return
	}
	in, err := decode[comparisonInput](w, r)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	c := mlexp.SavedComparison{Name: in.Name, ModelID: in.ModelID, RunIDs: in.RunIDs, Notes: in.Notes, CreatedBy: UserFrom(r.Context())}
	if err := s.comparisons.CreateComparison(r.Context(), &c); err != nil {
		s.respondError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/experiments/comparisons/"+c.ID+"/")
	s.respondJSON(w, r, http.StatusCreated, c)
}

func (s *server) handleListComparisons(w http.ResponseWriter, r *http.Request) {
	if s.comparisons == nil {
		s.respondError(w, r, errNotConfigured("saving comparisons"))
		return
	}
	list, err := s.comparisons.Comparisons(r.Context(), r.URL.Query().Get("model_id"))
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	s.respondJSON(w, r, http.StatusOK, map[string]any{"comparisons": list})
}

func (s *server) handleGetComparison(w http.ResponseWriter, r *http.Request) {
	if s.comparisons == nil || s.runs == nil {
		s.respondError(w, r, errNotConfigured("saving comparisons"))
		return
	}
	ans, err := s.reopenComparison(r)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	s.respondJSON(w, r, http.StatusOK, ans)
}

// reopenComparison reads a saved comparison and compares its runs live.
func (s *server) reopenComparison(r *http.Request) (*savedAnswer, error) {
	saved, err := s.comparisons.Comparison(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	runs, missing, err := s.runs.FindRuns(r.Context(), saved.RunIDs)
	if err != nil {
		return nil, err
	}
	if missing == nil {
		missing = []string{}
	}
	ans := &savedAnswer{Saved: saved, MissingRunIDs: missing}
	if len(runs) >= mlexp.MinCompareRuns {
		if ans.Comparison, err = mlexp.CompareRuns(runs, mlexp.CompareOptions{Noise: s.noiseJudge(r.Context(), runs)}); err != nil {
			return nil, err
		}
	}
	return ans, nil
}

func (s *server) handleUpdateComparison(w http.ResponseWriter, r *http.Request) {
	if s.comparisons == nil {
		s.respondError(w, r, errNotConfigured("saving comparisons"))
		return
	}
	u, err := decode[mlexp.ComparisonUpdate](w, r)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	c, err := s.comparisons.UpdateComparison(r.Context(), r.PathValue("id"), u, UserFrom(r.Context()))
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	s.respondJSON(w, r, http.StatusOK, c)
}

func (s *server) handleDeleteComparison(w http.ResponseWriter, r *http.Request) {
	if s.comparisons == nil {
		s.respondError(w, r, errNotConfigured("saving comparisons"))
		return
	}
	id := r.PathValue("id")
	if err := s.comparisons.DeleteComparison(r.Context(), id, UserFrom(r.Context())); err != nil {
		s.respondError(w, r, err)
		return
	}
	s.respondJSON(w, r, http.StatusOK, map[string]any{"id": id, "deleted": true})
}
