package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// guardJS runs before any script of every document a tab loads: a dialog (alert, confirm,
// prompt) only counts in window.__xss, so that a script smuggled into a page through a run
// name shows up as window.__xss > 0.
const guardJS = `window.__xss = 0;
for (const name of ["alert", "confirm", "prompt"]) {
  Object.defineProperty(window, name, {value: function () { window.__xss++; }, writable: false, configurable: false});
}`

// tab is one browser tab of a test. Everything the page reports — uncaught exceptions,
// console.error, errors of the browser log (failed loads, CSP violations), dialogs — fails
// the test when it ends.
type tab struct {
	t      *testing.T
	ctx    context.Context // the tab, with the test's time limit
	logAt  int             // the server log's length when the tab opened
	mu     sync.Mutex
	issues []string
}

// newTab opens a tab of width×height CSS pixels.
func newTab(t *testing.T, width, height int64) *tab {
	t.Helper()
	tabCtx, cancel := chromedp.NewContext(w.browser)
	t.Cleanup(cancel)
	tb := &tab{t: t, logAt: len(w.logs.String())}
	if err := chromedp.Listen(tabCtx, tb.listen); err != nil { // opens the tab
		t.Fatalf("opening a tab: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(tabCtx, 45*time.Second)
	t.Cleanup(cancelTimeout)
	tb.ctx = ctx
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: guardJS}); err != nil {
		t.Fatalf("adding the dialog guard: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatalf("setting the viewport: %v", err)
	}
	t.Cleanup(tb.finish) // before the tab closes (cleanups run last first)
	return tb
}

// listen runs in the tab's event loop: it must return fast and send no command.
func (tb *tab) listen(ev any) {
	var issue string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		issue = "uncaught exception: " + d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			issue += " " + d.Exception.Description
		}
		issue += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				var v any
				switch {
				case a.Description != "":
					args = append(args, a.Description)
				case json.Unmarshal(a.Value, &v) == nil:
					args = append(args, fmt.Sprint(v))
				default:
					args = append(args, string(a.Value))
				}
			}
			issue = "console." + string(ev.Type) + ": " + strings.Join(args, " ")
		}
	case *log.EventEntryAdded:
		if e := ev.Entry; e != nil && e.Level == log.EntryLevelError {
			issue = fmt.Sprintf("browser log (%s): %s %s", e.Source, e.Text, e.URL)
		}
	case *page.EventJavascriptDialogOpening:
		issue = fmt.Sprintf("a %s dialog opened: %q", ev.Type, ev.Message)
		go func() { // a dialog blocks the page until answered
			_, _ = chromedp.Call(tb.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}()
	}
	if issue != "" {
		tb.mu.Lock()
		tb.issues = append(tb.issues, issue)
		tb.mu.Unlock()
	}
}

// finish fails the test on what the pages reported, and shows the server's log of the
// test when it failed.
func (tb *tab) finish() {
	tb.mu.Lock()
	issues := tb.issues
	tb.mu.Unlock()
	if len(issues) > 0 {
		tb.t.Errorf("the browser reported %d problem(s):\n  %s", len(issues), strings.Join(issues, "\n  "))
	}
	if tb.t.Failed() {
		if logs := w.logs.String()[tb.logAt:]; logs != "" {
			tb.t.Logf("mlexp's log (warnings and errors) during the test:\n%s", logs)
		}
	}
}

// open loads path and checks that it is a page of mlexp that loaded with status 200 and
// ran no smuggled script.
func (tb *tab) open(path string) {
	tb.t.Helper()
	resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(w.URL+path))
	if err != nil {
		tb.t.Fatalf("opening %s: %v", path, err)
	}
	tb.loaded(path, resp)
}

// loaded checks the page a navigation ended on.
func (tb *tab) loaded(what string, resp *network.Response) {
	tb.t.Helper()
	if resp == nil {
		tb.t.Fatalf("%s: no response", what)
	}
	if resp.Status != 200 {
		tb.t.Fatalf("%s: status %d %s, want 200; the page says:\n%s", what, resp.Status, resp.StatusText, clip(tb.text("body")))
	}
	if ct := resp.MimeType; ct != "text/html" {
		tb.t.Fatalf("%s: content type %q, want text/html", what, ct)
	}
	tb.noScriptRan(what)
}

// noScriptRan checks the dialog guard: no alert, confirm or prompt was called.
func (tb *tab) noScriptRan(what string) {
	tb.t.Helper()
	if n := eval[int](tb, `window.__xss`); n != 0 {
		tb.t.Errorf("%s: a smuggled script ran: window.alert (or confirm, prompt) was called %d time(s)", what, n)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.t.Fatalf("evaluating %s: %v", clip(js), err)
	}
	return v
}

// text is the innerText of the first element matching the CSS selector: what a reader sees.
func (tb *tab) text(selector string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, selector))
}

// count counts the elements matching the CSS selector.
func (tb *tab) count(selector string) int {
	tb.t.Helper()
	return eval[int](tb, fmt.Sprintf(`document.querySelectorAll(%q).length`, selector))
}

// location is the page's URL without the server's address.
func (tb *tab) location() string {
	tb.t.Helper()
	loc, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil {
		tb.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, w.URL)
}

// navigates runs the actions, which must start a navigation (a click on a link, a form
// submitted), and checks the page it ends on.
func (tb *tab) navigates(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, steps...)
	if err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
	tb.loaded(what, resp)
}

// mustSee checks that the innerText of the element matching selector has every want. The
// case does not matter, since CSS may show a heading in capitals.
func (tb *tab) mustSee(selector string, want ...string) {
	tb.t.Helper()
	text := tb.text(selector)
	for _, s := range want {
		if !strings.Contains(text, s) && !strings.Contains(strings.ToLower(text), strings.ToLower(s)) {
			tb.t.Errorf("%s does not show %q; it shows:\n%s", selector, s, clip(text))
		}
	}
}

func clip(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "\n…"
	}
	return s
}

// TestTheGuardsWork makes sure that the checks of every tab see what they look for: a call
// of alert counts in window.__xss, and an uncaught exception and a console.error are
// reported.
func TestTheGuardsWork(t *testing.T) {
	tb := newTab(t, 1280, 900)
	tb.open("/")
	if n := eval[int](tb, `alert(1), confirm("x"), window.__xss`); n != 2 {
		t.Errorf("window.__xss is %d after alert and confirm, want 2", n)
	}
	eval[chromedp.Void](tb, `setTimeout(() => { throw new Error("guard check") }, 0), console.error("guard check")`)
	deadline := time.Now().Add(5 * time.Second)
	for {
		tb.mu.Lock()
		issues := strings.Join(tb.issues, "\n")
		tb.mu.Unlock()
		if strings.Contains(issues, "uncaught exception") && strings.Contains(issues, "console.error: guard check") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tab did not report the exception and the console.error; it has:\n%s", issues)
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.mu.Lock()
	tb.issues = nil // expected ones
	tb.mu.Unlock()
}
