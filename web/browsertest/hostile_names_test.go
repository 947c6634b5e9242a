package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestHostileNames shows a config named like an HTML tag as text on every page that names
// it, and no script of it runs (the dialog guard counts any alert).
func TestHostileNames(t *testing.T) {
	tb := newTab(t, 1280, 900)
	// The images an unescaped name would add, with their onerror.
	noImages := func(page string) {
		t.Helper()
		if n := tb.count(`img[src="x"], img[onerror]`); n > 0 {
			t.Errorf("%s: %d <img> elements of the hostile name in the document", page, n)
		}
		tb.noScriptRan(page)
	}
	runName := fmt.Sprintf("%s Quick Test #%d", xssName, w.Set.QuickTests[0].QuickTest.ID)

	tb.open(runsPath(hostileDataset))
	tb.mustSee("table.runs", runName)
	noImages("runs page")

	dash := "/models/" + w.Model.ID + "/?dataset_id=" + hostileDataset.ID
	tb.open(dash)
	tb.mustSee("main", xssName)
	noImages("dashboard")

	tb.open(comparePath(w.XSS, w.Plain))
	tb.mustSee("main", runName, "Compare Experiments")
	if got := tb.text(".compare-runs"); !strings.Contains(got, runName) {
		t.Errorf("the run cards of the comparison do not show %q: %q", runName, got)
	}
	noImages("compare page")

	tb.open(runPath(w.XSS))
	if h1 := tb.text("h1"); h1 != runName {
		t.Errorf("the run page's h1 is %q, want %q", h1, runName)
	}
	if title := eval[string](tb, `document.title`); !strings.Contains(title, xssName) {
		t.Errorf("the run page's title %q does not show the name", title)
	}
	noImages("run page")
	// Give an onerror that slipped through a moment to fire.
	time.Sleep(200 * time.Millisecond)
	tb.noScriptRan("run page, later")
}
