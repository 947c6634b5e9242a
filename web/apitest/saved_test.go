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

// The users of the token-auth server (tokens of at least 16 characters).
const (
	anaToken = "ana-apitest-token-0001"
	bobToken = "bob-apitest-token-0002"
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

	// Delete.
	for _, id := range []string{saved.ID, other.ID, id} {
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

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// auth drives the server with token auth on the same store and MLflow: who may call what,
// the browser's sign-in, and cross-origin refusal; then proxy auth.
func (a *api) auth(t *testing.T, s seed) {
	ana, bob := bearer(anaToken), bearer(bobToken)
	get := func(base, route, target string, h http.Header, status int) answer {
		t.Helper()
		return a.callWith(t, base, http.MethodGet, route, target, nil, "", h, true).want(t, "GET "+target, status)
	}
	saveBody := jsonedit.Body(t, map[string]any{"name": "ana's pick", "model_id": s.model, "run_ids": []string{s.quick1, s.quick2}})

	// Without a user: the API says 401, pages send the browser to sign in, public paths answer.
	ans := get(a.token, "/api/models/", "/api/models/", nil, http.StatusUnauthorized)
	if wa := ans.header.Get("WWW-Authenticate"); !strings.HasPrefix(wa, "Bearer") {
		t.Errorf("401 without a token: WWW-Authenticate %q", wa)
	}
	if ans.err.Code != mlexp.EUNAUTHORIZED {
		t.Errorf("401 without a token: code %q", ans.err.Code)
	}
	get(a.token, comparisonsRoute, comparisonsRoute, bearer("not-a-token-of-anyone"), http.StatusUnauthorized)
	a.callWith(t, a.token, http.MethodPost, comparisonsRoute, comparisonsRoute, saveBody, "application/json", nil, true).
		want(t, "save without a token", http.StatusUnauthorized)
	a.callWith(t, a.token, http.MethodPost, "/api/experiments/compare/", "/api/experiments/compare/",
		[]byte(`{"run_ids":["`+s.quick1+`","`+s.quick2+`"]}`), "application/json", nil, true).want(t, "compare without a token", http.StatusUnauthorized)
	model := "/models/" + url.PathEscape(s.model) + "/?view=table"
	for target, route := range map[string]string{"/": "/", model: "/models/{model_id}/", "/runs/" + s.quick1 + "/": "/runs/{run_id}/"} {
		ans := get(a.token, route, target, nil, http.StatusSeeOther)
		if loc, want := ans.header.Get("Location"), "/signin?next="+url.QueryEscape(target); loc != want {
			t.Errorf("GET %s without a token: Location %q, want %q", target, loc, want)
		}
	}
	get(a.token, "/healthz", "/healthz", nil, http.StatusOK)
	get(a.token, "/readyz", "/readyz", nil, http.StatusOK)
	get(a.token, "/api/openapi.json", "/api/openapi.json", nil, http.StatusOK)
	get(a.token, "/signin", "/signin?next=%2Fcompare%2F", nil, http.StatusOK)

	// With a token: ana saves; bob may read but not change or delete it; ana may.
	var saved mlexp.SavedComparison
	a.callWith(t, a.token, http.MethodPost, comparisonsRoute, comparisonsRoute, saveBody, "application/json", ana, true).
		must(t, "ana saves", http.StatusCreated).decode(t, &saved)
	if saved.CreatedBy != "ana" {
		t.Errorf("created_by %q, want ana", saved.CreatedBy)
	}
	get(a.token, "/api/models/", "/api/models/", bob, http.StatusOK)
	var r reopened
	get(a.token, comparisonRoute, comparisonTarget(saved.ID), bob, http.StatusOK).decode(t, &r)
	if len(r.runIDs()) != 2 {
		t.Errorf("bob reopens ana's comparison: runs %v", r.runIDs())
	}
	ans = a.callWith(t, a.token, http.MethodPatch, comparisonRoute, comparisonTarget(saved.ID), []byte(`{"notes":"bob was here"}`), "application/json", bob, true).
		want(t, "bob changes ana's comparison", http.StatusForbidden)
	if ans.err.Code != mlexp.EFORBIDDEN {
		t.Errorf("bob's change: code %q", ans.err.Code)
	}
	a.callWith(t, a.token, http.MethodDelete, comparisonRoute, comparisonTarget(saved.ID), nil, "", bob, true).
		want(t, "bob deletes ana's comparison", http.StatusForbidden)
	var changed mlexp.SavedComparison
	a.callWith(t, a.token, http.MethodPatch, comparisonRoute, comparisonTarget(saved.ID), []byte(`{"notes":"ana's notes"}`), "application/json", ana, true).
		must(t, "ana changes her comparison", http.StatusOK).decode(t, &changed)
	if changed.Notes != "ana's notes" || changed.CreatedBy != "ana" {
		t.Errorf("ana's change: %+v", changed)
	}

	// The browser: sign in with a token, then the session cookie is the user.
	form := url.Values{"token": {anaToken}, "next": {model}}
	ans = a.callWith(t, a.token, http.MethodPost, "/signin", "/signin", []byte(form.Encode()), "application/x-www-form-urlencoded", nil, true).
		must(t, "sign in", http.StatusSeeOther)
	if loc := ans.header.Get("Location"); loc != model {
		t.Errorf("sign in: Location %q, want %q", loc, model)
	}
	var session *http.Cookie
	for _, c := range (&http.Response{Header: ans.header}).Cookies() {
		if c.Name == "mlexp_session" {
			session = c
		}
	}
	if session == nil || session.Value == "" || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.MaxAge <= 0 {
		t.Fatalf("sign in: session cookie %v (Set-Cookie %q)", session, ans.header.Values("Set-Cookie"))
	}
	cookie := http.Header{"Cookie": {session.Name + "=" + session.Value}}
	home := get(a.token, "/", "/", cookie, http.StatusOK)
	if ct := home.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("home page with the cookie: Content-Type %q", ct)
	}
	get(a.token, "/models/{model_id}/", model, cookie, http.StatusOK)
	get(a.token, comparisonsRoute, comparisonsRoute+"?model_id="+url.QueryEscape(s.model), cookie, http.StatusOK)
	sameOrigin := http.Header{"Cookie": cookie["Cookie"], "Sec-Fetch-Site": {"same-origin"}}
	a.callWith(t, a.token, http.MethodPatch, comparisonRoute, comparisonTarget(saved.ID), []byte(`{"name":"ana's pick, renamed"}`), "application/json", sameOrigin, true).
		want(t, "change from mlexp's own page", http.StatusOK)
	a.callWith(t, a.token, http.MethodPost, "/signin", "/signin", []byte(url.Values{"token": {"not-a-token-of-anyone"}}.Encode()),
		"application/x-www-form-urlencoded", nil, true).want(t, "sign in with a bad token", http.StatusUnauthorized)

	// A browser's request from another site is refused, whoever is signed in.
	crossSite := http.Header{"Cookie": cookie["Cookie"], "Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://elsewhere.example"}}
	ans = a.callWith(t, a.token, http.MethodPost, comparisonsRoute, comparisonsRoute, saveBody, "application/json", crossSite, true).
		want(t, "cross-site save", http.StatusForbidden)
	if ans.err.Code != mlexp.EFORBIDDEN {
		t.Errorf("cross-site save: code %q", ans.err.Code)
	}
	a.callWith(t, a.token, http.MethodDelete, comparisonRoute, comparisonTarget(saved.ID), nil, "", crossSite, true).
		want(t, "cross-site delete", http.StatusForbidden)
	a.callWith(t, a.token, http.MethodPost, "/signout", "/signout", nil, "", crossSite, true).want(t, "cross-site sign-out", http.StatusForbidden)
	a.callWith(t, a.url, http.MethodPost, "/api/experiments/compare/", "/api/experiments/compare/",
		[]byte(`{"run_ids":["`+s.quick1+`","`+s.quick2+`"]}`), "application/json", http.Header{"Sec-Fetch-Site": {"cross-site"}}, true).
		want(t, "cross-site compare without auth", http.StatusForbidden)
	a.callWith(t, a.url, http.MethodPost, "/api/experiments/quick-tests/", "/api/experiments/quick-tests/",
		[]byte(`{}`), "application/json", http.Header{"Origin": {"https://elsewhere.example"}}, false).
		want(t, "quick test from another origin", http.StatusForbidden)
	get(a.token, comparisonRoute, comparisonTarget(saved.ID), ana, http.StatusOK) // still there

	// Sign out: the cookie is cleared.
	ans = a.callWith(t, a.token, http.MethodPost, "/signout", "/signout", nil, "", cookie, true).must(t, "sign out", http.StatusSeeOther)
	if loc := ans.header.Get("Location"); loc != "/signin" {
		t.Errorf("sign out: Location %q", loc)
	}
	cleared := false
	for _, c := range (&http.Response{Header: ans.header}).Cookies() {
		cleared = cleared || c.Name == "mlexp_session" && c.Value == "" && c.MaxAge < 0
	}
	if !cleared {
		t.Errorf("sign out: Set-Cookie %q does not clear the session", ans.header.Values("Set-Cookie"))
	}

	a.callWith(t, a.token, http.MethodDelete, comparisonRoute, comparisonTarget(saved.ID), nil, "", ana, true).
		want(t, "ana deletes her comparison", http.StatusOK)

	// The pages of saved comparisons need a user too.
	get(a.token, "/comparisons/{id}/", "/comparisons/"+saved.ID+"/", nil, http.StatusSeeOther)
	a.callWith(t, a.token, http.MethodPost, "/comparisons/", "/comparisons/",
		[]byte(url.Values{"name": {"n"}, "model_id": {s.model}, "run_ids": {s.quick1 + "," + s.quick2}}.Encode()),
		"application/x-www-form-urlencoded", nil, true).want(t, "save by form without a user", http.StatusUnauthorized)

	// Without auth there is nothing to sign in to.
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		var b []byte
		if method == http.MethodPost {
			b = []byte(url.Values{"token": {anaToken}}.Encode())
		}
		ans := a.callWith(t, a.url, method, "/signin", "/signin", b, "application/x-www-form-urlencoded", nil, true).want(t, method+" /signin without auth", http.StatusSeeOther)
		if loc := ans.header.Get("Location"); loc != "/" {
			t.Errorf("%s /signin without auth: Location %q", method, loc)
		}
		if len(ans.header.Values("Set-Cookie")) != 0 {
			t.Errorf("%s /signin without auth sets a cookie", method)
		}
	}

	// Proxy auth: the user is in the proxy's header; IAP's prefix is dropped.
	ans = get(a.proxy, comparisonsRoute, comparisonsRoute, nil, http.StatusUnauthorized)
	if wa := ans.header.Get("WWW-Authenticate"); wa != "" {
		t.Errorf("proxy auth: WWW-Authenticate %q", wa)
	}
	iap := http.Header{"X-Forwarded-User": {"accounts.google.com:carol@example.com"}}
	a.callWith(t, a.proxy, http.MethodPost, comparisonsRoute, comparisonsRoute, saveBody, "application/json", iap, true).
		must(t, "save behind the proxy", http.StatusCreated).decode(t, &saved)
	if saved.CreatedBy != "carol@example.com" {
		t.Errorf("created_by %q behind the proxy, want carol@example.com", saved.CreatedBy)
	}
	a.callWith(t, a.proxy, http.MethodDelete, comparisonRoute, comparisonTarget(saved.ID), nil, "", http.Header{"X-Forwarded-User": {"dan@example.com"}}, true).
		want(t, "another user behind the proxy deletes it", http.StatusForbidden)
	a.callWith(t, a.proxy, http.MethodDelete, comparisonRoute, comparisonTarget(saved.ID), nil, "", iap, true).
		want(t, "its creator behind the proxy deletes it", http.StatusOK)
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

// TestCheckFindsUndefinedSecuritySchemes checks that Check reports a security requirement
// naming no defined scheme, and a scheme lacking its fixed fields.
func TestCheckFindsUndefinedSecuritySchemes(t *testing.T) {
	doc := []byte(`{"openapi":"3.1.0","info":{"title":"t","version":"1"},
		"security":[{"bearerAuth":[]},{}],
		"components":{"securitySchemes":{"bearerAuth":{"type":"http","scheme":"bearer"},"keyAuth":{"type":"apiKey","in":"header"}}},
		"paths":{"/x":{"get":{"operationId":"x","security":[{"nope":[]}],"responses":{"200":{"description":"ok"}}}}}}`)
	d, err := apitest.Load(doc)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, err := range d.Check() {
		msgs = append(msgs, err.Error())
	}
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, `"nope"`) || !strings.Contains(all, "keyAuth") || len(msgs) != 2 {
		t.Errorf("Check found:\n%s\nwant the undefined scheme nope and the apiKey scheme without a name", all)
	}
}
