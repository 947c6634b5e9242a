package browsertest

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// TestOneFormatPerMetricKind: a cost reads "$38.22" wherever it appears (the run page's
// summary, not again as a bare "Cost (cost_usd) 38.2"; every cell of the cost heatmap),
// and a loss difference keeps the loss's precision (no 4-decimal diffs).
func TestOneFormatPerMetricKind(t *testing.T) {
	tb := newTab(t, 1440, 900)
	tr := w.Set.TrainingRuns[w.Set.Deployed]
	tb.open(runPath(w.Full[w.Set.Deployed]))
	main := tb.text("main")
	if strings.Contains(main, "cost_usd") || !strings.Contains(main, mlexp.FormatCost(tr.TrainingRun.CostUSD)) {
		t.Errorf("run page: want the cost once, as %s, and no cost_usd metric:\n%s", mlexp.FormatCost(tr.TrainingRun.CostUSD), clip(main))
	}

	tb.open(dashboardPath() + "&metric=cost_usd")
	values := eval[[]string](tb, `[...document.querySelectorAll(".chart svg g.cell:not(.empty) text.value")].map(t => t.textContent)`)
	dollars := regexp.MustCompile(`^(★ )?(● )?\$\d+\.\d\d$`)
	for _, v := range values {
		if !dollars.MatchString(v) {
			t.Errorf("cost heatmap cell %q is not in dollars", v)
		}
	}
	if len(values) == 0 {
		t.Error("the cost heatmap has no cell with a value")
	}

	tb.open(comparePath(w.Full[0], w.Full[1]))
	diffs := eval[[]string](tb, `[...document.querySelectorAll("table tr")].filter(r => r.querySelector("th") && r.querySelector("th").innerText.trim() === "Loss").map(r => [...r.querySelectorAll(".diff")].map(d => d.innerText).join(" "))`)
	fourDecimals := regexp.MustCompile(`\d\.\d{4}`)
	if len(diffs) != 1 || fourDecimals.MatchString(diffs[0]) {
		t.Errorf("loss diffs %q: want the loss's precision (at most 3 decimals)", diffs)
	}
}
