package terminal

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// termPareto writes the runs on the cost and time Pareto fronts, then the gain per dollar
// a full training is expected to bring over the deployed run.
func termPareto(t *termWriter, r *insight.Report, o Options) {
	t.section(o, "COST AND TIME: the runs no other run beats on both")
	for _, f := range []insight.ParetoFront{r.Pareto.Cost, r.Pareto.Duration} {
		what, format := "cost", func(v float64) string { return mlexp.FormatCost(&v) }
		if f.Resource == insight.ResourceDuration {
			what, format = "duration", func(v float64) string { return mlexp.FormatDuration(time.Duration(v * float64(time.Second))) }
		}
		t.line(o.paint(fmt.Sprintf("%s against %s: %d of %s on the front", r.MetricLabel, what, len(f.Front), mlexp.Plural(len(f.Points), "run", "runs")), termBold))
		if len(f.Front) == 0 {
			t.line("No run has a known " + what + ".")
			continue
		}
		tb := &termTable{align: []termAlign{termLeft, termRight, termRight}, head: [][]string{{"Run"}, {r.MetricLabel}, {strings.ToUpper(what[:1]) + what[1:]}}}
		for i, p := range f.Front {
			if i == termInsightRows {
				tb.rows = append(tb.rows, [][]string{{fmt.Sprintf("… %d more", len(f.Front)-i)}})
				break
			}
			tb.rows = append(tb.rows, [][]string{{cmp.Or(p.RunName, p.RunID)}, {mlexp.FormatMetric(r.Metric, p.Value)}, {format(p.Resource)}})
		}
		tb.shrink(0, o.width(), 16)
		tb.write(t)
	}
	t.line()
	g := r.Gain
	msg := "Gain per dollar: " + g.Reason
	if g.Available && g.Gain != nil && g.Cost != nil && g.GainPerDollar != nil {
		what := "A full training of %s is expected to score"
		if g.Measured {
			what = "The full training of %s measured"
		}
		msg = fmt.Sprintf(what+" %s %s the deployed run (%s), for about %s: %s per dollar.",
			g.WinnerConfigID, strings.TrimPrefix(insight.FormatDelta(g.Metric, termNumber(g.Gain)/termScale(g.Unit)), "+"),
			map[bool]string{true: "above", false: "against"}[termNumber(g.Gain) >= 0], g.DeployedConfigID,
			mlexp.FormatCost((*float64)(g.Cost)), termPerDollar(termNumber(g.GainPerDollar), g.Unit))
	}
	termParagraph(t, o, "$", msg)
	for _, a := range g.Assumptions {
		termParagraph(t, o, " ·", a)
	}
	t.line()
}

func termScale(unit string) float64 {
	if unit == mlexp.UnitPP {
		return 100
	}
	return 1
}

func termPerDollar(v float64, unit string) string {
	if unit == mlexp.UnitPP {
		return fmt.Sprintf("%.3g pp", v)
	}
	return fmt.Sprintf("%.3g", v)
}
