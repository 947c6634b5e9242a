package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fromClient sends a request from remote (ip:port) with a bearer token.
func fromClient(h http.Handler, remote, token string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/api/experiments/comparisons/", nil)
	r.RemoteAddr = remote
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// guessUntilLimited sends wrong tokens from remote until one is answered 429, and returns
// that answer and how many guesses were answered 401 before it.
func guessUntilLimited(t *testing.T, h http.Handler, remote string) (*httptest.ResponseRecorder, int) {
	t.Helper()
	for i := range 500 {
		w := fromClient(h, remote, "guess-"+strconv.Itoa(i)+"-0000000000000")
		switch w.Code {
		case http.StatusTooManyRequests:
			return w, i
		case http.StatusUnauthorized:
		default:
			t.Fatalf("guess %d: %d %s", i, w.Code, w.Body)
		}
	}
	t.Fatalf("500 wrong tokens from %s, none answered 429", remote)
	return nil, 0
}

// Issue 16: guessing tokens was not rate-limited: 500 guesses took half a second.
func TestTokenGuessingIsRateLimited(t *testing.T) {
	now := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	h := sessionServer(t, func(d *Deps) { d.Now = func() time.Time { return now } })
	// Successful requests are never limited.
	for range 50 {
		if w := fromClient(h, "198.51.100.7:4000", anaToken); w.Code != http.StatusOK {
			t.Fatalf("a valid token: %d", w.Code)
		}
	}
	w, allowed := guessUntilLimited(t, h, "198.51.100.7:4000")
	if allowed < 3 || allowed > 20 {
		t.Errorf("%d wrong tokens answered 401 before the limit, want a few", allowed)
	}
	retry, err := strconv.Atoi(w.Header().Get("Retry-After"))
	if err != nil || retry < 1 {
		t.Errorf("429 with Retry-After %q, want seconds", w.Header().Get("Retry-After"))
	}
	if a := MustDecode(t, w); a.Status != "error" || a.Error.Code == "" {
		t.Errorf("429 answer %s", w.Body)
	}
	// Once limited, the client's tokens are not checked at all, so that a right guess cannot
	// be told from a wrong one; other clients are not affected.
	if w := fromClient(h, "198.51.100.7:4001", anaToken); w.Code != http.StatusTooManyRequests {
		t.Errorf("a valid token from the limited client: %d, want 429", w.Code)
	}
	if w := fromClient(h, "203.0.113.9:4000", anaToken); w.Code != http.StatusOK {
		t.Errorf("a valid token from another client: %d", w.Code)
	}
	now = now.Add(time.Duration(retry) * time.Second)
	if w := fromClient(h, "198.51.100.7:4000", anaToken); w.Code != http.StatusOK {
		t.Errorf("a valid token once Retry-After has passed: %d", w.Code)
	}
}

// The sign-in form counts failed attempts too.
func TestSignInGuessingIsRateLimited(t *testing.T) {
	h := sessionServer(t)
	for i := range 500 {
		form := url.Values{"token": {"guess-" + strconv.Itoa(i) + "-0000000000000"}}.Encode()
		w := send(h, "POST", "/signin", form, "", "Content-Type", "application/x-www-form-urlencoded")
		if w.Code == http.StatusTooManyRequests {
			if w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "Too many") {
				t.Errorf("429 without Retry-After or explanation: %q %s", w.Header().Get("Retry-After"), w.Body)
			}
			return
		}
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, w.Code)
		}
	}
	t.Error("500 wrong tokens at /signin, none answered 429")
}

// Clients of one IPv6 /64 are one client: such a network is one subscriber's.
func TestIPv6NetworkIsOneClient(t *testing.T) {
	h := sessionServer(t)
	guessUntilLimited(t, h, "[2001:db8:1:2::1]:4000")
	if w := fromClient(h, "[2001:db8:1:2:ffff::9]:4000", anaToken); w.Code != http.StatusTooManyRequests {
		t.Errorf("another address of the same /64: %d, want 429", w.Code)
	}
	if w := fromClient(h, "[2001:db8:1:3::1]:4000", anaToken); w.Code != http.StatusOK {
		t.Errorf("another /64: %d", w.Code)
	}
}
