package terminal

import (
	"fmt"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// termInsightRows limits the rows of the fronts and triage lists.
const termInsightRows = 8

func termNext(t *termWriter, r *insight.Report, o Options) {
	t.section(o, "WHAT TO TRY NEXT")
	n := r.Next
	if n == nil {
		return
	}
	if n.Best != nil {
		termParagraph(t, o, "", fmt.Sprintf("From the best cell (%s of %s): %s · %s, %s, config %s.", n.Query.Agg, n.MetricLabel,
			mlexp.AxisLabel(n.Query.XAxis, n.Best.X), mlexp.AxisLabel(n.Query.YAxis, n.Best.Y), mlexp.FormatMetric(r.Metric, termNumber(n.Best.Value)), n.BaseConfig))
	}
	if len(n.Suggestions) == 0 {
		termParagraph(t, o, "", termOr(n.Note, "Nothing new to suggest."))
		t.line()
		return
	}
	tb := &termTable{align: []termAlign{termRight, termLeft, termRight, termLeft}, maxWidth: []int{0, 30, 0, 40},
		head: [][]string{{"#"}, {"Change"}, {"Expected"}, {"Why"}}}
	for i, s := range n.Suggestions {
		var ch []string
		for _, c := range s.Changes {
			ch = append(ch, c.Param+": "+termOr(c.From, "—")+" → "+termOr(c.To, "—"))
		}
		gain := mlexp.NoValue
		if s.ExpectedGain != nil {
			gain = fmt.Sprintf("%+.1f %s", float64(*s.ExpectedGain), s.Unit)
		}
		tb.rows = append(tb.rows, [][]string{{fmt.Sprint(i + 1)}, ch, {gain}, termWrap(s.Reason, 40)})
	}
	tb.rules = true
	tb.shrink(3, o.width(), 16)
	tb.write(t)
	t.line("--json gives each suggestion's feature_config, ready for POST /api/experiments/quick-tests/.")
	t.line()
}

func termNumber(n *mlexp.Number) float64 {
	if n == nil {
		return 0
	}
	return float64(*n)
}

func termPareto(t *termWriter, r *insight.Report, o Options) {
	t.section(o, "COST AND TIME: the runs no other run beats on both")
	for _, f := range []insight.ParetoFront{r.Pareto.Cost, r.Pareto.Duration} {
		what, format := "cost", func(v float64) string { return mlexp.FormatCost(&v) }
		if f.Resource == insight.ResourceDuration {
			what, format = "duration", func(v float64) string { return mlexp.FormatDuration(time.Duration(v * float64(time.Second))) }
		}
		t.line(o.paint(fmt.Sprintf("%s against %s: %d of %s on the front", r.MetricLabel, what, len(f.Front), termCount(len(f.Points), "run")), termBold))
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
			tb.rows = append(tb.rows, [][]string{{termOr(p.RunName, p.RunID)}, {mlexp.FormatMetric(r.Metric, p.Value)}, {format(p.Resource)}})
		}
		tb.shrink(0, o.width(), 16)
		tb.write(t)
	}
	t.line()
	g := r.Gain
	msg := "Gain per dollar: " + g.Reason
	if g.Available && g.Gain != nil && g.Cost != nil && g.GainPerDollar != nil {
		msg = fmt.Sprintf("A full training of %s is expected to score %s %s the deployed run (%s), for about %s: %s per dollar.",
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

func termTriage(t *termWriter, r *insight.Report, o Options) {
	tr := r.Triage
	t.section(o, "FAILURE TRIAGE")
	if tr.Failed == 0 {
		t.line(fmt.Sprintf("No failed runs among %s.", termCount(tr.Runs, "completed run")))
		t.line()
		return
	}
	t.line(fmt.Sprintf("%d of %s failed.", tr.Failed, termCount(tr.Runs, "completed run")))
	for _, groups := range [][]insight.FailureGroup{tr.Reasons, tr.Axes} {
		for i, g := range groups {
			if i == termInsightRows {
				t.line(fmt.Sprintf("  … %d more", len(groups)-i))
				break
			}
			termParagraph(t, o, "  •", g.Summary)
		}
	}
	t.line()
}
