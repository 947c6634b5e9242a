package browsertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// hoverPointJS scrolls the element matching the selector into view and answers a point on
// it in the viewport (on a path's stroke for a path) and the hover text of the element the
// browser finds there (its <title>, or the data-tip the page's script moved it to).
const hoverPointJS = `(() => {
	const el = document.querySelector(%q);
	if (!el) return ["", "", "no element"];
	el.scrollIntoView({block: "center", inline: "center"});
	let x, y;
	if (el.tagName.toLowerCase() === "path") {
		const p = el.getPointAtLength(el.getTotalLength() * 0.37).matrixTransform(el.getScreenCTM());
		x = p.x; y = p.y;
	} else {
		const r = el.getBoundingClientRect();
		x = r.left + r.width / 2; y = r.top + r.height / 2;
	}
	let hit = document.elementFromPoint(x, y), text = "";
	for (; hit && hit.tagName.toLowerCase() !== "svg"; hit = hit.parentNode) {
		const t = hit.getAttribute("data-tip") || (hit.querySelector(":scope > title") || {}).textContent;
		if (t) { text = t; break; }
	}
	return [String(x), String(y), text];
})()`

// hover moves the mouse onto the element matching selector and answers the text of the
// chart tooltip the page shows then, and the hover text of the element under the mouse.
func (tb *tab) hover(selector string) (shown, want string) {
	tb.t.Helper()
	pt := eval[[]string](tb, fmt.Sprintf(hoverPointJS, selector))
	if pt[0] == "" {
		tb.t.Fatalf("hovering %s: %s", selector, pt[2])
	}
	var x, y float64
	fmt.Sscan(pt[0], &x)
	fmt.Sscan(pt[1], &y)
	if _, err := chromedp.Run(tb.ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y)); err != nil {
		tb.t.Fatalf("moving the mouse onto %s: %v", selector, err)
	}
	shown = eval[string](tb, `(() => { const t = document.querySelector(".chart-tip"); return t && !t.hidden && t.getBoundingClientRect().width > 0 ? t.innerText : ""; })()`)
	return shown, pt[2]
}

// TestChartHoverShowsRunAndValues: hovering a heatmap cell, a training-curve point and a
// parallel-coordinates line shows at once, by the pointer, the run and values of what is
// under it; the deployed cell names the deployed full training and its own value.
func TestChartHoverShowsRunAndValues(t *testing.T) {
	tb := newTab(t, 1440, 900)
	deployed := fullName(w.Set.TrainingRuns[w.Set.Deployed])

	tb.open(dashboardPath())
	shown, want := tb.hover(".chart svg g.cell.deployed rect")
	if shown == "" || shown != want || !strings.Contains(shown, "● Deployed: "+deployed+" · ") || !strings.Contains(shown, "Recall@100: ") {
		t.Errorf("hovering the deployed cell shows %q; want its hover text %q, naming %s and its value", shown, want, deployed)
	}

	tb.open(dashboardPath() + "&metric=cost_usd")
	shown, _ = tb.hover(".chart svg g.cell.deployed rect")
	if !strings.Contains(shown, "● Deployed: "+deployed+" · $") {
		t.Errorf("hovering the deployed cell of the cost heatmap shows %q; want %s and its cost in dollars", shown, deployed)
	}

	tb.open(comparePath(w.Full[0], w.Full[1]))
	shown, want = tb.hover("#curves-loss g.point:nth-of-type(4) circle")
	if shown == "" || shown != want || !strings.Contains(shown, "Epoch ") || !strings.Contains(shown, "Loss ") || !strings.Contains(shown, "Full Training #") {
		t.Errorf("hovering a curve point shows %q; want its hover text %q: run, epoch and loss", shown, want)
	}

	tb.open(runsPath(w.Dataset))
	shown, want = tb.hover(".chart svg path.line.deployed")
	if shown == "" || shown != want || !strings.Contains(shown, "Recall@100: ") {
		t.Errorf("hovering a parallel-coordinates line shows %q; want its hover text %q, with its run and values", shown, want)
	}
	// Moving off the chart hides the tooltip.
	if _, err := chromedp.Run(tb.ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 2, 2)); err != nil {
		t.Fatal(err)
	}
	if n := tb.count(".chart-tip:not([hidden])"); n != 0 {
		t.Errorf("the tooltip stays after the pointer left the chart")
	}
}
