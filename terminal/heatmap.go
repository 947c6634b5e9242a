package terminal

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// termHeatLevels is how many bar lengths (and colours) a heatmap cell can have.
const termHeatLevels = 5

// termHeatColors is a viridis-like ramp in the xterm 256-colour palette, from the worst level
// to the best: dark purple, blue, teal, green, yellow. It stays ordered in lightness, so
// that it reads with any kind of colour blindness and in grey.
var termHeatColors = [termHeatLevels]int{53, 60, 30, 77, 220}

// Limits of the heatmap's label widths, in columns.
const (
	termHeatRowLabelMax   = 28
	termHeatColumnMax     = 16
	termHeatHeadLines     = 3
	termHeatRowLabelLeast = 12
)

// termHeatScale maps a cell's value to a bar from 1 to termHeatLevels blocks, longer for
// better values. Its thresholds are round numbers (multiples of 1, 2, 2.5 or 5 times a power
// of ten, in the units shown: percent for recall) strictly inside the heatmap's range, at
// most termHeatLevels-1 of them, so that the legend reads "█████ ≥46% ████ 44-46% …" and
// agrees exactly with the bars.
type termHeatScale struct {
	metric     string
	lower      bool      // lower is better
	mul        float64   // 100 for fractions shown as percentages, else 1
	suffix     string    // "%" or ""
	thresholds []float64 // ascending, in shown units
	digits     int       // decimals of the thresholds
	lo, hi     float64   // range of the values, in the metric's unit
	empty      bool      // no value at all
}

func newTermHeatScale(h *mlexp.Heatmap) termHeatScale {
	s := termHeatScale{metric: h.Metric, lower: mlexp.LowerIsBetter(h.Metric), mul: 1}
	if mlexp.IsFraction(h.Metric) {
		s.mul, s.suffix = 100, "%"
	}
	s.lo, s.hi = math.Inf(1), math.Inf(-1)
	for _, c := range h.Cells {
		if c.Empty || c.Value == nil {
			continue
		}
		v := float64(*c.Value)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		s.lo, s.hi = min(s.lo, v), max(s.hi, v)
	}
	if s.lo > s.hi {
		s.empty = true
		return s
	}
	lo, hi := termRound(s.lo*s.mul), termRound(s.hi*s.mul)
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return s
	}
	// The smallest round step with at most termHeatLevels-1 thresholds inside the range.
	exp := math.Floor(math.Log10((hi - lo) / termHeatLevels))
	for tries := 0; tries < 40; tries++ {
		for _, m := range []float64{1, 2, 2.5, 5} {
			step := m * math.Pow(10, exp)
			if step < (hi-lo)/termHeatLevels {
				continue
			}
			digits := max(0, -int(exp))
			if m == 2.5 {
				digits = max(0, 1-int(exp))
			}
			var th []float64
			for k := math.Floor(lo/step) + 1; ; k++ {
				t := termRound(k * step)
				if t <= lo {
					continue
				}
				if t >= hi || len(th) == termHeatLevels {
					break
				}
				th = append(th, t)
			}
			if len(th) < termHeatLevels {
				s.thresholds, s.digits = th, digits
				return s
			}
		}
		exp++
	}
	return s
}

// termRound drops float noise: 0.46*100 is 46.00000000000001.
func termRound(v float64) float64 { return math.Round(v*1e9) / 1e9 }

// levels is how many bar lengths the scale uses.
func (s termHeatScale) levels() int { return len(s.thresholds) + 1 }

// index is the level of v (in the metric's unit) from 1 (worst) to levels() (best).
func (s termHeatScale) index(v float64) int {
	v = termRound(v * s.mul)
	n := 0
	for _, t := range s.thresholds {
		if (!s.lower && v >= t) || (s.lower && v < t) {
			n++
		}
	}
	if s.lower {
		return s.levels() - len(s.thresholds) + n
	}
	return 1 + n
}

// bar is the number of blocks of level i: the best level has termHeatLevels.
func (s termHeatScale) bar(i int) int { return termHeatLevels - (s.levels() - i) }

// level is the number of blocks of the bar of v.
func (s termHeatScale) level(v float64) int { return s.bar(s.index(v)) }

func (s termHeatScale) format(v float64) string {
	return strconv.FormatFloat(v, 'f', s.digits, 64) + s.suffix
}

// legend lists the bars from the best down: "█████ ≥46% ████ 44-46% ███ 42-44% ██ <42%".
func (s termHeatScale) legend(o Options) string {
	if s.empty {
		return ""
	}
	th := s.thresholds
	n := len(th)
	if n == 0 {
		r := mlexp.FormatMetric(s.metric, s.lo)
		if s.hi != s.lo {
			r += "-" + mlexp.FormatMetric(s.metric, s.hi)
		}
		return termHeatBar(o, termHeatLevels) + " " + r
	}
	var parts []string
	for i := s.levels(); i >= 1; i-- {
		k := i - 1 // thresholds at or below the values of level i
		if s.lower {
			k = s.levels() - i
		}
		var r string
		switch {
		case k == 0:
			r = "<" + s.format(th[0])
		case k == n:
			r = "≥" + s.format(th[n-1])
		default:
			r = strings.TrimSuffix(s.format(th[k-1]), s.suffix) + "-" + s.format(th[k])
		}
		parts = append(parts, termHeatBar(o, s.bar(i))+" "+r)
	}
	return strings.Join(parts, " ")
}

// termHeatBar is the bar of a level, in the level's colour.
func termHeatBar(o Options, level int) string {
	return o.paint(strings.Repeat("█", level), "38;5;"+strconv.Itoa(termHeatColors[level-1]))
}

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
	for _, l := range termWrapAt(fmt.Sprintf("X: %s · Y: %s · Show: %s · Cell: %s of its runs (%s)", h.XAxis.Label, h.YAxis.Label, runType, termOr(agg, h.Agg), better), " · ", o.width()) {
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
		cw = max(cw, StringWidth(termHeatValue(Options{}, h.Metric, c)))
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
	return o.markers(c.Best, c.Deployed) + mlexp.FormatMetric(metric, float64(*c.Value))
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
	return []string{termHeatValue(o, metric, c), termHeatBar(o, s.level(float64(*c.Value)))}
}

// termHeatCounts says how many runs the heatmap shows and why the others are not plotted.
func termHeatCounts(h *mlexp.Heatmap) string {
	s := fmt.Sprintf("%d runs, %d plotted", h.Runs, h.Plotted)
	if h.Failed > 0 {
		s += fmt.Sprintf(", %d failed (not plotted)", h.Failed)
	}
	if h.MissingMetric > 0 {
		s += fmt.Sprintf(", %d without %s (not plotted)", h.MissingMetric, h.MetricLabel)
	}
	return s
}
