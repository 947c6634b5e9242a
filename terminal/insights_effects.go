package terminal

import (
	"fmt"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// termEffects writes, for each parameter, the mean of its levels as bars, largest effect
// first.
func termEffects(t *termWriter, r *insight.Report, o Options) {
	t.section(o, "PARAMETER EFFECTS: mean of config means per level, largest effect (ω²) first")
	if len(r.Effects) == 0 {
		t.line("No parameter takes two values or more among the runs that count.")
		t.line()
		return
	}
	lo, hi := 0.0, 0.0
	for i, e := range r.Effects {
		for j, l := range e.Levels {
			if i == 0 && j == 0 || l.Mean < lo {
				lo = l.Mean
			}
			if i == 0 && j == 0 || l.Mean > hi {
				hi = l.Mean
			}
		}
	}
	lower := mlexp.LowerIsBetter(r.Metric)
	for i, e := range r.Effects {
		if i == termInsightEffects {
			t.line(fmt.Sprintf("… %d more parameters (--json lists them all)", len(r.Effects)-i))
			break
		}
		head := fmt.Sprintf("%d. %s  effect %s  best %s", i+1, e.Label, strings.TrimPrefix(insight.FormatDelta(r.Metric, e.Size), "+"),
			termLevelLabel(e.Param, e.Best))
		if e.Trend != nil {
			head += "  trend ρ " + insight.FormatCorrelation(e.Trend)
		}
		if test := insight.FormatEffectTest(e); test != "" {
			head += "  " + test
		}
		t.line(o.paint(termTruncate(head, o.width()), termBold))
		tb := &termTable{align: []termAlign{termLeft, termLeft, termRight, termRight, termRight}, maxWidth: []int{24}}
		for _, l := range e.Levels {
			frac := 1.0
			if hi > lo {
				frac = (l.Mean - lo) / (hi - lo)
			}
			if lower {
				frac = 1 - frac
			}
			bar := strings.Repeat("█", 1+int(frac*float64(termEffectBar-1)+0.5))
			name := termLevelLabel(e.Param, l.Value)
			if l.Value == e.Best {
				name = o.markers(true, false) + name
			}
			spread := "± " + strings.TrimPrefix(insight.FormatDelta(r.Metric, l.SD), "+")
			if l.N == 1 {
				spread = "" // one config: no spread
			}
			tb.rows = append(tb.rows, [][]string{{name}, {bar}, {mlexp.FormatMetric(r.Metric, l.Mean)}, {spread},
				{fmt.Sprintf("%s, %s", mlexp.Plural(l.N, "config", "configs"), mlexp.Plural(l.Runs, "run", "runs"))}})
		}
		tb.shrink(0, o.width(), 10)
		tb.write(t)
	}
	t.line()
}

// termLevelLabel is the label of a level: "No crosses" for cross_features=none.
func termLevelLabel(param, value string) string {
	return mlexp.AxisLabel(param, value)
}
