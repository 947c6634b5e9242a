package browsertest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCompareSelected selects two runs on the runs page and compares them.
func TestCompareSelected(t *testing.T) {
	tb := newTab(t, 1280, 900)
	tb.open(runsPath(w.Dataset))
	a, b := w.Quick[bestQuick()], w.Full[w.Set.Deployed]
	for _, id := range []string{a, b} {
		if err := chromedp.Do(tb.ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`table.runs input[type=checkbox][value=%q]`, id)))); err != nil {
			t.Fatalf("selecting run %s: %v", id, err)
		}
	}
	button := `button[data-compare-count]`
	if got := tb.text(button); got != "Compare Selected (2)" {
		t.Errorf("the button says %q, want Compare Selected (2)", got)
	}
	tb.navigates("pressing Compare Selected", chromedp.Click(chromedp.CSS(button)))
	if loc := tb.location(); !strings.HasPrefix(loc, "/compare/?") || !strings.Contains(loc, a) || !strings.Contains(loc, b) {
		t.Errorf("Compare Selected opened %s", loc)
	}
	qa, fb := w.Set.QuickTests[bestQuick()], w.Set.TrainingRuns[w.Set.Deployed]
	tb.mustSee("main", "Compare Experiments", quickName(qa), fullName(fb), "Metrics Comparison")
	rows := eval[[]string](tb, `[...document.querySelectorAll("main table:not(.config-diff) tbody tr th")].map(th => th.innerText)`)
	for _, want := range []string{"Recall@100", "Recall@50", "Recall@10", "Loss"} {
		if !slices.Contains(rows, want) {
			t.Errorf("the metrics table has no row %s: %q", want, rows)
		}
	}
	if n := tb.count("main table:not(.config-diff) thead th"); n != 3 {
		t.Errorf("the metrics table has %d header cells, want Metric and one per run (3)", n)
	}
}

// TestSaveComparison saves the comparison on the compare page under a name and lands on the
// saved comparison.
func TestSaveComparison(t *testing.T) {
	tb := newTab(t, 1280, 900)
	ids := []string{w.Full[w.Set.Deployed], w.Full[bestFull()], w.Quick[bestQuick()]}
	if ids[0] == ids[1] {
		ids = slices.Delete(ids, 1, 2)
	}
	tb.open(comparePath(ids...))
	name := "Deployed vs best " + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := chromedp.Do(tb.ctx,
		chromedp.Click(chromedp.CSS("details.save-comparison > summary")),
		chromedp.WaitVisible(chromedp.CSS(`details.save-comparison input[name=name]`)),
		chromedp.Clear(chromedp.CSS(`details.save-comparison input[name=name]`)),
		chromedp.SendKeys(chromedp.CSS(`details.save-comparison input[name=name]`), name),
		chromedp.SendKeys(chromedp.CSS(`details.save-comparison textarea[name=notes]`), "picked in the browser test"),
	); err != nil {
		t.Fatalf("filling the Save comparison form: %v", err)
	}
	tb.navigates("saving the comparison", chromedp.Click(chromedp.CSS(`details.save-comparison button[type=submit]`)))
	loc := tb.location()
	if !strings.HasPrefix(loc, "/comparisons/") || !strings.HasSuffix(loc, "/") || len(loc) <= len("/comparisons//") {
		t.Fatalf("saving went to %s, want /comparisons/{id}/", loc)
	}
	tb.mustSee("main", "Saved comparison: "+name, "picked in the browser test", "Metrics Comparison", fullName(w.Set.TrainingRuns[w.Set.Deployed]))
	if n := tb.count(".compare-runs .card"); n != len(ids) {
		t.Errorf("the saved comparison shows %d runs, want %d", n, len(ids))
	}
	// It opens again by its address.
	tb.open(loc)
	tb.mustSee("main", "Saved comparison: "+name)
}
