package web

import (
	"net/http"
	"net/url"
	"testing"
)

// Issue 16: next=/%09/evil.com after sign-in led off-site in Chromium, which drops tabs and
// newlines from URLs and so read //evil.com. Only clean paths of this site are followed.
func TestSignInRedirectStaysOnThisSite(t *testing.T) {
	h := authServer(t)
	for _, tc := range []struct{ next, want string }{
		{"/compare/?run_ids=a,b", "/compare/?run_ids=a,b"},
		{"/models/model-7/runs/?sort=ndcg_at_10", "/models/model-7/runs/?sort=ndcg_at_10"},
		{"/models/a%2Fb/", "/models/a%2Fb/"},
		{"/", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r/evil.example", "/"},
		{"/ /evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\/evil.example", "/"},
		{"/x\\y", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"", "/"},
		{"/\u2028/evil.example", "/"},
		{"/\u00a0/evil.example", "/"},
	} {
		form := url.Values{"token": {anaToken}, "next": {tc.next}}.Encode()
		w := send(h, "POST", "/signin", form, "", "Content-Type", "application/x-www-form-urlencoded")
		if w.Code != http.StatusSeeOther {
			t.Errorf("next=%q: sign in answered %d", tc.next, w.Code)
			continue
		}
		if loc := w.Header().Get("Location"); loc != tc.want {
			t.Errorf("next=%q: redirected to %q, want %q", tc.next, loc, tc.want)
		}
		if got := safeNext(tc.next); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
}

// The sign-in form carries next only when it is safe.
func TestSignInFormDropsAnUnsafeNext(t *testing.T) {
	h := authServer(t)
	w := send(h, "GET", "/signin?next=/%09/evil.example", "", "")
	if w.Code != http.StatusOK {
		t.Fatalf("sign-in form: %d", w.Code)
	}
	if body := w.Body.String(); containsAny(body, "evil.example") {
		t.Errorf("the sign-in form keeps the unsafe next:\n%s", body)
	}
}
