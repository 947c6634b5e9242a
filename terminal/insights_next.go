package terminal

import (
	"cmp"
	"fmt"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// termNext writes the suggested next configs, each with its changes, expected gain and
// reason.
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
		termParagraph(t, o, "", cmp.Or(n.Note, "Nothing new to suggest."))
		t.line()
		return
	}
	tb := &termTable{align: []termAlign{termRight, termLeft, termRight, termLeft}, maxWidth: []int{0, 30, 0, 40},
		head: [][]string{{"#"}, {"Change"}, {"Expected"}, {"Why"}}}
	for i, s := range n.Suggestions {
		var ch []string
		for _, c := range s.Changes {
			ch = append(ch, c.Param+": "+cmp.Or(c.From, "—")+" → "+cmp.Or(c.To, "—"))
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
	termParagraph(t, o, "", "--json gives each suggestion's feature_config, ready for POST /api/experiments/quick-tests/.")
	t.line()
}
