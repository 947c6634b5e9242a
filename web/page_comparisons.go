package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// The saved comparisons: their list (GET /comparisons/), and the Edit and Delete forms of a
// saved comparison (POST /comparisons/{id}/edit/ and /delete/). The forms are plain HTML
// forms; refuseCrossOrigin turns away those another site sends, as for every form of mlexp.

// comparisonsURL is the list of saved comparisons, of one model when modelID is set.
func comparisonsURL(modelID string) string {
	return withQuery("/comparisons/", url.Values{"model_id": {modelID}})
}

// savedURL is the page of a saved comparison.
func savedURL(id string) string { return "/comparisons/" + url.PathEscape(id) + "/" }

type comparisonsPage struct {
	Layout  pageLayout
	ModelID string // the model the list is narrowed to; "" for every model
	AllURL  string // the unfiltered list, when narrowed
	Deleted string // the name of the comparison a form just deleted
	Rows    []comparisonRow
}

type comparisonRow struct {
	ID, Name, URL, Notes, Owner, Created, Updated string
	ModelID, ModelURL                             string
	Runs                                          string // "3 runs"
	CanDelete                                     bool
	DeleteAction                                  string
}

// handleComparisonsPage lists the saved comparisons, newest first, of one model when the
// query names it (model_id).
func (s *server) handleComparisonsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	modelID := q.Get("model_id")
	var l pageLayout
	l.Title, l.Nav.Active = "Saved comparisons", "comparisons"
	if modelID != "" {
		l.Nav.Dashboard, l.Nav.ModelName = dashboardURL(modelID, ""), modelID
	}
	list, err := s.comparisons.Comparisons(r.Context(), modelID)
	if err != nil {
		s.pageErrorIn(w, r, l, err)
		return
	}
	p := comparisonsPage{Layout: l, ModelID: modelID, Deleted: q.Get("deleted")}
	if modelID != "" {
		p.AllURL = "/comparisons/"
	}
	user := UserFrom(r.Context())
	for _, c := range list {
		row := comparisonRow{ID: c.ID, Name: c.Name, URL: savedURL(c.ID), Notes: c.Notes, Owner: c.CreatedBy,
			Created: c.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), ModelID: c.ModelID, ModelURL: dashboardURL(c.ModelID, ""),
			Runs: mlexp.Plural(len(c.RunIDs), "run", "runs"), CanDelete: c.CreatedBy == user, DeleteAction: savedURL(c.ID) + "delete/"}
		if c.UpdatedAt.After(c.CreatedAt) {
			row.Updated = c.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		p.Rows = append(p.Rows, row)
	}
	s.render(w, r, http.StatusOK, viewComparisons, p)
}

// handleEditComparisonForm saves the name and notes of a saved comparison (its creator
// only) and opens it again.
func (s *server) handleEditComparisonForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		s.pageError(w, r, mlexp.InvalidField("body", "is not a readable form: %v", err))
		return
	}
	name, notes := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("notes")
	c, err := s.comparisons.UpdateComparison(r.Context(), r.PathValue("id"), mlexp.ComparisonUpdate{Name: &name, Notes: &notes}, UserFrom(r.Context()))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, savedURL(c.ID), http.StatusSeeOther)
}

// handleDeleteComparisonForm deletes a saved comparison (its creator only) and goes back to
// the list of its model, which says what was deleted.
func (s *server) handleDeleteComparisonForm(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, err := s.comparisons.Comparison(r.Context(), id)
	if err == nil {
		err = s.comparisons.DeleteComparison(r.Context(), id, UserFrom(r.Context()))
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, withQuery("/comparisons/", url.Values{"model_id": {c.ModelID}, "deleted": {c.Name}}), http.StatusSeeOther)
}
