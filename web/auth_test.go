package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp/sqlstore"
)

const (
	anaToken = "ana-secret-token-0001"
	bobToken = "bob-secret-token-0002"
)

// authServer is a server with token auth and a real SQLite store of saved comparisons.
func authServer(t *testing.T) http.Handler {
	t.Helper()
	sum := sha256.Sum256([]byte(bobToken))
	auth, err := TokenAuth(strings.NewReader("# users\nana " + anaToken + "\nbob sha256:" + hex.EncodeToString(sum[:]) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "mlexp.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return NewServer(Deps{Auth: auth, Comparisons: store})
}

func send(h http.Handler, method, path, body, token string, headers ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

const comparisonBody = `{"name":"042 vs deployed","model_id":"model-7","run_ids":["run-a","run-b"],"notes":"n"}`

func TestTokenAuthOnTheAPI(t *testing.T) {
	h := authServer(t)
	if w := send(h, "GET", "/api/experiments/comparisons/", "", ""); w.Code != http.StatusUnauthorized || !strings.Contains(w.Header().Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no token: %d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	if w := send(h, "GET", "/api/experiments/comparisons/", "", "wrong-token-000000000"); w.Code != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", w.Code)
	}
	for _, tok := range []string{anaToken, bobToken} { // a plain and a hashed entry
		if w := send(h, "GET", "/api/experiments/comparisons/", "", tok); w.Code != http.StatusOK {
			t.Errorf("token %s…: %d %s", tok[:3], w.Code, w.Body)
		}
	}
	for _, public := range []string{"/healthz", "/api/openapi.json", "/signin"} {
		if w := send(h, "GET", public, "", ""); w.Code != http.StatusOK {
			t.Errorf("public %s without a token: %d", public, w.Code)
		}
	}
}

func TestOnlyTheCreatorChangesAComparison(t *testing.T) {
	h := authServer(t)
	w := send(h, "POST", "/api/experiments/comparisons/", comparisonBody, anaToken)
	a := MustDecode(t, w)
	if w.Code != http.StatusCreated || !strings.Contains(string(a.Data), `"created_by":"ana"`) {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(w.Header().Get("Location"), "/api/experiments/comparisons/"), "/")
	path := "/api/experiments/comparisons/" + id + "/"
	if w := send(h, "PATCH", path, `{"notes":"mine now"}`, bobToken); w.Code != http.StatusForbidden {
		t.Errorf("bob patches ana's: %d %s", w.Code, w.Body)
	}
	if w := send(h, "DELETE", path, "", bobToken); w.Code != http.StatusForbidden {
		t.Errorf("bob deletes ana's: %d", w.Code)
	}
	if w := send(h, "PATCH", path, `{"notes":"reviewed"}`, anaToken); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "reviewed") {
		t.Errorf("ana patches hers: %d %s", w.Code, w.Body)
	}
	if w := send(h, "PATCH", path, `{"colour":"red"}`, anaToken); w.Code != http.StatusBadRequest {
		t.Errorf("unknown field: %d", w.Code)
	}
	if w := send(h, "DELETE", path, "", anaToken); w.Code != http.StatusOK {
		t.Errorf("ana deletes hers: %d", w.Code)
	}
}

func TestBrowserSignIn(t *testing.T) {
	h := authServer(t)
	w := send(h, "GET", "/compare/?run_ids=a,b", "", "")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/signin?next=%2Fcompare%2F%3Frun_ids%3Da%2Cb" {
		t.Fatalf("a page without a session: %d to %q", w.Code, w.Header().Get("Location"))
	}
	form := "token=" + anaToken + "&next=/compare/?run_ids=a,b"
	w = send(h, "POST", "/signin", form, "", "Content-Type", "application/x-www-form-urlencoded")
	cookie := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || len(cookie) != 1 || !cookie[0].HttpOnly || cookie[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("sign in: %d cookies %+v", w.Code, cookie)
	}
	if loc := w.Header().Get("Location"); loc != "/compare/?run_ids=a,b" {
		t.Errorf("after sign-in, redirected to %q", loc)
	}
	r := httptest.NewRequest("GET", "/api/experiments/comparisons/", nil)
	r.AddCookie(cookie[0])
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		t.Errorf("API with the session cookie: %d", rec.Code)
	}
	// A tampered cookie is nobody.
	r = httptest.NewRequest("GET", "/api/experiments/comparisons/", nil)
	r.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie[0].Value[:len(cookie[0].Value)-2] + "xx"})
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("tampered cookie: %d", rec.Code)
	}
	if w := send(h, "POST", "/signin", "token=nope&next=//evil.example", "", "Content-Type", "application/x-www-form-urlencoded"); w.Code != http.StatusUnauthorized {
		t.Errorf("bad token sign-in: %d", w.Code)
	}
	if got := safeNext("//evil.example/x"); got != "/" {
		t.Errorf("open redirect: %q", got)
	}
}

