package web

import (
	"cmp"
	"net/http"
)

// A Promote form of a page (runs table, comparison, best candidate) first opens a page that
// asks to confirm: which run becomes the deployed one, and which it replaces. Only its
// "Yes, promote" button, which sends confirm=yes, promotes. JSON clients are not asked.

// confirmField is the form field that confirms a promotion.
const confirmField = "confirm"

type confirmPromotePage struct {
	Layout     pageLayout
	Action     string // the deploy route, which the confirmation posts to again
	RunName    string
	RunURL     string
	RunType    string
	ModelID    string
	DatasetID  string
	Note       string
	Current    string // the deployed run it replaces; "" when none is recorded
	CurrentURL string
	Cancel     string
}

// needsConfirmation says whether a promotion form has not been confirmed yet.
func needsConfirmation(r *http.Request) bool {
	return isFormPost(r) && r.PostForm.Get(confirmField) != "yes"
}

// confirmPromotion renders the confirmation page of promoting the run of the path with the
// form's model, dataset and note.
func (s *server) confirmPromotion(w http.ResponseWriter, r *http.Request, in promoteInput) {
	id := r.PathValue("run_id")
	runs, err := s.explore.RunsByID(r.Context(), []string{id})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	run := runs[0]
	p := confirmPromotePage{Action: deployAction(id), RunName: cmp.Or(run.Name, run.ID), RunURL: runURL(run.ID), RunType: run.Type.Label(),
		ModelID: in.ModelID, DatasetID: in.DatasetID, Note: in.Note, Cancel: runURL(run.ID)}
	p.Layout.Title = "Promote " + p.RunName + "?"
	if m, d, known := s.explore.ModelOf(r.Context(), run.ExperimentID); known {
		p.Layout.Nav.ModelName, p.Layout.Nav.Dashboard, p.Layout.Nav.Runs = m.Name, dashboardURL(m.ID, d.ID), runsURL(m.ID, d.ID)
		p.ModelID, p.DatasetID = cmp.Or(p.ModelID, m.ID), cmp.Or(p.DatasetID, d.ID)
		p.Cancel = runsURL(m.ID, p.DatasetID)
	}
	if p.ModelID != "" {
		if h, err := s.promoter.History(r.Context(), p.ModelID, 1); err == nil && len(h) > 0 {
			p.Current, p.CurrentURL = cmp.Or(h[0].RunName, h[0].RunID), runURL(h[0].RunID)
		}
	}
	s.render(w, r, http.StatusOK, viewConfirmPromote, p)
}
