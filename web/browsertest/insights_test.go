package browsertest

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mlexp-dev/mlexp"
)

// TestInsightsPage opens the Insights page of the demo from the dashboard and checks what
// a reader sees against values computed here from the demo's reports: the configs with a
// quick test and a full training, the config with the best mean quick test, the parameter
// with the widest spread of level means.
func TestInsightsPage(t *testing.T) {
	tb := newTab(t, 1280, 900)
	tb.open(dashboardPath())
	tb.navigates("clicking Insights on the dashboard", chromedp.Click(chromedp.CSS(`.page-head a.button[href*="/insights/"]`)))
	if loc := tb.location(); !strings.HasPrefix(loc, "/models/"+url.PathEscape(w.Model.ID)+"/insights/") {
		t.Fatalf("Insights opened %s", loc)
	}

	quick := map[string][]float64{} // config → Recall@100 of its quick tests that did not fail
	full := map[string]bool{}
	for _, r := range w.Set.QuickTests {
		if r.QuickTest.Status != mlexp.StatusFailed {
			quick[r.FeatureConfig.ID] = append(quick[r.FeatureConfig.ID], *r.QuickTest.Metrics.RecallAt100)
		}
	}
	for _, r := range w.Set.TrainingRuns {
		full[r.FeatureConfig.ID] = true
	}
	best, bestMean := "", math.Inf(-1)
	for c, vs := range quick {
		m := 0.0
		for _, v := range vs {
			m += v
		}
		if m /= float64(len(vs)); m > bestMean {
			best, bestMean = c, m
		}
	}

	tb.mustSee("main", "Quick-test fidelity", "Best config within noise", "Parameter effects", "Method",
		"What to try next", "Cost and time", "per dollar", "Failure triage", "OOM in Transform",
		fmt.Sprintf("over %d configs", len(full)), mlexp.FormatPercent(bestMean, 1))
	if n := tb.count("#fidelity-chart g.point"); n != len(full) {
		t.Errorf("the fidelity chart has %d points, want one per config with both kinds of run (%d)", n, len(full))
	}
	if n := tb.count("table.noise tbody tr"); n != len(quick) {
		t.Errorf("the noise table has %d rows, want one per config with a quick test that did not fail (%d)", n, len(quick))
	}
	if first := tb.text("table.noise tbody tr.best td"); !strings.Contains(first, best) {
		t.Errorf("the best row is %q, want %s (best mean quick test, %.4f)", first, best, bestMean)
	}
	if n := tb.count("table.noise tbody tr.tied"); n == 0 {
		t.Error("no config is marked tied with the best, though the demo's replicates put config-011 and config-009 within noise of it")
	}
	if front, listed := tb.count("#pareto-cost g.point.front"), tb.count("#pareto ul.front"); front == 0 || listed == 0 {
		t.Errorf("the cost front has %d points and %d lists", front, listed)
	}
	if n := tb.count("article.effect"); n < 2 {
		t.Errorf("%d parameter effects, want at least the two embedding dims", n)
	}
	if top := tb.text("article.effect .run-head"); !strings.Contains(top, "User Id Embedding Dim") {
		t.Errorf("the largest effect is %q, want the user embedding (32 → 128 moves Recall@100 most in the demo)", top)
	}

	// Changing the metric submits the form and keeps the page.
	tb.navigates("choosing Loss", chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.querySelector("select[name=metric]");
		s.value = "loss";
		s.dispatchEvent(new Event("change", {bubbles: true}));
	})()`))
	if loc := tb.location(); !strings.Contains(loc, "metric=loss") {
		t.Errorf("choosing Loss opened %s", loc)
	}
	tb.mustSee("main", "Loss (lower is better)")
}
