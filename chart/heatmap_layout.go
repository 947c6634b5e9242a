package chart

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// hmLayout is a heatmap laid out in SVG units (CSS pixels), shared by the SVG and the PNG.
type hmLayout struct {
	id                 string
	width, height      float64
	name, desc         string // accessible title and description
	labels             []chartLabel
	cells              []hmCellBox
	valueSize, subSize float64
	key                []keyItem
	metric, direction  string
}

// hmCellBox is one cell as drawn.
type hmCellBox struct {
	cell           *mlexp.HeatmapCell
	x, y, w, h     float64 // the coloured rectangle
	fill           color.RGBA
	empty          bool
	ink            color.RGBA // text colour
	value, sub     string
	valueY, subY   float64 // baselines
	best, deployed bool
	tip            string
}

// Sizes of the heatmap layout.
const (
	hmPad       = 16.0
	hmLabelSize = 12.0
	hmLineH     = 15.0
)

// layoutHeatmap places every part of the heatmap.
func layoutHeatmap(h *mlexp.Heatmap, opts SVGOptions) (*hmLayout, error) {
	nx, ny := len(h.XAxis.Values), len(h.YAxis.Values)
	if len(h.Cells) != nx*ny {
		return nil, mlexp.Errorf(mlexp.EINVALID, "the heatmap has %d cells for %d×%d values", len(h.Cells), nx, ny)
	}
	m, err := newTextMeasurer()
	if err != nil {
		return nil, err
	}
	lower := h.Direction == "min" || h.Direction == "" && mlexp.LowerIsBetter(h.Metric)
	b := &hmBuilder{h: h, m: m, metricLabel: cmp.Or(h.MetricLabel, mlexp.MetricLabel(h.Metric), "value"), lower: lower,
		l: &hmLayout{id: svgID(opts.ID, "mlexp-heatmap"), metric: h.Metric, direction: map[bool]string{true: "min", false: "max"}[lower]}}
	l := b.l
	b.valueRange()

	y := hmPad
	if opts.Title != "" {
		l.labels = append(l.labels, chartLabel{x: hmPad, y: y + 15, full: opts.Title, anchor: "start", size: 16, bold: true, color: svgInk, class: "title"})
		y += 30
	}
	b.sizeCells()
	b.axisLabels(y)
	anyEmpty, best, deployed := b.placeCells()
	gridRight, gridBottom := b.gridX+b.cw*float64(nx), b.gridY+b.ch*float64(ny)
	if nx == 0 || ny == 0 {
		l.labels = append(l.labels, chartLabel{x: hmPad, y: y + 24, lines: []string{"No runs to show"}, anchor: "start", size: 14, color: svgMuted, class: "message"})
		gridRight, gridBottom = hmPad+320, y+40
	}

	maxRight := math.Max(gridRight, 460)
	var keyBottom float64
	l.key, keyBottom = flowKey(b.keyChunks(anyEmpty), hmPad, gridBottom+12, maxRight)

	l.width = math.Ceil(math.Max(gridRight, keyRight(l.key)) + hmPad)
	for i := range l.labels {
		if lb := &l.labels[i]; lb.class == "title" {
			lb.lines = []string{m.fit(lb.full, l.width-2*hmPad, lb.size, true)}
		}
	}
	l.height = math.Ceil(keyBottom + hmPad - 4)

	l.name = cmp.Or(opts.Title, fmt.Sprintf("%s by %s and %s", b.metricLabel, cmp.Or(h.XAxis.Label, h.XAxis.Name), cmp.Or(h.YAxis.Label, h.YAxis.Name)))
	l.desc = hmDesc(h, b.metricLabel, lower, best, deployed)
	return l, nil
}

// hmBuilder lays out a heatmap, step by step, into l.
type hmBuilder struct {
	h           *mlexp.Heatmap
	m           *textMeasurer
	l           *hmLayout
	metricLabel string
	lower       bool    // lower is better
	lo, hi      float64 // range of the finite values: lo > hi when there is none
	cw, ch      float64 // size of a cell
	labelSize   float64 // font size of the axis labels
	leftW       float64 // width of the y labels
	gridX       float64 // left of the cells
	gridY       float64 // top of the cells
}

// valueRange sets the range of the finite values, which the colour scale spans.
func (b *hmBuilder) valueRange() {
	b.lo, b.hi = math.Inf(1), math.Inf(-1)
	for i := range b.h.Cells {
		if v, ok := hmCellValue(&b.h.Cells[i]); ok {
			b.lo, b.hi = math.Min(b.lo, v), math.Max(b.hi, v)
		}
	}
}

