package terminal

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// Limits of the insights screen, so that a large sweep stays readable.
const (
	termInsightConfigs = 15 // configs of the noise table
	termInsightEffects = 8  // parameters of the effects section
	termEffectBar      = 20 // columns of the widest level bar
)

// Insights writes the insights of an experiment: quick-test fidelity, the configs
// ranked within noise, parameter effects, what to try next, cost and time fronts with the
// gain per dollar of a full training, and failure triage.
func Insights(w io.Writer, r *insight.Report, o Options) error {
	t := newTermWriter(w)
	termFidelity(t, r, o)
	termNoise(t, r, o)
	termEffects(t, r, o)
	termNext(t, r, o)
	termPareto(t, r, o)
	termTriage(t, r, o)
	termParagraph(t, o, "", fmt.Sprintf("Counted %d of %s: %s that finished with a finite %s. Methods: docs/insights.md",
		r.Counted, termCount(r.Runs, "run"), termRunTypeChoice(r.RunType), r.MetricLabel))
	return t.flush()
}

func termRunTypeChoice(rt string) string {
	switch rt {
	case mlexp.RunTypeAll:
		return "the runs of every type"
	case string(mlexp.FullTrainingRun):
		return "the full trainings"
	}
	return "the quick tests"
}

// termParagraph writes text wrapped to the width, after a marker on its first line.
func termParagraph(t *termWriter, o Options, marker, text string) {
	for i, l := range termWrap(text, o.width()-StringWidth(marker)-1) {
		if i == 0 && marker != "" {
			t.line(marker, " ", l)
		} else if marker != "" {
			t.line(strings.Repeat(" ", StringWidth(marker)+1), l)
		} else {
			t.line(l)
		}
	}
}

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
		t.line(fmt.Sprintf("Spearman ρ %s · Kendall τ-b %s · mean offset %s · %s", insight.FormatCorrelation(f.Spearman),
			insight.FormatCorrelation(f.KendallTauB), offset, termCount(f.N, "pair")))
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

func termNoise(t *termWriter, r *insight.Report, o Options) {
	n := r.Noise
	t.section(o, "BEST CONFIG WITHIN NOISE: mean ± 95% interval of "+termRunTypeChoice(n.RunType))
	if len(n.Configs) > 0 {
		tb := &termTable{align: []termAlign{termLeft, termRight, termRight, termRight, termLeft},
			head: [][]string{{"Config"}, {"n"}, {"Mean"}, {"95% interval"}, {"vs best"}}}
		for i, c := range n.Configs {
			if i == termInsightConfigs {
				tb.rows = append(tb.rows, [][]string{{fmt.Sprintf("… %d more", len(n.Configs)-i)}})
				break
			}
			name, vs := c.ConfigName, "not tied, p "+insight.FormatP(c.PValue)
			switch {
			case c.Best:
				name, vs = o.markers(true, false)+name, "best"
			case c.Tied:
				name, vs = "≈"+name, o.paint("tied", termWarn)+", p "+insight.FormatP(c.PValue)
			case c.PValue == nil:
				vs = "untested"
			}
			ci := insight.FormatInterval(r.Metric, c.CILow, c.CIHigh)
			if c.SDSource == insight.SDPooled {
				ci += " ᵖ"
			}
			tb.rows = append(tb.rows, [][]string{{name}, {strconv.Itoa(c.N)}, {mlexp.FormatMetric(r.Metric, float64(c.Mean))}, {ci}, {vs}})
		}
		tb.shrink(0, o.width(), 12)
		tb.write(t)
		legend := "★ best · ≈ tied with the best (Welch's t-test, 5% level)"
		if n.PooledSD != nil {
			legend += " · ᵖ one run: pooled SD " + insight.FormatSize(r.Metric, float64(*n.PooledSD))
		}
		t.line(legend)
		t.line()
	}
	termParagraph(t, o, "💡", n.Message)
	t.line()
}

func termEffects(t *termWriter, r *insight.Report, o Options) {
	t.section(o, "PARAMETER EFFECTS: mean of config means per level, largest effect first")
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
				{fmt.Sprintf("%s, %s", termCount(l.N, "config"), termCount(l.Runs, "run"))}})
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
