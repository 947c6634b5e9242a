package browsertest

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/mlexp-dev/mlexp"
)

// bestQuick is the index of the quick test with the highest Recall@100.
func bestQuick() int {
	best := -1
	for i, r := range w.Set.QuickTests {
		if m := r.QuickTest.Metrics.RecallAt100; m != nil && (best < 0 || *m > *w.Set.QuickTests[best].QuickTest.Metrics.RecallAt100) {
			best = i
		}
	}
	return best
}

// bestFull is the index of the full training with the highest Recall@100.
func bestFull() int {
	best := 0
	for i, r := range w.Set.TrainingRuns {
		if *r.TrainingRun.Metrics.RecallAt100 > *w.Set.TrainingRuns[best].TrainingRun.Metrics.RecallAt100 {
			best = i
		}
	}
	return best
}

func TestPagesLoad(t *testing.T) {
	deployed := w.Set.TrainingRuns[w.Set.Deployed]
	t.Run("home", func(t *testing.T) {
		tb := newTab(t, 1280, 900)
		tb.open("/")
		tb.mustSee("main", "Models", w.Model.Name, w.Model.ID, w.Dataset.Name, hostileDataset.Name)
		if n := tb.count(`main a[href^="/models/"]`); n < 3 {
			t.Errorf("the home page has %d links to dashboards and runs, want at least 3", n)
		}
	})
	t.Run("dashboard", func(t *testing.T) {
		tb := newTab(t, 1280, 900)
		tb.open(dashboardPath())
		tb.mustSee("main", "Experiments", "Summary", "Heatmap: Recall@100 by", "Recent Experiments", "Export Heatmap")
		cards := eval[[]string](tb, `[...document.querySelectorAll(".cards.summary .stat")].map(c => c.innerText)`)
		if len(cards) != 4 {
			t.Fatalf("%d summary cards, want 4: %q", len(cards), cards)
		}
		if want := fmt.Sprintf("Quick Tests\n%d", len(w.Set.QuickTests)); !strings.Contains(cards[0], want) {
			t.Errorf("card 1 %q, want %q", cards[0], want)
		}
		if want := fmt.Sprintf("Full Trainings\n%d", len(w.Set.TrainingRuns)); !strings.Contains(cards[1], want) {
			t.Errorf("card 2 %q, want %q", cards[1], want)
		}
		if !strings.Contains(cards[3], "●") || !strings.Contains(cards[3], deployed.FeatureConfig.DisplayName()) {
			t.Errorf("the Currently Deployed card %q does not show %s", cards[3], deployed.FeatureConfig.DisplayName())
		}
		// The insight cards: the demo's quick tests rank configs as its full trainings do, and
		// its one failure is the 256-d user embedding's.
		insights := eval[[]string](tb, `[...document.querySelectorAll(".cards.insights a.card")].map(c => c.innerText + "|" + c.getAttribute("href"))`)
		if len(insights) != 4 || !strings.Contains(insights[0], "Reliable") || !strings.Contains(insights[0], "/insights/") ||
			!strings.Contains(insights[3], "user:256d fails with OOM") || !strings.HasSuffix(insights[3], "#triage") {
			t.Errorf("insight cards %q, want fidelity Reliable … failures of user:256d, linked to their sections", insights)
		}
		if n := tb.count(".chart svg g.cell"); n < 4 {
			t.Errorf("the heatmap has %d cells (g.cell), want at least 4", n)
		}
		if n := tb.count("article.card.run"); n != 8 {
			t.Errorf("%d recent experiments, want 8", n)
		}
		// A heatmap cell opens the runs of the cell.
		tb.navigates("clicking a heatmap cell", chromedp.Click(chromedp.CSS(".chart svg a g.cell")))
		if loc := tb.location(); !strings.Contains(loc, "/runs/?") || !strings.Contains(loc, "x_axis=") {
			t.Errorf("a cell opened %s, want the runs page of the cell", loc)
		}
		tb.mustSee("main", "Heatmap cell:", "show every run")
	})
	t.Run("runs", func(t *testing.T) {
		tb := newTab(t, 1280, 900)
		tb.open(runsPath(w.Dataset))
		tb.mustSee("main", "Runs Table", "Compare Selected", "Export CSV", "Parallel Coordinates",
			quickName(w.Set.QuickTests[bestQuick()]), fullName(deployed))
		runs := len(w.Set.QuickTests) + len(w.Set.TrainingRuns)
		if n := tb.count("table.runs tbody tr"); n != runs {
			t.Errorf("the runs table has %d rows, want %d", n, runs)
		}
		tb.mustSee(".pager", fmt.Sprintf("%d runs", runs))
		failed := 0
		for _, r := range w.Set.QuickTests {
			if r.QuickTest.Status == mlexp.StatusFailed {
				failed++
			}
		}
		if n := tb.count(".chart svg path.line"); n != runs-failed {
			t.Errorf("the parallel coordinates draw %d lines, want one for each run that did not fail (%d)", n, runs-failed)
		}
		if n := tb.count(".chart svg path.line.deployed"); n != 1 {
			t.Errorf("the parallel coordinates draw %d lines of the deployed run, want 1", n)
		}
		// Without a selection, Compare cannot be pressed.
		if !eval[bool](tb, `document.querySelector("button[data-compare-count]").disabled`) {
			t.Error("Compare Selected is enabled with no run selected")
		}
	})
	t.Run("compare", func(t *testing.T) {
		tb := newTab(t, 1280, 900)
		a, b := w.Set.QuickTests[bestQuick()], w.Set.TrainingRuns[bestFull()]
		tb.open(comparePath(w.Quick[bestQuick()], w.Full[bestFull()]))
		tb.mustSee("main", "Compare Experiments", "Metrics Comparison", "Configuration Diff", "Recommendation",
			a.FeatureConfig.DisplayName(), b.FeatureConfig.DisplayName(), quickName(a), fullName(b), "Recall@100")
		if n := tb.count(".compare-runs .card"); n != 2 {
			t.Errorf("%d run cards, want 2", n)
		}
	})
	t.Run("run", func(t *testing.T) {
		tb := newTab(t, 1280, 900)
		tb.open(runPath(w.Full[w.Set.Deployed]))
		if h1 := tb.text("h1"); h1 != fullName(deployed) {
			t.Errorf("h1 %q, want %q", h1, fullName(deployed))
		}
		tb.mustSee("main", "Full Training", "● deployed", "Summary", "Metrics", "Params", "Training Curves", w.Full[w.Set.Deployed])
		// The training curves come from MLflow's artifacts, through mlexp.
		size := eval[[]int](tb, `(() => { const i = document.querySelector("img.curves"); return i && i.complete ? [i.naturalWidth, i.naturalHeight] : [0, 0]; })()`)
		if size[0] < 100 || size[1] < 100 {
			t.Errorf("the training curves image did not load: natural size %v", size)
		}
	})
	t.Run("failed run", func(t *testing.T) {
		i := slices.IndexFunc(w.Set.QuickTests, func(r mlexp.QuickTestReport) bool { return r.QuickTest.Status == mlexp.StatusFailed })
		if i < 0 {
			t.Fatal("the demo has no failed quick test")
		}
		tb := newTab(t, 1280, 900)
		tb.open(runPath(w.Quick[i]))
		tb.mustSee("main", quickName(w.Set.QuickTests[i]), "Failed", "OOM")
	})
}

