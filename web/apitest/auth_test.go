package apitest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/jsonedit"
	"github.com/mlexp-dev/mlexp/web/apitest"
)

// The users of the token-auth server (tokens of at least 16 characters).
const (
	anaToken = "ana-apitest-token-0001"
	bobToken = "bob-apitest-token-0002"
)

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
