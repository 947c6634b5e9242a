package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// forgeSessionFromTokensFile makes a session cookie for user the way mlexp made them before
// issue 16: signed with a key derived from the tokens file alone, which anyone who can read
// the file (or a copy of it) can compute.
func forgeSessionFromTokensFile(file, user string, expires time.Time) string {
	mac := sha256.New()
	mac.Write([]byte("mlexp session key\n"))
	for _, line := range strings.Split(file, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		sum := sha256.Sum256([]byte(f[1]))
		if h, ok := strings.CutPrefix(f[1], "sha256:"); ok {
			b, _ := hex.DecodeString(h)
			copy(sum[:], b)
		}
		mac.Write([]byte(f[0]))
		mac.Write(sum[:])
	}
	payload := url.QueryEscape(user) + "|" + strconv.FormatInt(expires.Unix(), 10)
	m := hmac.New(sha256.New, mac.Sum(nil))
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload + "|" + hex.EncodeToString(m.Sum(nil))))
}

// signInCookie signs user's token in at /signin and returns the session cookie.
func signInCookie(t *testing.T, h http.Handler, token string) *http.Cookie {
	t.Helper()
	w := send(h, "POST", "/signin", "token="+token+"&next=/", "", "Content-Type", "application/x-www-form-urlencoded")
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c
		}
	}
	t.Fatalf("sign in: %d, no session cookie in %q", w.Code, w.Header().Values("Set-Cookie"))
	return nil
}

// withCookie sends a request carrying cookie value v.
func withCookie(h http.Handler, method, path, body, v string) *httptest.ResponseRecorder {
	return send(h, method, path, body, "", "Cookie", sessionCookie+"="+v, "Sec-Fetch-Site", "same-origin")
}

// Issue 16: session cookies could be forged from the tokens file alone, for a user absent
// from the file and for another user, whose saved comparison it could then change.
func TestSessionCookieCannotBeForgedFromTheTokensFile(t *testing.T) {
	h := sessionServer(t)
	exp := time.Now().Add(time.Hour)
	if w := withCookie(h, "GET", "/api/experiments/comparisons/", "", forgeSessionFromTokensFile(sessionTokensFile, "mallory", exp)); w.Code != http.StatusUnauthorized {
		t.Errorf("forged cookie of a user absent from the file: %d, want 401", w.Code)
	}
	w := send(h, "POST", "/api/experiments/comparisons/", comparisonBody, bobToken)
	if w.Code != http.StatusCreated {
		t.Fatalf("bob saves: %d %s", w.Code, w.Body)
	}
	path := w.Header().Get("Location")
	forged := forgeSessionFromTokensFile(sessionTokensFile, "bob", exp)
	if w := withCookie(h, "PATCH", path, `{"notes":"changed by ana as bob"}`, forged); w.Code != http.StatusUnauthorized {
		t.Errorf("forged cookie of bob changes bob's comparison: %d %s, want 401", w.Code, w.Body)
	}
	if w := send(h, "GET", path, "", bobToken); strings.Contains(w.Body.String(), "changed by ana") {
		t.Errorf("bob's comparison was changed through a forged cookie: %s", w.Body)
	}
}

// Issue 16: signing out only cleared the cookie in the browser; a copy of it stayed valid.
func TestSignOutRevokesTheSession(t *testing.T) {
	h := sessionServer(t)
	c := signInCookie(t, h, anaToken)
	if w := withCookie(h, "GET", "/api/experiments/comparisons/", "", c.Value); w.Code != http.StatusOK {
		t.Fatalf("signed in: %d %s", w.Code, w.Body)
	}
	if w := withCookie(h, "POST", "/signout", "", c.Value); w.Code != http.StatusSeeOther {
		t.Fatalf("sign out: %d", w.Code)
	}
	if w := withCookie(h, "GET", "/api/experiments/comparisons/", "", c.Value); w.Code != http.StatusUnauthorized {
		t.Errorf("the cookie of a session signed out: %d, want 401", w.Code)
	}
}

