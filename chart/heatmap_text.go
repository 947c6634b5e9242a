package chart

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// hmAxisLabel is the label of value i of an axis, the value itself when labels are missing.
func hmAxisLabel(a mlexp.AxisValues, i int) string {
	if i < len(a.Labels) && a.Labels[i] != "" {
		return a.Labels[i]
	}
	return a.Values[i]
}

// hmAxisLabelOf is the label of value v of an axis.
func hmAxisLabelOf(a mlexp.AxisValues, v string) string {
	for i, x := range a.Values {
		if x == v {
			return hmAxisLabel(a, i)
		}
	}
	return v
}

// hmCellTip is the hover text of a cell: where it is, its run, value, spread and failures.
func hmCellTip(h *mlexp.Heatmap, c *mlexp.HeatmapCell, xi, yi int, metricLabel string) string {
	lines := []string{hmAxisLabel(h.XAxis, xi) + " · " + hmAxisLabel(h.YAxis, yi)}
	if v, ok := hmCellValue(c); ok {
		if c.RunName != "" {
			lines = append(lines, "Run: "+c.RunName)
		}
		val := metricLabel + ": " + mlexp.FormatMetric(h.Metric, v)
		if c.N > 1 && h.Agg != "" {
			val += fmt.Sprintf(" (%s of %d runs)", h.Agg, c.N)
		}
		lines = append(lines, val)
		spread := "n=" + strconv.Itoa(c.N)
		lo, okLo := finiteNumber(c.Min)
		hi, okHi := finiteNumber(c.Max)
		if c.N > 1 && okLo && okHi {
			spread += " · min–max " + mlexp.FormatMetric(h.Metric, lo) + "–" + mlexp.FormatMetric(h.Metric, hi)
			if std, ok := finiteNumber(c.Std); ok {
				spread += " · std " + hmSpread(h.Metric, std)
			}
		}
		lines = append(lines, spread)
	} else {
		lines = append(lines, metricLabel+": no value")
	}
	if c.Failed > 0 {
		lines = append(lines, fmt.Sprintf("%d failed", c.Failed))
	}
	if c.MissingMetric > 0 {
		lines = append(lines, fmt.Sprintf("%d without %s", c.MissingMetric, metricLabel))
	}
	if c.Best {
		lines = append(lines, "★ Best")
	}
	if c.Deployed {
		lines = append(lines, "● Deployed: "+hmDeployedRun(h.Metric, c))
	}
	return strings.Join(lines, "\n")
}

// hmDeployedRun names the deployed run of a cell and its own value: "config-011 Full
// Training #3 · $38.22".
func hmDeployedRun(metric string, c *mlexp.HeatmapCell) string {
	s := cmp.Or(c.DeployedRunName, c.DeployedRunID, "a run of this cell")
	if v, ok := finiteNumber(c.DeployedValue); ok {
		s += " · " + mlexp.FormatMetric(metric, v)
	}
	return s
}

// hmSpread writes a standard deviation: in percentage points for a fraction.
func hmSpread(metric string, v float64) string {
	if mlexp.IsFraction(metric) {
		return strconv.FormatFloat(v*100, 'f', 1, 64) + " pp"
	}
	return mlexp.FormatMetric(metric, v)
}

// hmCounts says how many runs the heatmap covers and how many are not plotted.
func hmCounts(h *mlexp.Heatmap, metricLabel string) string {
	if h.Runs == 0 {
		return ""
	}
	parts := []string{mlexp.Plural(h.Runs, "run", "runs"), fmt.Sprintf("%d plotted", h.Plotted)}
	if h.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", h.Failed))
	}
	if h.MissingMetric > 0 {
		parts = append(parts, fmt.Sprintf("%d without %s", h.MissingMetric, metricLabel))
	}
	return strings.Join(parts, " · ")
}

// hmDesc describes the heatmap in words for screen readers.
func hmDesc(h *mlexp.Heatmap, metricLabel string, lower bool, best, deployed []*mlexp.HeatmapCell) string {
	dir := map[bool]string{true: "lower is better", false: "higher is better"}[lower]
	var b strings.Builder
	fmt.Fprintf(&b, "Heatmap of %s (%s", metricLabel, dir)
	if h.Agg != "" {
		fmt.Fprintf(&b, "; %s of the runs in each cell", h.Agg)
	}
	fmt.Fprintf(&b, ") over %d %s by %d %s; brighter cells are better.",
		len(h.XAxis.Values), cmp.Or(h.XAxis.Label, h.XAxis.Name), len(h.YAxis.Values), cmp.Or(h.YAxis.Label, h.YAxis.Name))
	where := func(c *mlexp.HeatmapCell) string {
		s := ""
		if v, ok := hmCellValue(c); ok {
			s = mlexp.FormatMetric(h.Metric, v) + " at "
		}
		s += hmAxisLabelOf(h.XAxis, c.X) + ", " + hmAxisLabelOf(h.YAxis, c.Y)
		if c.RunName != "" {
			s += " (" + c.RunName + ")"
		}
		return s
	}
	for _, c := range best {
		b.WriteString(" Best: " + where(c) + ".")
	}
	for _, c := range deployed {
		s := ""
		if v, ok := finiteNumber(c.DeployedValue); ok {
			s = mlexp.FormatMetric(h.Metric, v) + " at "
		}
		s += hmAxisLabelOf(h.XAxis, c.X) + ", " + hmAxisLabelOf(h.YAxis, c.Y)
		if name := cmp.Or(c.DeployedRunName, c.DeployedRunID); name != "" {
			s += " (" + name + ")"
		}
		b.WriteString(" Deployed: " + s + ".")
	}
	empty := 0
	for i := range h.Cells {
		if _, ok := hmCellValue(&h.Cells[i]); !ok {
			empty++
		}
	}
	if empty > 0 {
		fmt.Fprintf(&b, " %s without a value.", mlexp.Plural(empty, "cell", "cells"))
	}
	return b.String()
}
