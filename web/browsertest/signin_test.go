package browsertest

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/web"
)

// signinProbeToken is the token of the sign-in server of these tests.
const signinProbeToken = "ana-browsertest-token-0001"

// signinProbeServer serves token auth on a test server of its own and returns its URL.
func signinProbeServer(t *testing.T) string {
	t.Helper()
	auth, err := web.TokenAuth(strings.NewReader("ana " + signinProbeToken))
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "mlexp.db"))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(web.NewServer(web.Deps{Auth: auth, Comparisons: store, Sessions: store}))
	t.Cleanup(func() { ts.Close(); store.Close() })
	return ts.URL
}

// Issue 16: with next=/%09/evil.example, Chromium went to evil.example after signing in: it
// drops the tab from the Location and reads //evil.example. The browser must stay on mlexp.
func TestSignInRedirectInChromium(t *testing.T) {
	base := signinProbeServer(t)
	for _, next := range []string{"/%09/evil.example", "/%0A/evil.example", "/%5Cevil.example", "/%09%09/evil.example/x"} {
		t.Run(next, func(t *testing.T) {
			tabCtx, cancel := chromedp.NewContext(w.browser)
			defer cancel()
			ctx, cancelTimeout := context.WithTimeout(tabCtx, 45*time.Second)
			defer cancelTimeout()
			err := chromedp.Do(ctx,
				chromedp.Navigate(base+"/signin?next="+next),
				chromedp.WaitVisible(chromedp.CSS(`#token`)),
				chromedp.SendKeys(chromedp.CSS(`#token`), signinProbeToken),
				chromedp.Submit(chromedp.CSS(`#token`)),
			)
			if err != nil {
				t.Fatalf("signing in with next=%s: %v", next, err)
			}
			loc := signinProbeLeftSignIn(ctx, t)
			if !strings.HasPrefix(loc, base+"/") {
				t.Errorf("next=%s: after sign-in the browser is at %s, off mlexp (%s)", next, loc, base)
			}
		})
	}
}

// signinProbeLeftSignIn waits until the tab has left the sign-in page and returns where it
// is: an error page of Chromium when it went off to a site it cannot reach.
func signinProbeLeftSignIn(ctx context.Context, t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err == nil && !strings.Contains(loc, "/signin") && loc != "about:blank" {
			return loc
		}
		if time.Now().After(deadline) {
			t.Fatalf("still at %s (%v) 20s after submitting the sign-in form", loc, err)
		}
		time.Sleep(50 * time.Millisecond) // polling interval, not an assertion
	}
}