// A session lasts while the tokens file gives its user the token it was signed in with.
func TestSessionsFollowTheTokensFile(t *testing.T) {
	store := newTestStore(t)
	serve := func(file string) http.Handler {
		auth, err := TokenAuth(strings.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		return NewServer(Deps{Auth: auth, Comparisons: store, Sessions: store})
	}
	c := signInCookie(t, serve("ana "+anaToken+"\nbob "+bobToken), anaToken)
	for file, want := range map[string]int{
		"ana " + anaToken + "\nbob " + bobToken:          http.StatusOK,
		"bob " + bobToken + "\nana " + anaToken + "\n#x": http.StatusOK,
		"bob " + bobToken: http.StatusUnauthorized, // ana removed
		"ana " + bobToken + "-new\nbob " + bobToken: http.StatusUnauthorized, // ana's token changed
		"carol " + anaToken:                         http.StatusUnauthorized, // the token is another's
	} {
		if w := withCookie(serve(file), "GET", "/api/experiments/comparisons/", "", c.Value); w.Code != want {
			t.Errorf("tokens file %q: %d, want %d", file, w.Code, want)
		}
	}
	for _, bad := range []string{"", "ana short", "ana tok en x", "ana sha256:zz"} {
		if _, err := TokenAuth(strings.NewReader(bad)); err == nil {
			t.Errorf("tokens file %q accepted", bad)
		}
	}
}

func TestProxyAndNoAuth(t *testing.T) {
	store, _ := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "mlexp.db"))
	defer store.Close()
	proxy, _ := ProxyAuth("X-Goog-Authenticated-User-Email")
	h := NewServer(Deps{Auth: proxy, Comparisons: store})
	if w := send(h, "POST", "/api/experiments/comparisons/", comparisonBody, ""); w.Code != http.StatusUnauthorized {
		t.Errorf("proxy mode without the header: %d", w.Code)
	}
	w := send(h, "POST", "/api/experiments/comparisons/", comparisonBody, "", "X-Goog-Authenticated-User-Email", "accounts.google.com:ana@example.com")
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"created_by":"ana@example.com"`) {
		t.Errorf("proxy identity: %d %s", w.Code, w.Body)
	}
	open := NewServer(Deps{Comparisons: store})
	if w := send(open, "POST", "/api/experiments/comparisons/", comparisonBody, ""); w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"created_by":"local"`) {
		t.Errorf("no auth: %d %s", w.Code, w.Body)
	}
}

func TestCrossOriginWritesAreRefused(t *testing.T) {
	store, _ := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "mlexp.db"))
	defer store.Close()
	h := NewServer(Deps{Comparisons: store})
	if w := send(h, "POST", "/api/experiments/comparisons/", comparisonBody, "", "Sec-Fetch-Site", "cross-site"); w.Code != http.StatusForbidden {
		t.Errorf("cross-site POST: %d", w.Code)
	}
	if w := send(h, "POST", "/api/experiments/comparisons/", comparisonBody, "", "Origin", "https://evil.example"); w.Code != http.StatusForbidden {
		t.Errorf("POST from another origin: %d", w.Code)
	}
	if w := send(h, "POST", "/api/experiments/comparisons/", comparisonBody, "", "Sec-Fetch-Site", "same-origin"); w.Code != http.StatusCreated {
		t.Errorf("same-origin POST: %d %s", w.Code, w.Body)
	}
	if w := send(h, "GET", "/api/experiments/comparisons/", "", "", "Sec-Fetch-Site", "cross-site"); w.Code != http.StatusOK {
		t.Errorf("cross-site GET (safe): %d", w.Code)
	}
}

func TestProxyModeWithoutIdentityDoesNotLoop(t *testing.T) {
	proxy, _ := ProxyAuth("X-Forwarded-User")
	h := NewServer(Deps{Auth: proxy})
	w := send(h, "GET", "/", "", "")
	if w.Code != http.StatusUnauthorized {
		t.Errorf("a page without the proxy's header: %d (Location %q), want 401", w.Code, w.Header().Get("Location"))
	}
}

func TestCreateRefusesServerSetFields(t *testing.T) {
	store, _ := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "mlexp.db"))
	defer store.Close()
	h := NewServer(Deps{Comparisons: store})
	body := strings.Replace(comparisonBody, `"notes":"n"`, `"notes":"n","created_by":"mallory"`, 1)
	if w := send(h, "POST", "/api/experiments/comparisons/", body, ""); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "created_by") {
		t.Errorf("a body setting created_by: %d %s", w.Code, w.Body)
	}
}
