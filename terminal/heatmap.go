package terminal

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// Limits of the heatmap's label widths, in columns.
const (
	termHeatRowLabelMax   = 28
	termHeatColumnMax     = 16
	termHeatHeadLines     = 3
	termHeatRowLabelLeast = 12
)

// Heatmap writes the heatmap as a table: one column per x value, one row per y
// value, each cell with its value (★ on the best, ● on the deployed) over a bar scaled
// within the heatmap's range, then the legend.
func Heatmap(w io.Writer, h *mlexp.Heatmap, o Options) error {
	t := newTermWriter(w)
	termHeatHead(t, h, o)
	if len(h.Cells) == 0 {
		t.line("No runs to plot.")
		t.line()
		t.line(termHeatCounts(h))
		return t.flush()
	}
	scale := newTermHeatScale(h)
	termHeatTable(h, o, scale).write(t)
	t.line()
	legend := o.markers(true, false) + " Best | " + o.markers(false, true) + " Deployed | · No value"
	if l := scale.legend(o); l != "" {
		legend += " | Legend: " + l
	}
	for _, l := range termWrapAt(legend, " | ", o.width()) {
		t.line(l)
	}
	t.line(termHeatCounts(h))
	return t.flush()
}

// termHeatHead writes the section heading and what the heatmap shows: its axes, the runs
// it counts and how a cell sums up its runs.
func termHeatHead(t *termWriter, h *mlexp.Heatmap, o Options) {
	t.section(o, fmt.Sprintf("HEATMAP: %s by %s × %s", h.MetricLabel, h.XAxis.Label, h.YAxis.Label))
	agg := map[string]string{mlexp.AggBest: "the best", mlexp.AggMean: "the mean", mlexp.AggMedian: "the median", mlexp.AggLatest: "the latest"}[h.Agg]
	runType := "all runs"
	if h.RunType != mlexp.RunTypeAll && h.RunType != "" {
		runType = mlexp.RunType(h.RunType).Label() + " runs"
	}
	better := "higher is better"
	if h.Direction == "min" {
		better = "lower is better"
	}
	for _, l := range termWrapAt(fmt.Sprintf("X: %s · Y: %s · Show: %s · Cell: %s of its runs (%s)", h.XAxis.Label, h.YAxis.Label, runType, cmp.Or(agg, h.Agg), better), " · ", o.width()) {
		t.line(l)
	}
	t.line()
}

// termHeatTable lays the cells out in a table: the x labels as column heads, the y labels
// down the first column, two lines to a cell.
func termHeatTable(h *mlexp.Heatmap, o Options, scale termHeatScale) *termTable {
	nx := len(h.XAxis.Values)
	cw := termHeatColumnWidth(h)
	corner := []string{h.XAxis.Label + " →", h.YAxis.Label + " ↓"}
	labelW := termHeatLabelWidth(h, o, corner, cw)

	tb := &termTable{align: make([]termAlign, nx+1), maxWidth: make([]int, nx+1), minWidth: make([]int, nx+1), rules: true}
	tb.maxWidth[0] = labelW
	for i := 1; i <= nx; i++ {
		tb.align[i], tb.maxWidth[i], tb.minWidth[i] = termCenter, cw, cw
	}
	tb.head = [][]string{corner}
	for _, l := range h.XAxis.Labels {
		tb.head = append(tb.head, termWrapLines(l, cw, termHeatHeadLines))
	}
	for yi, label := range h.YAxis.Labels {
		lines := termWrapLines(label, labelW, 2)
		row := [][]string{lines}
		for xi := range nx {
			c := h.Cells[yi*nx+xi]
			row = append(row, termHeatCell(o, h.Metric, c, scale))
		}
		tb.rows = append(tb.rows, row)
	}
	return tb
}

// termHeatColumnWidth is the width of the value columns: the widest value with its
// markers, the bar, and the longest word of the labels, within limits; then wide enough
// for every label in two lines if it can.
func termHeatColumnWidth(h *mlexp.Heatmap) int {
	cw := termHeatLevels
	for _, c := range h.Cells {
		cw = max(cw, StringWidth(termHeatValue(Options{}, h.Metric, c)), StringWidth(termHeatDeployed(Options{}, h.Metric, c)))
	}
	labels := h.XAxis.Labels
	for _, l := range labels {
		for _, word := range strings.Fields(l) {
			cw = max(cw, min(StringWidth(word), termHeatColumnMax))
		}
	}
	for ; cw < termHeatColumnMax; cw++ {
		fits := true
		for _, l := range labels {
			fits = fits && len(termWrap(l, cw)) <= 2
		}
		if fits {
			break
		}
	}
	return min(cw, termHeatColumnMax)
}

// termHeatLabelWidth is the width of the row labels: they take what the columns of width
// cw leave, wrapping onto the second line of their row before they are truncated.
func termHeatLabelWidth(h *mlexp.Heatmap, o Options, corner []string, cw int) int {
	labelW := 0
	for _, l := range append(slices.Clone(h.YAxis.Labels), corner...) {
		labelW = max(labelW, StringWidth(l))
	}
	labelW = min(labelW, termHeatRowLabelMax)
	if avail := o.width() - 4 - len(h.XAxis.Values)*(cw+3); labelW > avail {
		labelW = max(avail, termHeatRowLabelLeast)
	}
	return labelW
}

// termHeatValue is the first line of a cell: markers and the value, or "·".
func termHeatValue(o Options, metric string, c mlexp.HeatmapCell) string {
	if c.Empty || c.Value == nil {
		return "·"
	}
	return o.markers(c.Best, c.ShowsDeployed()) + mlexp.FormatMetric(metric, float64(*c.Value))
}

// termHeatDeployed is the line of a cell that holds the deployed run but shows another
// run's value: ● with the deployed run's own value; "" otherwise.
func termHeatDeployed(o Options, metric string, c mlexp.HeatmapCell) string {
	if !c.Deployed || c.ShowsDeployed() {
		return ""
	}
	v := mlexp.NoValue
	if c.DeployedValue != nil {
		v = mlexp.FormatMetric(metric, float64(*c.DeployedValue))
	}
	return o.markers(false, true) + v
}

// termHeatCell is the two lines of a cell: the value and its bar; an empty cell has
// "·" and says why when it has runs.
func termHeatCell(o Options, metric string, c mlexp.HeatmapCell, s termHeatScale) []string {
	if c.Empty || c.Value == nil {
		second := ""
		switch {
		case c.Failed > 0:
			second = "(failed)"
		case c.MissingMetric > 0:
			second = "(no value)"
		}
		return []string{"·", o.paint(second, termDim)}
	}
	lines := []string{termHeatValue(o, metric, c), termHeatBar(o, s.level(float64(*c.Value)))}
	if d := termHeatDeployed(o, metric, c); d != "" {
		lines = append(lines, d)
	}
	return lines
}

// termHeatCounts says how many runs the heatmap shows and why the others are not plotted.
func termHeatCounts(h *mlexp.Heatmap) string {
	s := fmt.Sprintf("%s, %d plotted", mlexp.Plural(h.Runs, "run", "runs"), h.Plotted)
	if h.Failed > 0 {
		s += fmt.Sprintf(", %d failed (not plotted)", h.Failed)
	}
	if h.MissingMetric > 0 {
		s += fmt.Sprintf(", %d without %s (not plotted)", h.MissingMetric, h.MetricLabel)
	}
	return s
}