// scale is where v falls on the colour scale: 1 for the best value (yellow), 0 for the
// worst (dark purple).
func (b *hmBuilder) scale(v float64) float64 {
	if b.hi <= b.lo {
		return 1
	}
	t := (v - b.lo) / (b.hi - b.lo)
	if b.lower {
		t = 1 - t
	}
	return t
}

// sizeCells sets the size of the cells, which shrink with their number down to what still
// holds a value, and the font sizes that go with it.
func (b *hmBuilder) sizeCells() {
	nx, ny := len(b.h.XAxis.Values), len(b.h.YAxis.Values)
	b.cw, b.ch = 116.0, 56.0
	if nx > 0 {
		b.cw = clampf(math.Floor(760/float64(nx)), 52, 116)
	}
	if ny > 0 {
		b.ch = clampf(math.Floor(440/float64(ny)), 30, 56)
	}
	b.labelSize = hmLabelSize
	if b.cw < 72 {
		b.labelSize = 11
	}
	b.l.valueSize = clampf(math.Min(b.cw/6.5, b.ch/3.2), 10, 16)
	b.l.subSize = clampf(math.Round(b.l.valueSize*0.72*2)/2, 10, 12) // 10 px at least: charts are drawn 1:1
}

// axisLabels places the axis names and labels from y down: the x axis name, the x labels
// in one or two lines, then the y axis name over the column of y labels, which sets the
// left of the grid. It sets the grid's top-left corner.
func (b *hmBuilder) axisLabels(y float64) {
	h, m, l := b.h, b.m, b.l
	nx, ny := len(h.XAxis.Values), len(h.YAxis.Values)
	cw, labelSize := b.cw, b.labelSize

	// Left column: the y labels and, above them, the y axis name. Labels too long for it
	// lose the prefix they all share, which the axis name then shows once.
	yLabels, yPrefix := distinctLabels(hmAxisLabels(h.YAxis), func(s string) bool { return m.width(s, labelSize, false) <= 240 })
	yName := hmAxisName(h.YAxis, yPrefix)
	leftW := m.width(yName, hmLabelSize, true)
	for _, s := range yLabels {
		leftW = math.Max(leftW, m.width(s, labelSize, false))
	}
	b.leftW = clampf(leftW, 40, 240)
	b.gridX = hmPad + b.leftW + 12

	// Header: the x axis name, then the x labels in one or two lines; labels that do not
	// fit a column lose their shared prefix ("config-" of "config-011"), named once above.
	split := h.XAxis.Name == mlexp.AxisEmbeddingDims // "user:64" over "prod:32", as people read them
	xLabels, xPrefix := distinctLabels(hmAxisLabels(h.XAxis), func(s string) bool {
		return !strings.Contains(strings.Join(m.lines(s, cw-8, labelSize, false, split), " "), "…")
	})
	xLines := make([][]string, nx)
	nLines := 1
	for i := range nx {
		xLines[i] = m.lines(xLabels[i], cw-8, labelSize, false, split)
		nLines = max(nLines, len(xLines[i]))
	}
	gridW := cw * float64(nx)
	if nx > 0 {
		xName := hmAxisName(h.XAxis, xPrefix)
		l.labels = append(l.labels, chartLabel{x: b.gridX + gridW/2, y: y + 12, lines: []string{m.fit(xName, math.Max(gridW, 120), hmLabelSize, true)},
			full: xName, anchor: "middle", size: hmLabelSize, bold: true, color: svgMuted, class: "axis-name x"})
	}
	lastLine := y + 18 + 12 + float64(nLines-1)*hmLineH
	for i := range nx {
		top := lastLine - float64(len(xLines[i])-1)*hmLineH // one-line labels sit on the last line
		l.labels = append(l.labels, chartLabel{x: b.gridX + cw*(float64(i)+0.5), y: top, lines: xLines[i], full: hmAxisLabel(h.XAxis, i),
			anchor: "middle", size: labelSize, lineH: hmLineH, color: svgInk, class: "label x"})
	}
	if ny > 0 {
		l.labels = append(l.labels, chartLabel{x: hmPad, y: lastLine, lines: []string{m.fit(yName, b.leftW, hmLabelSize, true)}, full: yName,
			anchor: "start", size: hmLabelSize, bold: true, color: svgMuted, class: "axis-name y"})
	}
	b.gridY = lastLine + 10

	for yi := range ny {
		full := hmAxisLabel(h.YAxis, yi)
		l.labels = append(l.labels, chartLabel{x: hmPad, y: b.gridY + b.ch*(float64(yi)+0.5) + labelSize*0.36, lines: []string{m.fit(yLabels[yi], b.leftW, labelSize, false)},
			full: full, anchor: "start", size: labelSize, color: svgInk, class: "label y"})
	}
}

