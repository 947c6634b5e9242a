package browsertest

import (
	"fmt"
	"net/url"
	"testing"
)

// chartTextJS measures every <text> of the charts on the page as rendered: its font size
// in CSS pixels (the SVG's font size times the scale the page draws it at). It answers
// [min, max, count] and the first text outside lo..hi.
const chartTextJS = `(() => {
	let lo = 1e9, hi = 0, n = 0, bad = "";
	for (const svg of document.querySelectorAll(".chart svg")) {
		const vb = svg.viewBox && svg.viewBox.baseVal;
		const r = svg.getBoundingClientRect();
		if (!vb || !vb.width || !r.width) continue;
		const scale = r.width / vb.width;
		for (const t of svg.querySelectorAll("text")) {
			if (!t.textContent.trim()) continue;
			const px = parseFloat(getComputedStyle(t).fontSize) * scale;
			lo = Math.min(lo, px); hi = Math.max(hi, px); n++;
			if (!bad && (px < %v || px > %v)) bad = (svg.id || svg.getAttribute("class")) + ": " + JSON.stringify(t.textContent.slice(0, 40)) + " at " + px.toFixed(1) + " px";
		}
	}
	return [String(lo), String(hi), String(n), bad];
})()`

// TestChartTextReadableOnPhoneAndDesktop renders the pages with charts 390 and 1440 CSS
// pixels wide: every chart text stays between 10 and 16 px as drawn (charts keep their
// own scale rather than stretching to their box), and a chart wider than a phone scrolls
// in its own box, not the page.
func TestChartTextReadableOnPhoneAndDesktop(t *testing.T) {
	model := url.PathEscape(w.Model.ID)
	ds := url.QueryEscape(w.Dataset.ID)
	pages := []string{
		dashboardPath(),
		dashboardPath() + "&x_axis=config_id&y_axis=cross_features", // many columns
		dashboardPath() + "&metric=cost_usd",
		"/models/" + model + "/runs/?dataset_id=" + ds,
		"/models/" + model + "/insights/?dataset_id=" + ds,
		comparePath(w.Full[0], w.Full[1]),
	}
	for _, width := range []int64{390, 1440} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			tb := newTab(t, width, 900)
			for _, path := range pages {
				tb.open(path)
				got := eval[[]string](tb, fmt.Sprintf(chartTextJS, 9.95, 16.05))
				if got[2] == "0" {
					t.Errorf("%s: no chart text measured", path)
					continue
				}
				if got[3] != "" {
					t.Errorf("%s at %d px: chart text from %s to %s px; %s", path, width, got[0], got[1], got[3])
				}
				if scroll := eval[int](tb, `Math.max(document.body.scrollWidth, document.documentElement.scrollWidth)`); scroll > int(width)+2 {
					wide := eval[[]string](tb, fmt.Sprintf(`[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > %d && !e.closest(".chart, .table-wrap")).slice(0, 4).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().width))`, width+2))
					t.Errorf("%s: the page is %d px wide in a %d px viewport: %q stick out instead of scrolling in a box", path, scroll, width, wide)
				}
			}
		})
	}
}
