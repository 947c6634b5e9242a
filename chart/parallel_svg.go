package chart

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
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

// pcTick is a labelled position (0 bottom, 1 top) on an axis.
type pcTick struct {
	pos   float64
	label string
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
		c.nameLines[ai] = m.lines(c.names[ai], c.spacing-24, pcNameSize, true, false)
		c.nLines = max(c.nLines, len(c.nameLines[ai]))
		for i := range c.ticks[ai] {
			c.ticks[ai][i].label = m.fit(c.ticks[ai][i].label, maxTick, pcTickSize, false)
		}
	}
	return c
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
	counts := svgPlural(len(p.Lines), "run") + " drawn"
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
			w.text(x+dx, ty+pcTickSize*0.36, anchor, pcTickSize, false, svgInk, "", t.label, "")
		}
		w.printf("</g>\n</g>\n")
	}
}

// pcParamTicks are the values of a parameter axis at their positions, as BuildParallel
// places lines: numbers linearly between Min and Max, categories evenly spread. A numeric
// axis of many values gets its ends and round numbers between them instead.
func pcParamTicks(a mlexp.ParallelAxis) []pcTick {
	lo, okLo := finiteNumber(a.Min)
	hi, okHi := finiteNumber(a.Max)
	if a.Kind == mlexp.AxisKindNumeric && len(a.Values) > 8 && okLo && okHi && hi > lo {
		return rangeTicks(lo, hi, false, func(v float64) string { return mlexp.FormatMetric("", v) })
	}
	ticks := make([]pcTick, 0, len(a.Values))
	for i, v := range a.Values {
		label := v
		if i < len(a.Labels) && a.Labels[i] != "" {
			label = a.Labels[i]
		}
		pos := 0.5
		if a.Kind == mlexp.AxisKindNumeric {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || !okLo || !okHi || math.IsNaN(n) {
				continue
			}
			if hi > lo {
				pos = (n - lo) / (hi - lo)
			}
		} else if len(a.Values) > 1 {
			pos = float64(i) / float64(len(a.Values)-1)
		}
		ticks = append(ticks, pcTick{pos: pos, label: label})
	}
	return ticks
}

// pcMetricTicks are the metric's range ends and round values between them, the best on top.
func pcMetricTicks(p *mlexp.Parallel, lower bool) []pcTick {
	lo, okLo := finiteNumber(p.MetricMin)
	hi, okHi := finiteNumber(p.MetricMax)
	format := func(v float64) string { return mlexp.FormatMetric(p.Metric, v) }
	switch {
	case !okLo || !okHi || hi < lo:
		return nil
	case hi == lo:
		return []pcTick{{pos: 0.5, label: format(lo)}}
	}
	return rangeTicks(lo, hi, lower, format)
}

// rangeTicks are lo, hi and round values between them, placed linearly from 0 (lo) to 1
// (hi), or the other way round when flip is set.
func rangeTicks(lo, hi float64, flip bool, format func(float64) string) []pcTick {
	place := func(v float64) pcTick {
		t := (v - lo) / (hi - lo)
		if flip {
			t = 1 - t
		}
		return pcTick{pos: t, label: format(v)}
	}
	ticks := []pcTick{place(lo)}
	seen := map[string]bool{ticks[0].label: true}
	add := func(t pcTick) { // a range narrower than the labels' precision would repeat them
		if !seen[t.label] {
			seen[t.label] = true
			ticks = append(ticks, t)
		}
	}
	add(place(hi))
	step := niceStep((hi - lo) / 5)
	if step > 0 && !math.IsInf(step, 0) {
		for i := math.Ceil(lo / step); i*step < hi && len(ticks) < 20; i++ {
			if v := i * step; (v-lo)/(hi-lo) > 1e-9 && (hi-v)/(hi-lo) > 1e-9 {
				add(place(v))
			}
		}
	}
	return ticks
}

// niceStep rounds a step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, k := range []float64{1, 2, 5, 10} {
		if k*p >= raw {
			return k * p
		}
	}
	return 10 * p
}

// pickTicks keeps ticks whose labels do not overlap on an axis of height axisH: always the
// lowest and the highest, then those at least pcTickGap from the ones kept.
func pickTicks(ticks []pcTick, axisH float64) []pcTick {
	if len(ticks) <= 1 {
		return ticks
	}
	ticks = slices.Clone(ticks)
	slices.SortStableFunc(ticks, func(a, b pcTick) int { return cmp.Compare(a.pos, b.pos) })
	first, last := ticks[0], ticks[len(ticks)-1]
	if (last.pos-first.pos)*axisH < pcTickGap {
		return []pcTick{last}
	}
	kept := []pcTick{first}
	for _, t := range ticks[1 : len(ticks)-1] {
		if (t.pos-kept[len(kept)-1].pos)*axisH >= pcTickGap && (last.pos-t.pos)*axisH >= pcTickGap {
			kept = append(kept, t)
		}
	}
	return append(kept, last)
}

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