// placeCells lays out every cell, row by row. It says whether a cell has no value, and
// which cells are the best and the deployed ones.
func (b *hmBuilder) placeCells() (anyEmpty bool, best, deployed []*mlexp.HeatmapCell) {
	nx, ny := len(b.h.XAxis.Values), len(b.h.YAxis.Values)
	for yi := range ny {
		for xi := range nx {
			box := b.cellBox(xi, yi)
			if box.best {
				best = append(best, box.cell)
			}
			if box.cell.Deployed {
				deployed = append(deployed, box.cell)
			}
			anyEmpty = anyEmpty || box.empty
			b.l.cells = append(b.l.cells, box)
		}
	}
	return anyEmpty, best, deployed
}

// cellBox lays out the cell at column xi and row yi: its rectangle and colour, its value
// and the line under it (the number of runs, or why it has no value) and their baselines.
func (b *hmBuilder) cellBox(xi, yi int) hmCellBox {
	h, l := b.h, b.l
	c := &h.Cells[yi*len(h.XAxis.Values)+xi]
	box := hmCellBox{cell: c, x: b.gridX + b.cw*float64(xi) + 1, y: b.gridY + b.ch*float64(yi) + 1, w: b.cw - 2, h: b.ch - 2,
		best: c.Best, deployed: c.ShowsDeployed()}
	v, ok := hmCellValue(c)
	switch {
	case ok:
		box.fill = viridis(b.scale(v))
		box.ink = textColorOn(box.fill)
		box.value = mlexp.FormatMetric(h.Metric, v)
		if c.N > 1 {
			box.sub = "n=" + strconv.Itoa(c.N)
		}
		if c.Deployed && !box.deployed { // the ● goes with the deployed run's own value
			box.sub = "● " + mlexp.NoValue
			if dv, ok := finiteNumber(c.DeployedValue); ok {
				box.sub = "● " + mlexp.FormatMetric(h.Metric, dv)
			}
		}
	default:
		box.empty, box.fill, box.ink, box.value = true, svgHatchBg, svgMuted, mlexp.NoValue
		switch {
		case c.Failed > 0 && c.MissingMetric == 0:
			box.sub = fmt.Sprintf("✕ %d failed", c.Failed)
		case c.MissingMetric > 0:
			box.sub = "no " + b.metricLabel
		}
	}
	box.sub = b.m.fit(box.sub, b.cw-6, l.subSize, false)
	cy := box.y + box.h/2
	if box.sub == "" {
		box.valueY = cy + l.valueSize*0.36
	} else {
		gap := math.Max(3, l.valueSize*0.3)
		top := cy - (0.72*l.valueSize+gap+0.72*l.subSize)/2
		box.valueY = top + 0.72*l.valueSize
		box.subY = box.valueY + gap + 0.72*l.subSize
	}
	box.tip = hmCellTip(h, c, xi, yi, b.metricLabel)
	return box
}

// keyChunks are the pieces of the key: the colour scale, the markers, the empty-cell
// pattern and the counts.
func (b *hmBuilder) keyChunks(anyEmpty bool) [][]keyItem {
	m := b.m
	chunks := [][]keyItem{scaleKey(m, b.h.Metric, b.metricLabel, b.lo, b.hi, b.lo <= b.hi, b.lower, viridis(1))}
	if len(b.l.cells) > 0 {
		chunks = append(chunks, []keyItem{{kind: keyStar, w: 12}, m.textItem("Best", svgInk, false)},
			[]keyItem{{kind: keyDot, w: 12}, m.textItem("Deployed", svgInk, false)})
	}
	if anyEmpty {
		chunks = append(chunks, []keyItem{{kind: keyHatch, w: 16}, m.textItem("No value", svgInk, false)})
	}
	if counts := hmCounts(b.h, b.metricLabel); counts != "" {
		chunks = append(chunks, []keyItem{m.textItem(counts, svgMuted, false)})
	}
	return chunks
}

// hmAxisLabels are the labels of every value of an axis.
func hmAxisLabels(a mlexp.AxisValues) []string {
	out := make([]string, len(a.Values))
	for i := range a.Values {
		out[i] = hmAxisLabel(a, i)
	}
	return out
}

// hmAxisName is the name of an axis as drawn, with the prefix its labels lost: "Config Id
// (config-…)".
func hmAxisName(a mlexp.AxisValues, prefix string) string {
	name := cmp.Or(a.Label, a.Name)
	if prefix != "" {
		name += " (" + strings.TrimSpace(prefix) + "…)"
	}
	return name
}

// hmCellValue is the value a cell is drawn with, and whether it has one.
func hmCellValue(c *mlexp.HeatmapCell) (float64, bool) {
	if c.Empty {
		return 0, false
	}
	return finiteNumber(c.Value)
}
