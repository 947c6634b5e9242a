package apitest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/jsonedit"
	"github.com/mlexp-dev/mlexp/internal/sample"
)

const (
	deployRoute      = "/api/experiments/runs/{run_id}/deploy/"
	bestRoute        = "/api/models/{model_id}/experiments/best/"
	historyRoute     = "/api/models/{model_id}/deployments/"
	rollbackRoute    = "/api/models/{model_id}/deployments/rollback/"
	deploymentsRoute = "/models/{model_id}/deployments/"
)

// deployedAnswer is the data of a promotion or rollback.
type deployedAnswer struct {
	RunID      string           `json:"run_id"`
	Cleared    []string         `json:"cleared"`
	Changed    bool             `json:"changed"`
	Deployment mlexp.Deployment `json:"deployment"`
}

func deployTarget(id string) string {
	return "/api/experiments/runs/" + url.PathEscape(id) + "/deploy/"
}

func modelTarget(route, model string) string {
	return strings.Replace(route, "{model_id}", url.PathEscape(model), 1)
}

// promote posts a promotion of id with a JSON body ("" for none) and checks the status, and
// for a refusal the error's field and reason.
func (a *api) promote(t *testing.T, id, body string, status int, fieldReason ...string) deployedAnswer {
	t.Helper()
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	ans := a.call(t, a.url, http.MethodPost, deployRoute, deployTarget(id), b, status < 400).want(t, "promote "+id+" "+body, status, fieldReason[:min(1, len(fieldReason))]...)
	var d deployedAnswer
	if status == http.StatusOK {
		ans.decode(t, &d)
	}
	if len(fieldReason) == 2 && ans.err.Details["reason"] != fieldReason[1] {
		t.Errorf("promote %s: reason %v, want %s (%s)", id, ans.err.Details["reason"], fieldReason[1], ans.err.Message)
	}
	return d
}

