package web

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/explore"
)

// deploymentsURL is the deployment history page of a model.
func deploymentsURL(modelID string) string { return modelPath(modelID) + "deployments/" }

type deploymentsPage struct {
	Layout    pageLayout
	Exp       mlexp.ExperimentRef
	Done      *deploymentRow // the promotion or rollback a form just made
	Unchanged bool           // it was already the deployed run
	Current   *deploymentRow
	Rollback  *promoteForm // nil without a previous run
	Rows      []deploymentRow
	Best      *bestCard
	BestNote  string             // why there is no best candidate card, when the selection failed
	Registry  *mlexp.AliasStatus // the registry alias against the history; nil when unknown
	MLMD      *deployedRecords   // what ML Metadata records of the deployed run; nil without a store
}

type deploymentRow struct {
	Seq                                    int64
	Action, When, WhenTitle, By, Note      string
	RunName, RunURL, PreviousName, PrevURL string
	IsRollback                             bool
	Model                                  string // models:/<name>@<alias> (version N), when recorded
}

// promoteForm is a Promote or Roll back button: a POST form to the API, answered with a
// redirect back to this page.
type promoteForm struct {
	Action, Label, ModelID, DatasetID string
}

// bestCard is the selection's pick, with a button to promote it.
type bestCard struct {
	Best    *mlexp.Best
	RunURL  string
	Promote *promoteForm // nil when it is deployed already or nothing is eligible
}

// handleDeploymentsPage renders the deployment history of a model: the deployed run, the
// rollback button, the best candidate by the default selection, and every promotion.
func (s *server) handleDeploymentsPage(w http.ResponseWriter, r *http.Request) {
	e, l, ok := s.experimentPage(w, r, "Deployments", "deployments")
	if !ok {
		return
	}
	exp := e.Ref
	h, err := s.promoter.History(r.Context(), exp.ModelID, defaultHistoryLimit)
	if err != nil {
		s.pageErrorIn(w, r, l, err)
		return
	}
	p := deploymentsPage{Layout: l, Exp: exp, Unchanged: r.URL.Query().Get("unchanged") == "1", Registry: s.aliasStatus(r, exp.ModelID)}
	done := r.URL.Query().Get("done")
	for i, d := range h {
		row := deploymentRowOf(d)
		p.Rows = append(p.Rows, row)
		if i == 0 {
			p.Current = &p.Rows[0]
			if d.PreviousRunID != "" {
				p.Rollback = &promoteForm{Action: "/api/models/" + url.PathEscape(exp.ModelID) + "/deployments/rollback/",
					Label: "↶ Roll back to " + cmp.Or(d.PreviousRunName, d.PreviousRunID), DatasetID: exp.DatasetID}
			}
		}
		if d.ID == done {
			p.Done = &row
		}
	}
	if len(h) > 0 {
		p.MLMD = s.deployedRecordsOf(r, h[0].RunID)
	}
	if err := p.bestCandidate(s.explore.BestIn(r.Context(), e, mlexp.BestQuery{})); err != nil {
		p.BestNote = s.bestNote(r, err)
	}
	s.render(w, r, http.StatusOK, viewDeployments, p)
}

// bestCandidate shows the selection's pick with its Promote button, or returns why there
// is none; a server without best-run selection shows neither.
func (p *deploymentsPage) bestCandidate(ans *explore.BestAnswer, err error) error {
	switch {
	case mlexp.UnavailableDependency(err) == mlexp.DependencyNone:
		return nil
	case err != nil:
		return err
	}
	b := ans.Best
	p.Best = &bestCard{Best: b}
	if b.Run != nil {
		p.Best.RunURL = runURL(b.Run.RunID)
		if !b.Run.IsDeployed {
			p.Best.Promote = &promoteForm{Action: deployAction(b.Run.RunID), Label: "Promote " + cmp.Or(b.Run.RunName, b.Run.RunID),
				ModelID: p.Exp.ModelID, DatasetID: p.Exp.DatasetID}
		}
	}
	return nil
}

// bestNote says, in a line, why the page has no best candidate: the selection failed, which
// does not keep the history from showing. An internal error is logged, not shown.
func (s *server) bestNote(r *http.Request, err error) string {
	var e *mlexp.Error
	if mlexp.ErrorCode(err) == mlexp.EINTERNAL || !errors.As(err, &e) {
		s.logger.ErrorContext(r.Context(), "selecting the best candidate", "path", r.URL.Path, "err", err)
		return "The best candidate could not be worked out right now; the error has been logged. Reload the page to try again."
	}
	return "The best candidate could not be worked out: " + e.Message
}

// deployAction is where a Promote form posts.
func deployAction(runID string) string {
	return "/api/experiments/runs/" + url.PathEscape(runID) + "/deploy/"
}

func deploymentRowOf(d mlexp.Deployment) deploymentRow {
	row := deploymentRow{Seq: d.Seq, Action: "Promoted", When: d.PromotedAt.UTC().Format("2006-01-02 15:04 UTC"),
		WhenTitle: d.PromotedAt.UTC().Format("2006-01-02 15:04:05.000 UTC"), By: d.PromotedBy, Note: d.Note,
		RunName: cmp.Or(d.RunName, d.RunID), RunURL: runURL(d.RunID), IsRollback: d.Action == mlexp.ActionRollback}
	if row.IsRollback {
		row.Action = "Rolled back"
	}
	if d.PreviousRunID != "" {
		row.PreviousName, row.PrevURL = cmp.Or(d.PreviousRunName, d.PreviousRunID), runURL(d.PreviousRunID)
	}
	if d.Action == mlexp.ActionAdopt {
		row.Action = "Adopted from the registry alias"
	}
	if d.Version != "" {
		row.Model = "models:/" + d.RegisteredModel + "@" + d.Alias + " (version " + d.Version + ")"
	}
	return row
}
