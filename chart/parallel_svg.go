package chart

import (
	"cmp"
	"fmt"
	"math"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// Sizes of the parallel-coordinates chart.
const (
	pcPad      = 16.0
	pcPlotH    = 300.0 // height of the axes
	pcTickSize = 11.0
	pcNameSize = 12.0
	pcTickGap  = 14.0 // least distance between two tick labels of an axis
)

// parallelLineWidth is the stroke width of a run's line: the best run's is thicker.
func parallelLineWidth(best bool) float64 {
	if best {
		return 3.5
	}
	return 1.5
}

// ParallelSVG draws parallel coordinates as a standalone SVG document.
//
// There is one vertical axis per parameter, then one for the metric, with the best value on
// top. Every run is a <path class="line"> (plus "best", "deployed") with data-run-id and
// data-metric and a <title>, coloured by its metric on the viridis scale; the best run is
// thicker, the deployed one dashed; a line is broken where the run lacks a value.
func ParallelSVG(p *mlexp.Parallel, opts SVGOptions) ([]byte, error) {
	if p == nil {
		return nil, mlexp.Errorf(mlexp.EINVALID, "no parallel-coordinates chart to draw")
	}
	m, err := newTextMeasurer()
	if err != nil {
		return nil, err
	}
	return parallelSVG(p, opts, m), nil
}

// parallelSVG draws p; see ParallelSVG.
func parallelSVG(p *mlexp.Parallel, opts SVGOptions, m *textMeasurer) []byte {
	id := svgID(opts.ID, "mlexp-parallel")
	c := newPCChart(p, m)
	width := c.placeAxes()

	w := &svgWriter{}
	y := pcPad
	var titleLabel *chartLabel
	if opts.Title != "" {
		titleLabel = &chartLabel{x: pcPad, y: y + 15, full: opts.Title, anchor: "start", size: 16, bold: true, color: svgInk, class: "title"}
		y += 30
	}
	c.namesY = y + 12
	c.top = c.namesY + float64(c.nLines-1)*hmLineH + 16

	key, keyBottom := flowKey(c.keyChunks(), pcPad, c.top+pcPlotH+18, math.Max(width-pcPad, 460))
	width = math.Ceil(math.Max(width, keyRight(key)+pcPad))
	height := math.Ceil(keyBottom + pcPad - 4)

	name := cmp.Or(opts.Title, "Parallel coordinates of "+c.metricLabel)
	w.printf(`<svg xmlns="http://www.w3.org/2000/svg" id="%s" class="mlexp-chart mlexp-parallel" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-labelledby="%s-title %s-desc" font-family="%s" data-metric="%s" data-direction="%s">`+"\n",
		id, svgNum(width), svgNum(height), svgNum(width), svgNum(height), id, id, xmlEsc(svgFontFamily), xmlEsc(p.Metric), map[bool]string{true: "min", false: "max"}[c.lower])
	w.printf(`<title id="%s-title">%s</title>`+"\n", id, xmlEsc(name))
	w.printf(`<desc id="%s-desc">%s</desc>`+"\n", id, xmlEsc(pcDesc(p, c.metricLabel, c.lower, c.names)))
	w.printf(`<defs><linearGradient id="%s-scale">`, id)
	w.scaleStops()
	w.printf("</linearGradient></defs>\n")
	w.printf(`<rect class="background" width="%s" height="%s" fill="#ffffff"/>`+"\n", svgNum(width), svgNum(height))
	if titleLabel != nil {
		titleLabel.lines = []string{m.fit(opts.Title, width-2*pcPad, 16, true)}
		w.label(*titleLabel)
	}

	c.writeLines(w)
	c.writeAxes(w)
	if len(p.Lines) == 0 {
		w.text((c.left+c.axisX(c.nAxes-1))/2, c.top+pcPlotH/2, "middle", 14, false, svgMuted, "message", "No runs to draw", "")
	}
	w.legend(key, id)
	w.printf("</svg>\n")
	return w.Bytes()
}

// pcChart is a parallel-coordinates chart being laid out and drawn.
type pcChart struct {
	p           *mlexp.Parallel
	m           *textMeasurer
	metricLabel string
	lower       bool // lower is better
	nAxes       int  // the parameters' and the metric's
	spacing     float64
	names       []string   // of the axes, the metric's last
	nameLines   [][]string // the names as drawn, in one or two lines
	nLines      int        // lines of the longest name
	ticks       [][]pcTick // of each axis, their labels fitted
	left        float64    // x of the first axis
	namesY      float64    // baseline of the first line of the names
	top         float64    // top of the axes
}

// newPCChart names the axes and picks their ticks, the labels fitted to the spacing of
// the axes.
func newPCChart(p *mlexp.Parallel, m *textMeasurer) *pcChart {
	c := &pcChart{p: p, m: m, metricLabel: cmp.Or(p.MetricLabel, mlexp.MetricLabel(p.Metric), "metric"),
		lower: p.Direction == "min" || p.Direction == "" && mlexp.LowerIsBetter(p.Metric), nAxes: len(p.Axes) + 1, spacing: 160.0}
	nAxes := c.nAxes
	if nAxes > 1 {
		c.spacing = clampf(math.Floor(760/float64(nAxes-1)), 96, 170)
	}

	c.names = make([]string, nAxes)
	c.ticks = make([][]pcTick, nAxes)
	for ai, a := range p.Axes {
		c.names[ai] = cmp.Or(a.Label, a.Name)
		c.ticks[ai] = pickTicks(pcParamTicks(a), pcPlotH)
	}
	c.names[nAxes-1] = c.metricLabel
	c.ticks[nAxes-1] = pickTicks(pcMetricTicks(p, c.lower), pcPlotH)
	maxTick := c.spacing * 0.6
	c.nameLines = make([][]string, nAxes)
	c.nLines = 1
	for ai := range nAxes {
		c.shortenTicks(ai, maxTick)
		c.nameLines[ai] = m.lines(c.names[ai], c.spacing-24, pcNameSize, true, false)
		c.nLines = max(c.nLines, len(c.nameLines[ai]))
	}
	return c
}

// shortenTicks fits the tick labels of axis ai in maxW: labels that do not fit lose the
// prefix they share ("config-" of "config-011"), which the axis name then shows once, and
// are truncated when still too long; the whole label stays as a tooltip.
func (c *pcChart) shortenTicks(ai int, maxW float64) {
	ts := c.ticks[ai]
	labels := make([]string, len(ts))
	for i, t := range ts {
		labels[i] = t.label
	}
	short, prefix := distinctLabels(labels, func(s string) bool { return c.m.width(s, pcTickSize, false) <= maxW })
	if prefix != "" {
		c.names[ai] += " (" + strings.TrimSpace(prefix) + "…)"
	}
	for i := range ts {
		ts[i].full = labels[i]
		ts[i].label = c.m.fit(short[i], maxW, pcTickSize, false)
	}
}

// widest is the width of the widest tick label and of the widest name line of axis ai.
func (c *pcChart) widest(ai int) (tw, nw float64) {
	for _, t := range c.ticks[ai] {
		tw = math.Max(tw, c.m.width(t.label, pcTickSize, false))
	}
	for _, s := range c.nameLines[ai] {
		nw = math.Max(nw, c.m.width(s, pcNameSize, true))
	}
	return tw, nw
}

// placeAxes sets the x of the first axis and returns the width the axes take. Tick labels
// sit left of the axes, but right of the metric axis, away from the lines.
func (c *pcChart) placeAxes() float64 {
	tw0, nw0 := c.widest(0)
	c.left = math.Max(pcPad+tw0+8, pcPad+nw0/2)
	if c.nAxes == 1 {
		c.left = pcPad + nw0/2
	}
	twN, nwN := c.widest(c.nAxes - 1)
	right := math.Max(twN+8+pcPad, nwN/2+pcPad)
	return c.axisX(c.nAxes-1) + right
}

// axisX is the x of axis ai.
func (c *pcChart) axisX(ai int) float64 { return c.left + c.spacing*float64(ai) }

// yOf is the y of position pos (0 bottom, 1 top) on the axes.
func (c *pcChart) yOf(pos float64) float64 { return c.top + (1-clampf(pos, 0, 1))*pcPlotH }

// keyChunks are the pieces of the key: the colour scale, the best and deployed lines and
// the counts.
func (c *pcChart) keyChunks() [][]keyItem {
	p, m := c.p, c.m
	lo, okLo := finiteNumber(p.MetricMin)
	hi, okHi := finiteNumber(p.MetricMax)
	chunks := [][]keyItem{scaleKey(m, p.Metric, c.metricLabel, lo, hi, okLo && okHi, c.lower, viridis(0.5)),
		{{kind: keyLine, w: 28, color: viridis(1)}, m.textItem("Best run", svgInk, false)},
		{{kind: keyDashed, w: 28, color: svgAxisColor}, m.textItem("Deployed", svgInk, false)}}
	counts := mlexp.Plural(len(p.Lines), "run", "runs") + " drawn"
	if p.Skipped > 0 {
		counts += fmt.Sprintf(" · %d skipped (failed or without %s)", p.Skipped, c.metricLabel)
	}
	return append(chunks, []keyItem{m.textItem(counts, svgMuted, false)})
}

// lineOrder is the order the lines are drawn in: the worst below, then the deployed run's
// and the best run's on top.
func (c *pcChart) lineOrder() []int {
	lines := c.p.Lines
	order := make([]int, 0, len(lines))
	for li := len(lines) - 1; li >= 0; li-- {
		if !lines[li].Best && !lines[li].Deployed {
			order = append(order, li)
		}
	}
	for li := len(lines) - 1; li >= 0; li-- {
		if lines[li].Deployed && !lines[li].Best {
			order = append(order, li)
		}
	}
	for li := range lines {
		if lines[li].Best {
			order = append(order, li)
		}
	}
	return order
}

// linePath is the path data of a run's line, broken where the run lacks a position; ""
// when it has none.
func (c *pcChart) linePath(ln *mlexp.ParallelLine) string {
	var d strings.Builder
	pen := false
	for ai := range c.nAxes {
		var pos *mlexp.Number
		switch {
		case ai == c.nAxes-1:
			pos = ln.MetricPosition
		case ai < len(ln.Positions):
			pos = ln.Positions[ai]
		}
		v, ok := finiteNumber(pos)
		if !ok {
			pen = false
			continue
		}
		if pen {
			d.WriteString("L")
		} else {
			if d.Len() > 0 {
				d.WriteString(" ")
			}
			d.WriteString("M")
		}
		d.WriteString(svgNum(c.axisX(ai)) + " " + svgNum(c.yOf(v)))
		pen = true
	}
	return d.String()
}

// writeLines writes a path per run, coloured by its metric.
func (c *pcChart) writeLines(w *svgWriter) {
	w.printf(`<g class="lines" fill="none" stroke-linecap="round" stroke-linejoin="round">` + "\n")
	for _, li := range c.lineOrder() {
		ln := &c.p.Lines[li]
		d := c.linePath(ln)
		if d == "" {
			continue
		}
		col := svgNoColor
		if t, ok := finiteNumber(ln.MetricPosition); ok {
			col = viridis(t)
		}
		class := "line"
		if ln.Best {
			class += " best"
		}
		if ln.Deployed {
			class += " deployed"
		}
		w.printf(`<path class="%s" data-run-id="%s" data-metric="%s" d="%s" stroke="%s" stroke-width="%s"`,
			class, xmlEsc(ln.RunID), dataNumber(ln.Metric), d, hexColor(col), svgNum(parallelLineWidth(ln.Best)))
		if ln.Deployed {
			w.printf(` stroke-dasharray="7 4"`)
		}
		if !ln.Best {
			w.printf(` stroke-opacity="0.8"`)
		}
		w.printf("><title>%s</title></path>\n", xmlEsc(pcLineTip(c.p, ln, c.metricLabel, c.names)))
	}
	w.printf("</g>\n")
}

// writeAxes writes the axes, their names and tick labels, over the lines with a white halo.
func (c *pcChart) writeAxes(w *svgWriter) {
	p := c.p
	for ai := range c.nAxes {
		x := c.axisX(ai)
		kind, name := "metric", c.metricLabel
		if ai < len(p.Axes) {
			kind, name = p.Axes[ai].Kind, p.Axes[ai].Name
		} else {
			name = p.Metric
		}
		w.printf(`<g class="axis" data-axis="%s" data-kind="%s">`+"\n", xmlEsc(name), xmlEsc(kind))
		w.printf(`<path d="M%s %sV%s" stroke="%s" stroke-width="1.5"/>`+"\n", svgNum(x), svgNum(c.top), svgNum(c.top+pcPlotH), hexColor(svgAxisColor))
		w.label(chartLabel{x: x, y: c.namesY + float64(c.nLines-len(c.nameLines[ai]))*hmLineH, lines: c.nameLines[ai], full: c.names[ai], anchor: "middle", size: pcNameSize, lineH: hmLineH, bold: true, color: svgInk, class: "axis-name"})
		anchor, dx := "end", -6.0
		if ai == c.nAxes-1 {
			anchor, dx = "start", 6.0
		}
		w.printf(`<g class="ticks" paint-order="stroke" stroke="#ffffff" stroke-width="3" stroke-linejoin="round">` + "\n")
		for _, t := range c.ticks[ai] {
			ty := c.yOf(t.pos)
			w.printf(`<path d="M%s %sh%s" stroke="%s" stroke-width="1"/>`, svgNum(x-3), svgNum(ty), svgNum(6), hexColor(svgAxisColor))
			w.text(x+dx, ty+pcTickSize*0.36, anchor, pcTickSize, false, svgInk, "", t.label, t.full)
		}
		w.printf("</g>\n</g>\n")
	}
}
