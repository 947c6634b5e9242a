package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp/sqlstore"
)

// newTestStore opens a SQLite store of its own for the test.
func newTestStore(t *testing.T) *sqlstore.DB {
	t.Helper()
	store, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "mlexp.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// sessionTokensFile is the tokens file of sessionServer.
const sessionTokensFile = "ana " + anaToken + "\nbob " + bobToken + "\n"

// sessionServer is a token-auth server of ana and bob with a real store of comparisons.
func sessionServer(t *testing.T, change ...func(*Deps)) http.Handler {
	t.Helper()
	auth, err := TokenAuth(strings.NewReader(sessionTokensFile))
	if err != nil {
		t.Fatal(err)
	}
	deps := Deps{Auth: auth, Comparisons: newTestStore(t)}
	for _, f := range change {
		f(&deps)
	}
	return NewServer(deps)
}

// containsAny says whether s contains any of subs.
func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// Issue 16: the bearer scheme was matched case-sensitively; RFC 7235 makes it
// case-insensitive.
func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	h := authServer(t)
	for _, scheme := range []string{"Bearer", "bearer", "BEARER", "bEaReR"} {
		w := send(h, "GET", "/api/experiments/comparisons/", "", "", "Authorization", scheme+" "+anaToken)
		if w.Code != http.StatusOK {
			t.Errorf("Authorization: %s TOKEN: %d %s", scheme, w.Code, w.Body)
		}
	}
	for _, bad := range []string{"Basic " + anaToken, "Bearer", "Bearer" + anaToken, anaToken} {
		w := send(h, "GET", "/api/experiments/comparisons/", "", "", "Authorization", bad)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("Authorization: %q: %d, want 401", bad, w.Code)
		}
	}
}

// proxyServer is a proxy-auth server with a real store of comparisons.
func proxyServer(t *testing.T, header string) http.Handler {
	t.Helper()
	proxy, err := ProxyAuth(header)
	if err != nil {
		t.Fatal(err)
	}
	return NewServer(Deps{Auth: proxy, Comparisons: newTestStore(t)})
}

// Issue 16: with repeated identity headers, proxy mode took the first; a client that can add
// a header the proxy appends to, or a second proxy, chose the user.
func TestProxyRefusesARepeatedIdentityHeader(t *testing.T) {
	h := proxyServer(t, "X-Forwarded-User")
	r := httptest.NewRequest("POST", "/api/experiments/comparisons/", strings.NewReader(comparisonBody))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Add("X-Forwarded-User", "mallory@example.com")
	r.Header.Add("X-Forwarded-User", "ana@example.com")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized && w.Code != http.StatusBadRequest {
		t.Errorf("two identity headers: %d %s, want 401 or 400", w.Code, w.Body)
	}
}

// Issue 16: proxy mode stripped any "prefix:" from the identity, so that "evil:ana@…"
// became ana. Only IAP's accounts.google.com: is stripped.
func TestProxyStripsOnlyTheIAPPrefix(t *testing.T) {
	h := proxyServer(t, "X-Goog-Authenticated-User-Email")
	for _, tc := range []struct{ header, user string }{
		{"accounts.google.com:ana@example.com", "ana@example.com"},
		{"ana@example.com", "ana@example.com"},
		{"evil.example:ana@example.com", "evil.example:ana@example.com"},
		{"securetoken.google.com/p:ana@example.com", "securetoken.google.com/p:ana@example.com"},
	} {
		w := send(h, "POST", "/api/experiments/comparisons/", comparisonBody, "", "X-Goog-Authenticated-User-Email", tc.header)
		if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"created_by":"`+tc.user+`"`) {
			t.Errorf("identity %q: %d %s, want created by %q", tc.header, w.Code, w.Body, tc.user)
		}
	}
}
