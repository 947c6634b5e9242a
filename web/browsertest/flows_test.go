package browsertest

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSavedComparisonsListEditDelete saves a comparison, finds it from the dashboard's
// Saved comparisons link, opens it (name and notes at the top), edits its name and notes,
// and deletes it.
func TestSavedComparisonsListEditDelete(t *testing.T) {
	tb := newTab(t, 1280, 900)
	tb.open(comparePath(w.Full[w.Set.Deployed], w.Quick[bestQuick()]))
	if n := tb.count("a[data-saved-list]"); n != 1 {
		t.Errorf("the comparison page has %d links to the saved comparisons, want 1", n)
	}
	name := "List me " + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := chromedp.Do(tb.ctx,
		chromedp.Click(chromedp.CSS("details.save-comparison > summary")),
		chromedp.WaitVisible(chromedp.CSS(`details.save-comparison input[name=name]`)),
		chromedp.Clear(chromedp.CSS(`details.save-comparison input[name=name]`)),
		chromedp.SendKeys(chromedp.CSS(`details.save-comparison input[name=name]`), name),
		chromedp.SendKeys(chromedp.CSS(`details.save-comparison textarea[name=notes]`), "to be found"),
	); err != nil {
		t.Fatalf("filling the Save comparison form: %v", err)
	}
	tb.navigates("saving the comparison", chromedp.Click(chromedp.CSS(`details.save-comparison button[type=submit]`)))
	saved := tb.location()

	// The dashboard links to the list, which shows name, notes, owner and date.
	tb.open(dashboardPath())
	tb.navigates("following Saved comparisons", chromedp.Click(chromedp.CSS(`a[data-saved-list]`)))
	if loc := tb.location(); !strings.HasPrefix(loc, "/comparisons/?model_id=") {
		t.Errorf("the dashboard's link opened %s", loc)
	}
	row := fmt.Sprintf(`table.comparisons tr[data-comparison=%q]`, strings.Trim(strings.TrimPrefix(saved, "/comparisons/"), "/"))
	tb.mustSee(row, name, "to be found", w.Model.ID, "2 runs", "local", time.Now().UTC().Format("2006-01-02"))

	// The saved comparison shows its name and notes at the top, above the compared runs.
	tb.navigates("opening the saved comparison", chromedp.Click(chromedp.CSS(row+" td a")))
	tb.mustSee("section.saved", "Saved comparison: "+name, "to be found")
	if !eval[bool](tb, `!!(document.querySelector("section.saved").compareDocumentPosition(document.querySelector(".compare-runs")) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
		t.Error("the saved comparison's name and notes are not above the compared runs")
	}

	// Edit.
	if err := chromedp.Do(tb.ctx,
		chromedp.Click(chromedp.CSS("details.edit-comparison > summary")),
		chromedp.WaitVisible(chromedp.CSS(`details.edit-comparison input[name=name]`)),
		chromedp.Clear(chromedp.CSS(`details.edit-comparison input[name=name]`)),
		chromedp.SendKeys(chromedp.CSS(`details.edit-comparison input[name=name]`), name+" (renamed)"),
		chromedp.Clear(chromedp.CSS(`details.edit-comparison textarea[name=notes]`)),
		chromedp.SendKeys(chromedp.CSS(`details.edit-comparison textarea[name=notes]`), "edited in the browser"),
	); err != nil {
		t.Fatalf("filling the Edit form: %v", err)
	}
	tb.navigates("saving the changes", chromedp.Click(chromedp.CSS(`details.edit-comparison button[type=submit]`)))
	if loc := tb.location(); loc != saved {
		t.Errorf("editing went to %s, want %s", loc, saved)
	}
	tb.mustSee("section.saved", name+" (renamed)", "edited in the browser", "edited ")

	// Delete, after a second click.
	if n := tb.count(`details.delete-comparison button[data-delete]`); n != 1 {
		t.Fatalf("%d Delete buttons, want 1", n)
	}
	if eval[bool](tb, `document.querySelector("details.delete-comparison button[data-delete]").checkVisibility()`) {
		t.Error("the Delete button shows before Delete… is opened")
	}
	if err := chromedp.Do(tb.ctx, chromedp.Click(chromedp.CSS("details.delete-comparison > summary")),
		chromedp.WaitVisible(chromedp.CSS(`details.delete-comparison button[data-delete]`))); err != nil {
		t.Fatal(err)
	}
	tb.navigates("deleting", chromedp.Click(chromedp.CSS(`details.delete-comparison button[data-delete]`)))
	if loc := tb.location(); !strings.HasPrefix(loc, "/comparisons/?") {
		t.Errorf("deleting went to %s, want the list", loc)
	}
	tb.mustSee(".card.done", "Deleted", name+" (renamed)")
	if n := tb.count(row); n != 0 {
		t.Error("the deleted comparison is still listed")
	}
}

// TestParallelFilterThenSwitchMetric sets a Recall@100 range, which narrows the chart, the
// table and the CSV link, then switches the chart's metric to Loss, which drops that range
// instead of refusing it.
func TestParallelFilterThenSwitchMetric(t *testing.T) {
	tb := newTab(t, 1280, 900)
	tb.open(runsPath(w.Dataset))
	all := tb.count("table.runs tbody tr")
	lines := tb.count(".chart svg path.line")
	if err := chromedp.Do(tb.ctx,
		chromedp.Click(chromedp.CSS("details.panel:nth-of-type(2) > summary")),
		chromedp.WaitVisible(chromedp.CSS(`input[name="range.recall_at_100"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="range.recall_at_100"]`), "45%:"),
	); err != nil {
		t.Fatalf("filling the Recall@100 range: %v", err)
	}
	tb.navigates("applying the range", chromedp.Click(chromedp.CSS(`details.panel:nth-of-type(2) button[type=submit]`)))
	rows := tb.count("table.runs tbody tr")
	if rows == 0 || rows >= all {
		t.Fatalf("within Recall@100 ≥ 45%%: %d rows of %d", rows, all)
	}
	if n := tb.count(".chart svg path.line"); n != rows || n >= lines {
		t.Errorf("the chart draws %d lines and the table has %d rows; want as many, fewer than %d", n, rows, lines)
	}
	recalls := eval[[]string](tb, `[...document.querySelectorAll("table.runs tbody tr")].map(tr => tr.cells[3].innerText)`)
	for _, r := range recalls {
		if v, err := strconv.ParseFloat(strings.TrimSuffix(r, "%"), 64); err != nil || v < 45 {
			t.Errorf("a row of Recall@100 %q is outside the range", r)
		}
	}
	tb.mustSee(".pager", "within the ranges")
	csv := eval[string](tb, `document.querySelector("a[download]").getAttribute("href")`)
	if u, err := url.Parse(csv); err != nil || u.Query().Get("range.recall_at_100") == "" {
		t.Errorf("the CSV link %q leaves out the range", csv)
	}

	// Switch the metric to Loss: the Recall@100 range no longer applies.
	if err := chromedp.Do(tb.ctx,
		chromedp.Click(chromedp.CSS("details.panel:nth-of-type(1) > summary")),
		chromedp.WaitVisible(chromedp.CSS(`details.panel select[name=metric]`)),
		chromedp.SetValue(chromedp.CSS(`details.panel select[name=metric]`), "loss"),
	); err != nil {
		t.Fatalf("choosing Loss: %v", err)
	}
	tb.navigates("applying the metric", chromedp.Click(chromedp.CSS(`details.panel:nth-of-type(1) button[type=submit]`)))
	tb.mustSee("main", "Parallel Coordinates")
	if n := tb.count("table.runs tbody tr"); n != all {
		t.Errorf("after switching to Loss the table has %d rows, want every run (%d)", n, all)
	}
	if n := tb.count(`input[name="range.recall_at_100"]`); n != 0 {
		t.Error("the Loss chart still offers a Recall@100 range")
	}
	if n := tb.count(`input[name="range.loss"]`); n != 1 {
		t.Error("the Loss chart offers no Loss range")
	}
}
