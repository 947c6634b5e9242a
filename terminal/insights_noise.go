package terminal

import (
	"fmt"
	"strconv"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// termNoise writes each config's mean and 95% interval, and which are tied with the best.
func termNoise(t *termWriter, r *insight.Report, o Options) {
	n := r.Noise
	t.section(o, "BEST CONFIG WITHIN NOISE: mean ± 95% interval of "+termRunTypeChoice(n.RunType))
	if len(n.Configs) > 0 {
		tb := &termTable{align: []termAlign{termLeft, termRight, termRight, termRight, termRight, termLeft},
			head: [][]string{{"Config"}, {"n"}, {"Mean"}, {"Shrunk"}, {"95% interval"}, {"vs best"}}}
		for i, c := range n.Configs {
			if i == termInsightConfigs {
				tb.rows = append(tb.rows, [][]string{{fmt.Sprintf("… %d more", len(n.Configs)-i)}})
				break
			}
			name, vs := c.ConfigName, "not tied, p "+insight.FormatP(c.PAdjusted)
			switch {
			case c.Best:
				name, vs = o.markers(true, false)+name, "best"
			case c.Tied:
				name, vs = "≈"+name, o.paint("tied", termWarn)+", p "+insight.FormatP(c.PAdjusted)
			case c.PValue == nil:
				vs = "untested"
			}
			ci := insight.FormatInterval(r.Metric, c.CILow, c.CIHigh)
			if c.SDSource == insight.SDPooled {
				ci += " ᵖ"
			}
			shrunk := mlexp.NoValue
			if c.MeanShrunk != nil {
				shrunk = mlexp.FormatMetric(r.Metric, float64(*c.MeanShrunk))
			}
			tb.rows = append(tb.rows, [][]string{{name}, {strconv.Itoa(c.N)}, {mlexp.FormatMetric(r.Metric, float64(c.Mean))}, {shrunk}, {ci}, {vs}})
		}
		tb.shrink(0, o.width(), 12)
		tb.write(t)
		legend := "★ best · ≈ tied with the best (Welch's t-test, Holm-adjusted p, 5% level) · shrunk: towards the grand mean (empirical Bayes)"
		if n.PooledSD != nil {
			legend += " · ᵖ pooled SD " + insight.FormatSize(r.Metric, float64(*n.PooledSD))
		}
		for _, l := range termWrapAt(legend, " · ", o.width()) {
			t.line(l)
		}
		t.line()
	}
	termParagraph(t, o, "💡", n.Message)
	t.line()
}