// mlflowDeployed lists which of ids MLflow marks is_deployed=true.
func (a *api) mlflowDeployed(t *testing.T, ids ...string) []string {
	t.Helper()
	var out []string
	for _, id := range ids {
		r, err := a.mlf.GetRun(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := r.Data.Tag("is_deployed"); v == "true" {
			out = append(out, id)
		}
	}
	return out
}

// deployments checks best-run selection, promotion with history, the refusals and rollback,
// over JSON and forms. It ends with s.training deployed.
func (a *api) deployments(t *testing.T, s seed) {
	// A second full training, better than s.training (46.8%) by 0.2 pp.
	tr := sample.TrainingRunReport()
	tr.Model.ID, tr.Model.Name = s.model, s.modelName
	tr.TrainingRun.ID, tr.TrainingRun.ModelURI = 47, "gs://retail-recs/models/47"
	tr.TrainingRun.Metrics.RecallAt100 = new(0.47)
	var ing ingestData
	a.call(t, a.url, http.MethodPost, "/api/experiments/training-runs/", "/api/experiments/training-runs/", jsonedit.Body(t, tr), true).
		must(t, "log training 47", http.StatusCreated).decode(t, &ing)
	better := ing.RunID

	// Selection before any promotion.
	var best struct {
		mlexp.Best
		Experiment mlexp.ExperimentRef `json:"experiment"`
	}
	a.query(t, bestRoute, s.model, "", http.StatusOK).decode(t, &best)
	if !best.Eligible || best.Run.RunID != better || best.Run.ModelURI != "gs://retail-recs/models/47" || best.Run.DatasetVersion != "3" ||
		best.RunnerUp == nil || best.RunnerUp.RunID != s.training || best.Lead == nil || best.Lead.Text != "+0.2 pp" || best.Experiment.ModelID != s.model {
		t.Errorf("best before promotion: %+v", best)
	}
	for _, q := range []string{"metric=loss", "dataset_id=dataset-001&require_finished=false", "min_value=0.4&max_value=0.5", "run_type=all"} {
		a.query(t, bestRoute, s.model, q, http.StatusOK)
	}
	var none mlexp.Best
	a.query(t, bestRoute, s.model, "min_value=0.9", http.StatusOK).decode(t, &none)
	if none.Eligible || none.Run != nil || !strings.Contains(none.Reason, "min_value removed 2") {
		t.Errorf("nothing passes min_value=0.9: %+v", none)
	}
	a.query(t, bestRoute, s.model, "run_type=quick_test", http.StatusOK).decode(t, &none)
	if none.Eligible || !strings.Contains(none.Reason, "model_uri removed 3") {
		t.Errorf("quick tests have no model to deploy: %s", none.Reason)
	}
	for q, field := range map[string]string{"min_value=abc": "min_value", "max_value=NaN": "max_value", "run_type=deployed": "run_type",
		"require_finished=maybe": "require_finished", "min_value=0.5&max_value=0.4": "min_value"} {
		a.query(t, bestRoute, s.model, q, http.StatusBadRequest, field)
	}
	a.query(t, bestRoute, "no-such-model", "", http.StatusNotFound)
	a.query(t, bestRoute, s.model, "dataset_id=no-such-dataset", http.StatusNotFound, "dataset_id")
	a.query(t, bestRoute, s.emptyModel, "", http.StatusOK)

	// No history yet.
	var h struct {
		Current     *mlexp.Deployment  `json:"current"`
		Deployments []mlexp.Deployment `json:"deployments"`
		Registry    *mlexp.AliasStatus `json:"registry"`
	}
	a.query(t, historyRoute, s.model, "", http.StatusOK).decode(t, &h)
	if h.Current != nil || len(h.Deployments) != 0 {
		t.Errorf("history before any promotion: %+v", h)
	}
	a.query(t, historyRoute, s.model, "limit=0", http.StatusBadRequest, "limit")
	a.call(t, a.url, http.MethodPost, rollbackRoute, modelTarget(rollbackRoute, s.model), nil, true).want(t, "rollback without history", http.StatusConflict, "model_id")

	// Promotions.
	d := a.promote(t, s.training, `{"model_id":"`+s.model+`","note":"baseline for Q4"}`, http.StatusOK)
	if !d.Changed || d.RunID != s.training || d.Deployment.Seq != 1 || d.Deployment.PromotedBy != "local" || d.Deployment.Note != "baseline for Q4" {
		t.Errorf("first promotion: %+v", d)
	}
	d = a.promote(t, better, "", http.StatusOK)
	if d.Deployment.PreviousRunID != s.training || !slices.Equal(d.Cleared, []string{s.training}) || d.Deployment.Seq != 2 {
		t.Errorf("second promotion: %+v", d)
	}
	if d = a.promote(t, better, "{}", http.StatusOK); d.Changed || d.Deployment.Seq != 2 {
		t.Errorf("promoting the deployed run again: %+v", d)
	}
	if dep := a.mlflowDeployed(t, s.training, better, s.quick1); !slices.Equal(dep, []string{better}) {
		t.Errorf("MLflow marks %v deployed, want only %s", dep, better)
	}

	// Refusals: 4xx naming the field and the reason, nothing recorded.
	a.promote(t, s.quick1, "", http.StatusConflict, "run_id", mlexp.RefusedNoModelURI)
	a.promote(t, s.failed, "", http.StatusConflict, "run_id", mlexp.RefusedNotFinished)
	a.promote(t, s.foreignRun, `{"model_id":"`+s.model+`"}`, http.StatusConflict, "model_id", mlexp.RefusedOtherModel)
	a.promote(t, s.training, `{"model_id":"`+s.foreignModel+`"}`, http.StatusConflict, "model_id", mlexp.RefusedOtherModel)
	a.promote(t, s.deletedRun, "", http.StatusConflict, "run_id", mlexp.RefusedDeleted)
	a.promote(t, "0123456789abcdef0123456789abcdef", "", http.StatusNotFound, "run_id")
	a.promote(t, s.training, `{"priority":1}`, http.StatusBadRequest, "priority")
	a.promote(t, s.training, `{"note":"`+strings.Repeat("x", 2001)+`"}`, http.StatusBadRequest, "note")

	// The selection now measures against the deployed run.
	a.query(t, bestRoute, s.model, "", http.StatusOK).decode(t, &best)
	if !best.Run.IsDeployed || best.Deployed == nil || best.Deployed.RunID != better || best.OverDeployed == nil || best.OverDeployed.Improvement != 0 {
		t.Errorf("best after promotion: run %+v, deployed %+v, margin %+v", best.Run, best.Deployed, best.OverDeployed)
	}

	// Rollback, as JSON, then as the page's form, then forward again by the form of the runs table.
	var rb deployedAnswer
	a.call(t, a.url, http.MethodPost, rollbackRoute, strings.TrimSuffix(modelTarget(rollbackRoute, s.model), "/"), []byte(`{"note":"47 regressed online"}`), true).
		must(t, "rollback", http.StatusOK).decode(t, &rb)
	if rb.RunID != s.training || rb.Deployment.Action != mlexp.ActionRollback || rb.Deployment.PreviousRunID != better || rb.Deployment.Note != "47 regressed online" {
		t.Errorf("rollback: %+v", rb)
	}
	a.call(t, a.url, http.MethodPost, rollbackRoute, modelTarget(rollbackRoute, s.model), []byte(`{"model_id":"x"}`), false).
		want(t, "rollback naming a model in the body", http.StatusBadRequest, "model_id")
	form := url.Values{"model_id": {s.model}, "dataset_id": {"dataset-001"}, "run_ids": {s.quick1}, "note": {"from the table"}}
	// A page's Promote form first asks to confirm, naming the run it replaces; nothing changes yet.
	ask := a.callWith(t, a.url, http.MethodPost, deployRoute, deployTarget(better), []byte(form.Encode()), "application/x-www-form-urlencoded", nil, true).
		want(t, "promote by form, not confirmed", http.StatusOK)
	for _, want := range []string{"Promote ", "It replaces the deployed run", `name="confirm" value="yes"`, `value="from the table"`} {
		if !strings.Contains(string(ask.body), want) {
			t.Errorf("the confirmation page lacks %q: %.300s", want, ask.body)
		}
	}
	if cur := a.query(t, historyRoute, s.model, "limit=1", http.StatusOK); !strings.Contains(string(cur.body), `"run_id":"`+s.training+`"`) {
		t.Errorf("an unconfirmed Promote form changed the deployed run: %.300s", cur.body)
	}
	form.Set("confirm", "yes")
	form.Del("note")
	ans := a.callWith(t, a.url, http.MethodPost, deployRoute, deployTarget(better), []byte(form.Encode()), "application/x-www-form-urlencoded", nil, true).
		want(t, "promote by form", http.StatusSeeOther)
	loc := ans.header.Get("Location")
	if !strings.HasPrefix(loc, "/models/"+url.PathEscape(s.model)+"/deployments/?") || !strings.Contains(loc, "done=") {
		t.Errorf("promote by form redirects to %q", loc)
	}
	page := a.call(t, a.url, http.MethodGet, deploymentsRoute, loc, nil, true).want(t, "the deployments page", http.StatusOK)
	for _, want := range []string{"Promoted to", "Currently Deployed", "Roll back to", "Best Candidate", "47 regressed online", "baseline for Q4", "Deployers load <code>models:/"} {
		if !strings.Contains(string(page.body), want) {
			t.Errorf("the deployments page lacks %q", want)
		}
	}
	ans = a.callWith(t, a.url, http.MethodPost, rollbackRoute, modelTarget(rollbackRoute, s.model), []byte(url.Values{"note": {"by form"}}.Encode()),
		"application/x-www-form-urlencoded", nil, true).want(t, "rollback by form", http.StatusSeeOther)
	a.call(t, a.url, http.MethodGet, deploymentsRoute, ans.header.Get("Location"), nil, true).want(t, "after the rollback form", http.StatusOK)
	refused := a.callWith(t, a.url, http.MethodPost, deployRoute, deployTarget(s.failed), []byte(form.Encode()), "application/x-www-form-urlencoded", nil, true).
		want(t, "promote a failed run by form", http.StatusConflict)
	if !strings.HasPrefix(refused.header.Get("Content-Type"), "text/html") || !strings.Contains(string(refused.body), "only a FINISHED run can be promoted") {
		t.Errorf("a refused form is not answered with a page saying why: %.300s", refused.body)
	}
	a.call(t, a.url, http.MethodGet, deploymentsRoute, modelTarget(deploymentsRoute, s.emptyModel), nil, true).want(t, "deployments of a model never promoted", http.StatusOK)
	a.call(t, a.url, http.MethodGet, deploymentsRoute, modelTarget(deploymentsRoute, "no-such-model"), nil, true).want(t, "deployments of no model", http.StatusNotFound)

	// The history: who, from which run, when, why; newest first.
	a.query(t, historyRoute, s.model, "limit=10", http.StatusOK).decode(t, &h)
	want := []struct{ run, prev, action, note string }{
		{s.training, better, "rollback", "by form"}, {better, s.training, "promote", ""}, {s.training, better, "rollback", "47 regressed online"},
		{better, s.training, "promote", ""}, {s.training, "", "promote", "baseline for Q4"}}
	if len(h.Deployments) != len(want) || h.Current == nil || h.Current.ID != h.Deployments[0].ID {
		t.Fatalf("history: %+v", h)
	}
	// The registry alias names the recorded version.
	if r := h.Registry; r == nil || !r.InSync || r.Alias != "champion" || r.Version == "" || r.Version != h.Current.Version || r.RunID != s.training ||
		h.Deployments[1].Version != h.Current.PreviousVersion {
		t.Errorf("registry: %+v, current %+v", r, h.Current)
	}
	for i, w := range want {
		got := h.Deployments[i]
		if got.RunID != w.run || got.PreviousRunID != w.prev || got.Action != w.action || got.Note != w.note || got.PromotedBy != "local" || got.PromotedAt.IsZero() {
			t.Errorf("history[%d] = %+v, want %+v", i, got, w)
		}
	}
	if dep := a.mlflowDeployed(t, s.training, better); !slices.Equal(dep, []string{s.training}) {
		t.Errorf("MLflow marks %v deployed, want only %s", dep, s.training)
	}

	// With token auth, the history records the signed-in user.
	ans = a.callWith(t, a.token, http.MethodPost, deployRoute, deployTarget(better), []byte(`{"note":"ana's pick"}`), "application/json", bearer(anaToken), true).
		want(t, "promote as ana", http.StatusOK)
	var byAna deployedAnswer
	if err := json.Unmarshal(ans.data, &byAna); err != nil || byAna.Deployment.PromotedBy != "ana" {
		t.Errorf("promoted as ana: %+v, %v", byAna, err)
	}
	a.call(t, a.token, http.MethodPost, deployRoute, deployTarget(s.training), nil, true).want(t, "promote without a user", http.StatusUnauthorized)
	a.promote(t, s.training, "", http.StatusOK) // as before this test
}

func (a *api) deploy(t *testing.T, s seed) {
	a.deployments(t, s)

	// The deployed run shows in every query.
	const base = "/api/models/{model_id}/experiments/"
	for _, r := range []string{base, base + "heatmap/", base + "runs/", base + "parallel/"} {
		a.query(t, r, s.model, "", http.StatusOK)
	}
	ids, _ := json.Marshal([]string{s.quick1, s.quick2, s.training})
	a.call(t, a.url, http.MethodPost, "/api/experiments/compare/", "/api/experiments/compare/", []byte(`{"run_ids":`+string(ids)+`}`), true).
		want(t, "compare with the deployed run", http.StatusOK)
}