// TestHeatmapAxes changes the x axis of the heatmap to epochs; the form submits itself.
func TestHeatmapAxes(t *testing.T) {
	tb := newTab(t, 1280, 900)
	tb.open(dashboardPath())
	xs := func() []string {
		return eval[[]string](tb, `[...new Set([...document.querySelectorAll(".chart svg g.cell")].map(c => c.dataset.x))]`)
	}
	before := xs()
	if len(before) < 2 || slices.Contains(before, "20") {
		t.Fatalf("x values of the default heatmap (embedding dims): %q", before)
	}
	if !eval[bool](tb, `getComputedStyle(document.querySelector("form[data-autosubmit] button[type=submit]")).display === "none"`) {
		t.Error("the Apply button of the heatmap form shows although JavaScript submits the form")
	}
	tb.navigates("choosing Group X = Epochs",
		chromedp.Evaluate[chromedp.Void](`(() => {
			const s = document.querySelector("select[name=x_axis]");
			s.value = "epochs";
			s.dispatchEvent(new Event("change", {bubbles: true}));
		})()`))
	if loc := tb.location(); !strings.Contains(loc, "x_axis=epochs") {
		t.Errorf("the form went to %s, without x_axis=epochs", loc)
	}
	after := xs()
	if !slices.Equal(after, []string{"2", "20"}) {
		t.Errorf("x values after Group X = Epochs: %q, want [2 20] (quick tests run 2 epochs, full trainings 20)", after)
	}
	if v := eval[string](tb, `document.querySelector("select[name=x_axis]").value`); v != "epochs" {
		t.Errorf("the Group X select shows %q after the change, want epochs", v)
	}
	tb.mustSee("main", "Recall@100 by Epochs")

	// A param as the y axis: the user's embedding dim, which the demo's grid varies.
	params := eval[[]string](tb, `[...document.querySelectorAll("select[name=y_axis] option")].map(o => o.value).filter(v => v === "user_id_embedding_dim")`)
	if len(params) == 0 {
		t.Fatal("no user_id_embedding_dim param among the y axes")
	}
	tb.navigates("choosing Group Y = "+params[0],
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
			const s = document.querySelector("select[name=y_axis]");
			s.value = %q;
			s.dispatchEvent(new Event("change", {bubbles: true}));
		})()`, params[0])))
	ys := eval[[]string](tb, `[...new Set([...document.querySelectorAll(".chart svg g.cell")].map(c => c.dataset.y))]`)
	if len(ys) < 2 {
		t.Errorf("y values after Group Y = %s: %q", params[0], ys)
	}
	if loc := tb.location(); !strings.Contains(loc, "x_axis=epochs") || !strings.Contains(loc, "y_axis="+params[0]) {
		t.Errorf("the second change lost an axis: %s", loc)
	}
}

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

// TestExports follows the export links of the dashboard and of the runs page, as a user
// would: the browser downloads the files into a temporary directory.
func TestExports(t *testing.T) {
	tb := newTab(t, 1280, 900)
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(tb.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = chromedp.CallBrowser(tb.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorDefault})
	})
	tb.open(dashboardPath())
	cells := tb.count(".chart svg g.cell")

	csvFile, name := tb.download(dir, `a.button[href*="/heatmap.csv?"]`)
	if !strings.HasSuffix(name, ".csv") {
		t.Errorf("the CSV export is named %q", name)
	}
	records, err := csv.NewReader(bytes.NewReader(csvFile)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV export does not parse: %v\n%s", err, clip(string(csvFile)))
	}
	if len(records) == 0 || strings.Join(records[0][:6], ",") != "x_axis,x,x_label,y_axis,y,y_label" {
		t.Fatalf("CSV header %q", records[0])
	}
	if len(records)-1 != cells {
		t.Errorf("the CSV has %d rows, the heatmap on the page %d cells", len(records)-1, cells)
	}

	svgFile, name := tb.download(dir, `a.button[href*="/heatmap.svg?"]`)
	if !strings.HasSuffix(name, ".svg") {
		t.Errorf("the SVG export is named %q", name)
	}
	if n, err := countCells(svgFile); err != nil {
		t.Errorf("the SVG export is not XML: %v", err)
	} else if n != cells {
		t.Errorf("the SVG export has %d g.cell, the page %d", n, cells)
	}

	pngFile, name := tb.download(dir, `a.button[href*="/heatmap.png?"]`)
	if !strings.HasSuffix(name, ".png") {
		t.Errorf("the PNG export is named %q", name)
	}
	if img, err := png.Decode(bytes.NewReader(pngFile)); err != nil {
		t.Errorf("the PNG export does not decode: %v", err)
	} else if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 200 {
		t.Errorf("the PNG export is %v", b)
	}

	tb.open(runsPath(w.Dataset))
	runsFile, name := tb.download(dir, `a.button[href*="format=csv"], a.button[download]`)
	if !strings.HasSuffix(name, ".csv") {
		t.Errorf("the runs export is named %q", name)
	}
	records, err = csv.NewReader(bytes.NewReader(runsFile)).ReadAll()
	if err != nil {
		t.Fatalf("the runs CSV does not parse: %v\n%s", err, clip(string(runsFile)))
	}
	if want := len(w.Set.QuickTests) + len(w.Set.TrainingRuns) + 1; len(records) != want {
		t.Errorf("the runs CSV has %d lines, want a header and one per run (%d)", len(records), want)
	}
}

// download clicks the link and returns the file the browser saved, and its suggested name.
func (tb *tab) download(dir, selector string) ([]byte, string) {
	tb.t.Helper()
	begin := chromedp.BrowserEvents(tb.ctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(tb.ctx, browser.DownloadProgress)
	if err := chromedp.Do(tb.ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
		tb.t.Fatalf("clicking %s: %v", selector, err)
	}
	var started browser.EventDownloadWillBegin
	for ev, err := range begin {
		if err != nil {
			tb.t.Fatalf("clicking %s started no download: %v", selector, err)
		}
		started = ev
		break
	}
	for ev, err := range progress {
		if err != nil {
			tb.t.Fatalf("the download of %s did not finish: %v", started.URL, err)
		}
		if ev.GUID != started.GUID {
			continue
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			tb.t.Fatalf("the download of %s was canceled", started.URL)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, started.GUID))
	if err != nil {
		tb.t.Fatalf("the download of %s: %v", started.URL, err)
	}
	return b, started.SuggestedFilename
}

// countCells parses an SVG document and counts its <g class="cell ...">.
func countCells(doc []byte) (int, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	n, root := 0, ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			for _, a := range se.Attr {
				if se.Name.Local == "g" && a.Name.Local == "class" && slices.Contains(strings.Fields(a.Value), "cell") {
					n++
				}
			}
		}
	}
	if root != "svg" {
		return n, fmt.Errorf("the root element is <%s>, not <svg>", root)
	}
	return n, nil
}

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

// TestNarrowViewport renders the pages 768 CSS pixels wide: the body must not overflow
// sideways (wide tables and charts scroll in their own boxes).
func TestNarrowViewport(t *testing.T) {
	const width = 768
	tb := newTab(t, width, 1024)
	for _, path := range []string{dashboardPath(), runsPath(w.Dataset), comparePath(w.Quick[bestQuick()], w.Full[w.Set.Deployed]), runPath(w.Full[w.Set.Deployed]), "/"} {
		tb.open(path)
		if vw := eval[int](tb, `window.innerWidth`); vw != width {
			t.Fatalf("the viewport is %d px wide, want %d", vw, width)
		}
		scroll := eval[int](tb, `Math.max(document.body.scrollWidth, document.documentElement.scrollWidth)`)
		if scroll <= width+2 {
			continue
		}
		// Name the outermost elements that stick out, outside boxes that scroll.
		culprits := eval[[]string](tb, fmt.Sprintf(`(() => {
			const limit = %d, out = [];
			const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") return true; } return false; };
			for (const el of document.body.querySelectorAll("*")) {
				const r = el.getBoundingClientRect();
				if (r.right <= limit || scrolls(el)) continue;
				if (el.parentElement && el.parentElement.getBoundingClientRect().right > limit && !scrolls(el.parentElement) && el.parentElement !== document.body) continue;
				const cls = el.className && el.className.baseVal === undefined ? "." + String(el.className).trim().split(/\s+/).join(".") : "";
				out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls + " right=" + Math.round(r.right) + " width=" + Math.round(r.width));
			}
			return out.slice(0, 10);
		})()`, width+2))
		t.Errorf("%s overflows a %d px viewport: the body is %d px wide; sticking out: %q", path, width, scroll, culprits)
	}
}
