package web

import (
	"net/http"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// handleSaveComparisonForm saves the comparison on the page ("Save comparison") and opens
// the saved one.
func (s *server) handleSaveComparisonForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.pageError(w, r, mlexp.InvalidField("body", "is not a form: %v", err))
		return
	}
	c := mlexp.SavedComparison{Name: strings.TrimSpace(r.PostFormValue("name")), ModelID: r.PostFormValue("model_id"),
		RunIDs: listParam(r.PostForm, "run_ids"), Notes: r.PostFormValue("notes"), CreatedBy: UserFrom(r.Context())}
	if err := s.comparisons.CreateComparison(r.Context(), &c); err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/comparisons/"+c.ID+"/", http.StatusSeeOther)
}

// handleSavedComparisonPage reopens a saved comparison with live data from MLflow, saying
// which of its runs no longer exist.
func (s *server) handleSavedComparisonPage(w http.ResponseWriter, r *http.Request) {
	saved, err := s.comparisons.Comparison(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	runs, missing, err := s.explore.FindRuns(r.Context(), saved.RunIDs)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if len(runs) < mlexp.MinCompareRuns {
		s.pageError(w, r, mlexp.Errorf(mlexp.ENOTFOUND, "saved comparison %q: only %d of its %d runs still exist in MLflow (missing: %s)",
			saved.Name, len(runs), len(saved.RunIDs), strings.Join(missing, ", ")))
		return
	}
	ids := make([]string, len(runs))
	for i, run := range runs {
		ids[i] = run.ID
	}
	s.renderCompare(w, r, runs, ids, saved, missing)
}