// A session ends after its lifetime, whatever the cookie says.
func TestSessionLifetimeIsCapped(t *testing.T) {
	now := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	h := sessionServer(t, func(d *Deps) { d.Now = func() time.Time { return now } })
	c := signInCookie(t, h, anaToken)
	if c.MaxAge <= 0 || c.MaxAge > int(sessionLifetime.Seconds()) || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie %+v", c)
	}
	now = now.Add(sessionLifetime - time.Minute)
	if w := withCookie(h, "GET", "/api/experiments/comparisons/", "", c.Value); w.Code != http.StatusOK {
		t.Errorf("before the end of the session: %d", w.Code)
	}
	now = now.Add(2 * time.Minute)
	if w := withCookie(h, "GET", "/api/experiments/comparisons/", "", c.Value); w.Code != http.StatusUnauthorized {
		t.Errorf("after the end of the session: %d, want 401", w.Code)
	}
}

// Replicas on one database share sessions: a session signed in on one is known to the
// other, and signing out on either ends it on both.
func TestSessionsAreSharedByReplicas(t *testing.T) {
	store := newTestStore(t)
	shared := func(d *Deps) { d.Comparisons, d.Sessions = store, store }
	a, b := sessionServer(t, shared), sessionServer(t, shared)
	c := signInCookie(t, a, anaToken)
	if w := withCookie(b, "GET", "/api/experiments/comparisons/", "", c.Value); w.Code != http.StatusOK {
		t.Fatalf("the other replica: %d", w.Code)
	}
	if w := withCookie(b, "POST", "/signout", "", c.Value); w.Code != http.StatusSeeOther {
		t.Fatalf("sign out on the other replica: %d", w.Code)
	}
	if w := withCookie(a, "GET", "/api/experiments/comparisons/", "", c.Value); w.Code != http.StatusUnauthorized {
		t.Errorf("signed out on one replica, the other still accepts the cookie: %d", w.Code)
	}
}

// A secret given by the operator signs the cookies: a server with another secret refuses
// them, even on the same database.
func TestSessionSecretGiven(t *testing.T) {
	store := newTestStore(t)
	with := func(secret string) func(*Deps) {
		return func(d *Deps) { d.Comparisons, d.Sessions, d.SessionSecret = store, store, []byte(secret) }
	}
	a := sessionServer(t, with("a-secret-of-at-least-32-bytes-000"))
	c := signInCookie(t, a, anaToken)
	if w := withCookie(sessionServer(t, with("a-secret-of-at-least-32-bytes-000")), "GET", "/api/experiments/comparisons/", "", c.Value); w.Code != http.StatusOK {
		t.Errorf("same secret: %d", w.Code)
	}
	if w := withCookie(sessionServer(t, with("another-secret-of-32-bytes-or-more")), "GET", "/api/experiments/comparisons/", "", c.Value); w.Code != http.StatusUnauthorized {
		t.Errorf("another secret: %d, want 401", w.Code)
	}
	if w := withCookie(sessionServer(t, func(d *Deps) { d.Comparisons, d.Sessions = store, store }), "GET", "/api/experiments/comparisons/", "", c.Value); w.Code != http.StatusUnauthorized {
		t.Errorf("the database's secret: %d, want 401", w.Code)
	}
}

// brokenSessions is a session store whose database does not answer.
type brokenSessions struct{ *memorySessions }

func (brokenSessions) Session(context.Context, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("dial tcp 10.9.8.7:5432: connection refused")
}

func (brokenSessions) CreateSession(context.Context, string, string, string, time.Time, time.Time) error {
	return errors.New("dial tcp 10.9.8.7:5432: connection refused")
}

// When the database does not answer, a validly signed cookie is neither accepted nor taken
// for nobody's (503), and signing in says it cannot; nothing of the database shows.
func TestSessionsWithoutTheDatabase(t *testing.T) {
	broken := brokenSessions{newMemorySessions()}
	h := sessionServer(t, func(d *Deps) { d.Sessions = broken })
	w := send(h, "POST", "/signin", "token="+anaToken, "", "Content-Type", "application/x-www-form-urlencoded")
	if w.Code != http.StatusServiceUnavailable || len(w.Result().Cookies()) != 0 || strings.Contains(w.Body.String(), "10.9.8.7") {
		t.Errorf("sign in without the database: %d %q", w.Code, w.Header().Values("Set-Cookie"))
	}
	id := make([]byte, sessionIDBytes)
	cookie := base64.RawURLEncoding.EncodeToString(id) + "." + base64.RawURLEncoding.EncodeToString(mac(broken.secret, id))
	w = withCookie(h, "GET", "/api/experiments/comparisons/", "", cookie)
	if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "10.9.8.7") {
		t.Errorf("a cookie checked without the database: %d %s", w.Code, w.Body)
	}
}
