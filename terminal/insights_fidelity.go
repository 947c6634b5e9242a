package terminal

import (
	"fmt"
	"strconv"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// termFidelity writes whether quick tests rank configs as full trainings do: the configs
// with both, their correlations and the verdict.
func termFidelity(t *termWriter, r *insight.Report, o Options) {
	f := r.Fidelity
	t.section(o, "QUICK-TEST FIDELITY: do quick tests rank configs as full trainings do?")
	if len(f.Pairs) > 0 {
		tb := &termTable{align: []termAlign{termLeft, termRight, termRight, termRight},
			head: [][]string{{"Config"}, {"Quick", "(mean, n)"}, {"Full", "(mean, n)"}, {"Offset", "(full − quick)"}}}
		for _, p := range f.Pairs {
			tb.rows = append(tb.rows, [][]string{{p.ConfigName},
				{mlexp.FormatMetric(r.Metric, float64(p.Quick)) + " (" + strconv.Itoa(p.QuickN) + ")"},
				{mlexp.FormatMetric(r.Metric, float64(p.Full)) + " (" + strconv.Itoa(p.FullN) + ")"},
				{insight.FormatDelta(r.Metric, float64(p.Offset))}})
		}
		tb.shrink(0, o.width(), 12)
		tb.write(t)
		offset := mlexp.NoValue
		if f.MeanOffset != nil {
			offset = insight.FormatDelta(r.Metric, float64(*f.MeanOffset))
		}
		stats := fmt.Sprintf("Spearman ρ %s (%s) · Kendall τ-b %s · mean offset %s · %s", insight.FormatCorrelation(f.Spearman),
			insight.FormatRhoEvidence(f), insight.FormatCorrelation(f.KendallTauB), offset, mlexp.Plural(f.N, "pair", "pairs"))
		for _, l := range termWrapAt(stats, " · ", o.width()) {
			t.line(l)
		}
		t.line()
	}
	termParagraph(t, o, termVerdictMark(o, f.Verdict == insight.FidelityVerdictReliable), f.Message)
	t.line()
}

// termVerdictMark is ✓ for a verdict one can act on, ! for one that asks for caution.
func termVerdictMark(o Options, good bool) string {
	if good {
		return o.paint("✓", termGood)
	}
	return o.paint("!", termWarn)
}
