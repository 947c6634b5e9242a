package apitest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/jsonedit"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/web"
	"github.com/mlexp-dev/mlexp/web/apitest"
)

const (
	comparisonsRoute = "/api/experiments/comparisons/"
	comparisonRoute  = "/api/experiments/comparisons/{id}/"
)

func comparisonTarget(id string) string {
	return "/api/experiments/comparisons/" + url.PathEscape(id) + "/"
}

// reopened is the answer of GET /api/experiments/comparisons/{id}/.
type reopened struct {
	Saved         mlexp.SavedComparison `json:"saved"`
	Comparison    *mlexp.Comparison     `json:"comparison"`
	MissingRunIDs []string              `json:"missing_run_ids"`
}

func (r reopened) runIDs() []string {
	if r.Comparison == nil {
		return nil
	}
	var ids []string
	for _, run := range r.Comparison.Runs {
		ids = append(ids, run.ID)
	}
	return ids
}

// freshRuns logs n finished runs in a new MLflow experiment of their own, for tests that
// delete them.
func (a *api) freshRuns(t *testing.T, n int) []string {
	t.Helper()
	ctx := t.Context()
	expID, err := a.mlf.CreateExperiment(ctx, fmt.Sprintf("apitest saved comparison %d", time.Now().UnixNano()), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var ids []string
	for i := range n {
		r, err := a.mlf.CreateRun(ctx, mlflow.CreateRunRequest{ExperimentID: expID, RunName: fmt.Sprintf("config-%03d", 50+i), StartTime: now.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		ms := []mlflow.Metric{
			{Key: "recall_at_100", Value: mlflow.Float(0.4 + float64(i)/100), Timestamp: now.UnixMilli()},
			{Key: "loss", Value: mlflow.Float(0.5 - float64(i)/100), Timestamp: now.UnixMilli()},
		}
		ps := []mlflow.Param{{Key: "config_id", Value: fmt.Sprintf("config-%03d", 50+i)}, {Key: "epochs", Value: fmt.Sprint(2 + i)}}
		if err := a.mlf.LogBatch(ctx, r.Info.RunID, ms, ps, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := a.mlf.UpdateRun(ctx, mlflow.UpdateRunRequest{RunID: r.Info.RunID, Status: mlflow.StatusFinished, EndTime: now}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.Info.RunID)
	}
	return ids
}

// savedComparisons saves comparisons of real runs, reopens them live while runs are deleted
// in MLflow, changes and deletes them.
func (a *api) savedComparisons(t *testing.T, s seed) {
	runs := a.freshRuns(t, 3)
	body := func(v any) []byte { return jsonedit.Body(t, v) }

	// Save.
	var saved mlexp.SavedComparison
	ans := a.call(t, a.url, http.MethodPost, comparisonsRoute, comparisonsRoute,
		body(map[string]any{"name": "three configs", "model_id": s.model, "run_ids": runs, "notes": "first look"}), true).
		must(t, "save a comparison", http.StatusCreated)
	ans.decode(t, &saved)
	if loc := ans.header.Get("Location"); loc != comparisonTarget(saved.ID) {
		t.Errorf("Location %q, want %q", loc, comparisonTarget(saved.ID))
	}
	if saved.CreatedBy != web.LocalUser || saved.Name != "three configs" || saved.ModelID != s.model || !slices.Equal(saved.RunIDs, runs) ||
		saved.Notes != "first look" || saved.CreatedAt.IsZero() || !saved.UpdatedAt.Equal(saved.CreatedAt) {
		t.Errorf("saved %+v", saved)
	}
	var other mlexp.SavedComparison
	a.call(t, a.url, http.MethodPost, comparisonsRoute, strings.TrimSuffix(comparisonsRoute, "/"),
		body(map[string]any{"name": "quick tests", "model_id": s.foreignModel, "run_ids": []string{s.quick1, s.quick2}}), true).
		must(t, "save without notes", http.StatusCreated).decode(t, &other)
	if other.Notes != "" {
		t.Errorf("notes %q, want none", other.Notes)
	}

	// Bad input.
	two := []string{runs[0], runs[1]}
	for _, c := range []struct {
		name  string
		body  string
		field string
	}{
		{"no name", string(body(map[string]any{"model_id": s.model, "run_ids": two})), "name"},
		{"one run", string(body(map[string]any{"name": "n", "model_id": s.model, "run_ids": runs[:1]})), "run_ids"},
		{"a run twice", string(body(map[string]any{"name": "n", "model_id": s.model, "run_ids": []string{runs[0], runs[0]}})), "run_ids[1]"},
		{"quote in model id", string(body(map[string]any{"name": "n", "model_id": `model"7`, "run_ids": two})), "model_id"},
		{"control character in name", string(body(map[string]any{"name": "a\tb", "model_id": s.model, "run_ids": two})), "name"},
		{"notes too long", string(body(map[string]any{"name": "n", "model_id": s.model, "run_ids": two, "notes": strings.Repeat("x", 10001)})), "notes"},
		{"unknown field", string(body(map[string]any{"name": "n", "model_id": s.model, "run_ids": two, "owner": "me"})), "owner"},
		{"run ids as text", `{"name":"n","model_id":"m","run_ids":"a,b"}`, "run_ids"},
		{"malformed JSON", `{"name":`, "body"},
	} {
		a.call(t, a.url, http.MethodPost, comparisonsRoute, comparisonsRoute, []byte(c.body), false).
			want(t, "save: "+c.name, http.StatusBadRequest, c.field)
	}

	// List, all or by model.
	list := func(query string) []string {
		t.Helper()
		var d struct {
			Comparisons []mlexp.SavedComparison `json:"comparisons"`
		}
		a.call(t, a.url, http.MethodGet, comparisonsRoute, comparisonsRoute+query, nil, true).must(t, "list "+query, http.StatusOK).decode(t, &d)
		var ids []string
		for _, c := range d.Comparisons {
			ids = append(ids, c.ID)
		}
		return ids
	}
	if ids := list("?model_id=" + url.QueryEscape(s.model)); !slices.Equal(ids, []string{saved.ID}) {
		t.Errorf("comparisons of %s: %v, want [%s]", s.model, ids, saved.ID)
	}
	if ids := list(""); !slices.Contains(ids, saved.ID) || !slices.Contains(ids, other.ID) {
		t.Errorf("all comparisons: %v, want %s and %s", ids, saved.ID, other.ID)
	}
	if ids := list("?model_id=no-such-model"); len(ids) != 0 {
		t.Errorf("comparisons of an unknown model: %v", ids)
	}

	// Reopen: live from MLflow, as runs are deleted.
	reopen := func(base, what, id string) reopened {
		t.Helper()
		var r reopened
		a.call(t, base, http.MethodGet, comparisonRoute, comparisonTarget(id), nil, true).must(t, what, http.StatusOK).decode(t, &r)
		if r.Saved.ID != id {
			t.Errorf("%s: saved %+v", what, r.Saved)
		}
		return r
	}
	if r := reopen(a.url, "reopen", saved.ID); !slices.Equal(r.runIDs(), runs) || len(r.MissingRunIDs) != 0 {
		t.Errorf("reopened: runs %v, missing %v; want %v and none", r.runIDs(), r.MissingRunIDs, runs)
	}
	a.call(t, a.url, http.MethodGet, comparisonRoute, strings.TrimSuffix(comparisonTarget(saved.ID), "/"), nil, true).
		want(t, "reopen without the slash", http.StatusOK)
	a.call(t, a.dead, http.MethodGet, comparisonRoute, comparisonTarget(saved.ID), nil, true).
		want(t, "reopen without MLflow", http.StatusServiceUnavailable)

	if err := a.mlf.DeleteRun(t.Context(), runs[2]); err != nil {
		t.Fatal(err)
	}
	if r := reopen(a.url, "reopen after deleting a run", saved.ID); !slices.Equal(r.runIDs(), runs[:2]) || !slices.Equal(r.MissingRunIDs, runs[2:]) {
		t.Errorf("one run deleted: runs %v, missing %v; want %v and %v", r.runIDs(), r.MissingRunIDs, runs[:2], runs[2:])
	}
	if err := a.mlf.DeleteRun(t.Context(), runs[1]); err != nil {
		t.Fatal(err)
	}
	if r := reopen(a.url, "reopen after deleting two runs", saved.ID); r.Comparison != nil || !slices.Equal(r.MissingRunIDs, runs[1:]) {
		t.Errorf("two runs deleted: comparison %v, missing %v; want null and %v", r.Comparison != nil, r.MissingRunIDs, runs[1:])
	}
	// Its page says so.
	a.call(t, a.url, http.MethodGet, "/comparisons/{id}/", "/comparisons/"+saved.ID+"/", nil, true).
		want(t, "page of a comparison with one run left", http.StatusNotFound)

	// Change.
	patch := func(id, b string, valid bool, status int, field ...string) answer {
		t.Helper()
		return a.call(t, a.url, http.MethodPatch, comparisonRoute, comparisonTarget(id), []byte(b), valid).want(t, "PATCH "+b, status, field...)
	}
	var changed mlexp.SavedComparison
	patch(saved.ID, `{"notes":"config-051 and config-052 were deleted"}`, true, http.StatusOK).decode(t, &changed)
	if changed.Notes != "config-051 and config-052 were deleted" || changed.Name != saved.Name || !slices.Equal(changed.RunIDs, runs) ||
		!changed.CreatedAt.Equal(saved.CreatedAt) || changed.UpdatedAt.Before(saved.UpdatedAt) {
		t.Errorf("changed notes: %+v", changed)
	}
	patch(saved.ID, `{"name":null,"run_ids":["`+runs[0]+`","`+s.quick1+`"]}`, true, http.StatusOK).decode(t, &changed)
	if !slices.Equal(changed.RunIDs, []string{runs[0], s.quick1}) || changed.Name != saved.Name {
		t.Errorf("changed runs: %+v", changed)
	}
	if r := reopen(a.url, "reopen with new runs", saved.ID); len(r.runIDs()) != 2 || len(r.MissingRunIDs) != 0 || r.Saved.Notes != changed.Notes {
		t.Errorf("reopened with new runs: runs %v, missing %v, notes %q", r.runIDs(), r.MissingRunIDs, r.Saved.Notes)
	}
	patch(saved.ID, `{"owner":"me"}`, false, http.StatusBadRequest, "owner")
	patch(saved.ID, `{"name":""}`, false, http.StatusBadRequest, "name")
	patch(saved.ID, `{"notes":5}`, false, http.StatusBadRequest, "notes")
	patch(saved.ID, `{"run_ids":["`+runs[0]+`"]}`, false, http.StatusBadRequest, "run_ids")
	patch("no-such-comparison", `{"notes":"x"}`, true, http.StatusNotFound)

	// The pages: save by form, open it.
	form := url.Values{"name": {"by form"}, "model_id": {s.model}, "run_ids": {s.quick1 + "," + s.quick2}, "notes": {"from the page"}}
	ans = a.callWith(t, a.url, http.MethodPost, "/comparisons/", "/comparisons/", []byte(form.Encode()), "application/x-www-form-urlencoded", nil, true).
		must(t, "save by form", http.StatusSeeOther)
	page := ans.header.Get("Location")
	id, ok := strings.CutPrefix(page, "/comparisons/")
	if id = strings.TrimSuffix(id, "/"); !ok || id == "" {
		t.Fatalf("save by form: Location %q", page)
	}
	a.call(t, a.url, http.MethodGet, "/comparisons/{id}/", page, nil, true).want(t, "saved comparison page", http.StatusOK)
	a.call(t, a.url, http.MethodGet, "/comparisons/{id}/", "/comparisons/no-such-comparison/", nil, true).want(t, "unknown saved comparison page", http.StatusNotFound)
	form.Set("run_ids", s.quick1)
	a.callWith(t, a.url, http.MethodPost, "/comparisons/", "/comparisons/", []byte(form.Encode()), "application/x-www-form-urlencoded", nil, true).
		want(t, "save by form with one run", http.StatusBadRequest)
	a.formPages(t, s, id)

	// Delete.
	for _, id := range []string{saved.ID, other.ID} {
		var d struct {
			ID      string `json:"id"`
			Deleted bool   `json:"deleted"`
		}
		a.call(t, a.url, http.MethodDelete, comparisonRoute, comparisonTarget(id), nil, true).must(t, "delete", http.StatusOK).decode(t, &d)
		if d.ID != id || !d.Deleted {
			t.Errorf("delete %s: %+v", id, d)
		}
	}
	a.call(t, a.url, http.MethodGet, comparisonRoute, comparisonTarget(saved.ID), nil, true).want(t, "reopen a deleted comparison", http.StatusNotFound)
	a.call(t, a.url, http.MethodDelete, comparisonRoute, comparisonTarget(saved.ID), nil, true).want(t, "delete again", http.StatusNotFound)
	if ids := list("?model_id=" + url.QueryEscape(s.model)); len(ids) != 0 {
		t.Errorf("comparisons of %s after deleting them: %v", s.model, ids)
	}
}

// formPages lists the saved comparisons on their page, then edits and deletes the one of id
// by the forms of its page.
func (a *api) formPages(t *testing.T, s seed, id string) {
	const form = "application/x-www-form-urlencoded"
	list := a.call(t, a.url, http.MethodGet, "/comparisons/", "/comparisons/?model_id="+url.QueryEscape(s.model), nil, true).
		want(t, "the list page of a model", http.StatusOK)
	for _, want := range []string{"by form", "from the page", "2 runs", web.LocalUser, "/comparisons/" + id + "/"} {
		if !strings.Contains(string(list.body), want) {
			t.Errorf("the list page lacks %q", want)
		}
	}
	edit, del := "/comparisons/"+id+"/edit/", "/comparisons/"+id+"/delete/"
	body := url.Values{"name": {"renamed by form"}, "notes": {"edited notes"}}.Encode()
	ans := a.callWith(t, a.url, http.MethodPost, "/comparisons/{id}/edit/", edit, []byte(body), form, nil, true).want(t, "edit by form", http.StatusSeeOther)
	if loc := ans.header.Get("Location"); loc != "/comparisons/"+id+"/" {
		t.Errorf("edit by form went to %q", loc)
	}
	page := a.call(t, a.url, http.MethodGet, "/comparisons/{id}/", "/comparisons/"+id+"/", nil, true).want(t, "the edited comparison", http.StatusOK)
	if !strings.Contains(string(page.body), "renamed by form") || !strings.Contains(string(page.body), "edited notes") {
		t.Errorf("the edited comparison's page does not show its new name and notes")
	}
	a.callWith(t, a.url, http.MethodPost, "/comparisons/{id}/edit/", edit, []byte("name=+&notes=x"), form, nil, false).want(t, "edit by form without a name", http.StatusBadRequest)
	ans = a.callWith(t, a.url, http.MethodPost, "/comparisons/{id}/delete/", del, nil, form, nil, true).want(t, "delete by form", http.StatusSeeOther)
	if loc := ans.header.Get("Location"); !strings.HasPrefix(loc, "/comparisons/?") || !strings.Contains(loc, "deleted=renamed") {
		t.Errorf("delete by form went to %q", loc)
	}
	a.callWith(t, a.url, http.MethodPost, "/comparisons/{id}/delete/", del, nil, form, nil, true).want(t, "delete by form again", http.StatusNotFound)
	a.callWith(t, a.url, http.MethodPost, "/comparisons/{id}/edit/", edit, []byte(body), form, nil, true).want(t, "edit a deleted comparison", http.StatusNotFound)
}

// TestComparisonSchemasAgreeWithDecoder checks the request schemas of saved comparisons
// against the server's strict decoding and validation (mlexp.UnmarshalStrict, as the
// handlers decode): each good body passes both, each bad one is refused by both.
func TestComparisonSchemasAgreeWithDecoder(t *testing.T) {
	doc, err := apitest.Load(web.OpenAPIDocument())
	if err != nil {
		t.Fatal(err)
	}
	decodeNew := func(b []byte) error {
		var c mlexp.SavedComparison
		if err := mlexp.UnmarshalStrict(b, &c); err != nil {
			return err
		}
		return c.Validate()
	}
	decodeUpdate := func(b []byte) error {
		var u mlexp.ComparisonUpdate
		if err := mlexp.UnmarshalStrict(b, &u); err != nil {
			return err
		}
		_, err := u.Apply(mlexp.SavedComparison{Name: "n", ModelID: "m", RunIDs: []string{"a", "b"}})
		return err
	}
	type body struct {
		name, method, path, body string
		decode                   func([]byte) error
	}
	post := func(name, b string) body { return body{name, http.MethodPost, comparisonsRoute, b, decodeNew} }
	patch := func(name, b string) body { return body{name, http.MethodPatch, comparisonRoute, b, decodeUpdate} }
	good := []body{
		post("all fields", `{"name":"042 vs deployed","model_id":"model-7","run_ids":["a","b","c"],"notes":"why"}`),
		post("without notes", `{"name":"n","model_id":"m","run_ids":["a","b"]}`),
		post("name of 200 characters", `{"name":"`+strings.Repeat("é", 200)+`","model_id":"m","run_ids":["a","b"]}`),
		patch("nothing", `{}`),
		patch("notes", `{"notes":""}`),
		patch("null name", `{"name":null,"notes":"x"}`),
		patch("runs", `{"run_ids":["a","b"]}`),
		patch("null runs", `{"run_ids":null}`),
	}
	fifty := make([]string, 51)
	for i := range fifty {
		fifty[i] = fmt.Sprintf("%q", fmt.Sprint("run-", i))
	}
	bad := []body{
		post("no name", `{"model_id":"m","run_ids":["a","b"]}`),
		post("empty name", `{"name":"","model_id":"m","run_ids":["a","b"]}`),
		post("name of 201 characters", `{"name":"`+strings.Repeat("x", 201)+`","model_id":"m","run_ids":["a","b"]}`),
		post("control character in name", `{"name":"a\u0007","model_id":"m","run_ids":["a","b"]}`),
		post("no model", `{"name":"n","run_ids":["a","b"]}`),
		post("backslash in model id", `{"name":"n","model_id":"m\\7","run_ids":["a","b"]}`),
		post("one run", `{"name":"n","model_id":"m","run_ids":["a"]}`),
		post("51 runs", `{"name":"n","model_id":"m","run_ids":[`+strings.Join(fifty, ",")+`]}`),
		post("a run twice", `{"name":"n","model_id":"m","run_ids":["a","a"]}`),
		post("empty run id", `{"name":"n","model_id":"m","run_ids":["a",""]}`),
		post("notes too long", `{"name":"n","model_id":"m","run_ids":["a","b"],"notes":"`+strings.Repeat("x", 10001)+`"}`),
		post("unknown field", `{"name":"n","model_id":"m","run_ids":["a","b"],"owner":"me"}`),
		patch("unknown field", `{"owner":"me"}`),
		patch("empty name", `{"name":""}`),
		patch("notes as a number", `{"notes":5}`),
		patch("one run", `{"run_ids":["a"]}`),
		patch("a run twice", `{"run_ids":["a","a"]}`),
	}
	for _, b := range good {
		if err := doc.ValidateRequest(b.method, b.path, "application/json", []byte(b.body)); err != nil {
			t.Errorf("%s %s: the document refuses it: %v", b.method, b.name, err)
		}
		if err := b.decode([]byte(b.body)); err != nil {
			t.Errorf("%s %s: the server refuses it: %v", b.method, b.name, err)
		}
	}
	for _, b := range bad {
		if err := doc.ValidateRequest(b.method, b.path, "application/json", []byte(b.body)); err == nil {
			t.Errorf("%s %s: the document accepts it, but it is invalid", b.method, b.name)
		}
		if err := b.decode([]byte(b.body)); err == nil {
			t.Errorf("%s %s: the server accepts it, but the case is meant to be invalid", b.method, b.name)
		}
	}
}
