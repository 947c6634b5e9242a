package chart

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// pcLineTip is the hover text of a run's line: its name, metric and values.
func pcLineTip(p *mlexp.Parallel, ln *mlexp.ParallelLine, metricLabel string, names []string) string {
	lines := []string{cmp.Or(ln.RunName, ln.RunID)}
	val := mlexp.NoValue
	if v, ok := finiteNumber(ln.Metric); ok {
		val = mlexp.FormatMetric(p.Metric, v)
	}
	lines = append(lines, metricLabel+": "+val)
	for ai, a := range p.Axes {
		v := mlexp.Missing
		if ai < len(ln.Values) {
			v = ln.Values[ai]
		}
		label := mlexp.NoValue
		if i := slices.Index(a.Values, v); i >= 0 {
			label = v
			if i < len(a.Labels) && a.Labels[i] != "" {
				label = a.Labels[i]
			}
		}
		lines = append(lines, names[ai]+": "+label)
	}
	if ln.Best {
		lines = append(lines, "★ Best")
	}
	if ln.Deployed {
		lines = append(lines, "● Deployed")
	}
	return strings.Join(lines, "\n")
}

// pcDesc describes the chart in words for screen readers.
func pcDesc(p *mlexp.Parallel, metricLabel string, lower bool, names []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Parallel coordinates of %d runs over %s, then %s (%s, best on top); brighter lines are better.",
		len(p.Lines), strings.Join(names[:len(names)-1], ", "), metricLabel, map[bool]string{true: "lower is better", false: "higher is better"}[lower])
	if len(names) == 1 {
		b.Reset()
		fmt.Fprintf(&b, "Parallel coordinates of %d runs by %s (%s).", len(p.Lines), metricLabel, map[bool]string{true: "lower is better", false: "higher is better"}[lower])
	}
	for i := range p.Lines {
		ln := &p.Lines[i]
		if !ln.Best && !ln.Deployed {
			continue
		}
		role := "Best"
		if !ln.Best {
			role = "Deployed"
		} else if ln.Deployed {
			role = "Best and deployed"
		}
		v := mlexp.NoValue
		if m, ok := finiteNumber(ln.Metric); ok {
			v = mlexp.FormatMetric(p.Metric, m)
		}
		fmt.Fprintf(&b, " %s: %s, %s.", role, cmp.Or(ln.RunName, ln.RunID), v)
	}
	if p.Skipped > 0 {
		fmt.Fprintf(&b, " %d runs skipped (failed or without %s).", p.Skipped, metricLabel)
	}
	return b.String()
}
