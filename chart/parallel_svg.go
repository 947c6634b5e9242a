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
	metricLabel := cmp.Or(p.MetricLabel, mlexp.MetricLabel(p.Metric), "metric")
	lower := p.Direction == "min" || p.Direction == "" && mlexp.LowerIsBetter(p.Metric)
	nAxes := len(p.Axes) + 1
	spacing := 160.0
	if nAxes > 1 {
		spacing = clampf(math.Floor(760/float64(nAxes-1)), 96, 170)
	}

	names := make([]string, nAxes)
	ticks := make([][]pcTick, nAxes)
	for ai, a := range p.Axes {
		names[ai] = cmp.Or(a.Label, a.Name)
		ticks[ai] = pickTicks(pcParamTicks(a), pcPlotH)
	}
	names[nAxes-1] = metricLabel
	ticks[nAxes-1] = pickTicks(pcMetricTicks(p, lower), pcPlotH)
	maxTick := spacing * 0.6
	nameLines := make([][]string, nAxes)
	nLines := 1
	for ai := range nAxes {
		nameLines[ai] = m.lines(names[ai], spacing-24, pcNameSize, true, false)
		nLines = max(nLines, len(nameLines[ai]))
		for i := range ticks[ai] {
			ticks[ai][i].label = m.fit(ticks[ai][i].label, maxTick, pcTickSize, false)
		}
	}
	widest := func(ai int) (tw, nw float64) {
		for _, t := range ticks[ai] {
			tw = math.Max(tw, m.width(t.label, pcTickSize, false))
		}
		for _, s := range nameLines[ai] {
			nw = math.Max(nw, m.width(s, pcNameSize, true))
		}
		return tw, nw
	}
	// Tick labels sit left of the axes, but right of the metric axis, away from the lines.
	tw0, nw0 := widest(0)
	left := math.Max(pcPad+tw0+8, pcPad+nw0/2)
	if nAxes == 1 {
		left = pcPad + nw0/2
	}
	twN, nwN := widest(nAxes - 1)
	right := math.Max(twN+8+pcPad, nwN/2+pcPad)
	axisX := func(ai int) float64 { return left + spacing*float64(ai) }
	width := axisX(nAxes-1) + right

	w := &svgWriter{}
	y := pcPad
	var titleLabel *chartLabel
	if opts.Title != "" {
		titleLabel = &chartLabel{x: pcPad, y: y + 15, full: opts.Title, anchor: "start", size: 16, bold: true, color: svgInk, class: "title"}
		y += 30
	}
	namesY := y + 12
	top := namesY + float64(nLines-1)*hmLineH + 16
	yOf := func(pos float64) float64 { return top + (1-clampf(pos, 0, 1))*pcPlotH }

	// Key.
	var chunks [][]keyItem
	scaleChunk := []keyItem{m.textItem(metricLabel, svgInk, true)}
	lo, okLo := finiteNumber(p.MetricMin)
	hi, okHi := finiteNumber(p.MetricMax)
	switch {
	case okLo && okHi && lo < hi:
		worst, best := lo, hi
		if lower {
			worst, best = hi, lo
		}
		scaleChunk = append(scaleChunk, m.textItem(mlexp.FormatMetric(p.Metric, worst), svgInk, false), keyItem{kind: keyScale, w: 120},
			m.textItem(mlexp.FormatMetric(p.Metric, best), svgInk, false), m.textItem(map[bool]string{true: "(lower is better)", false: "(higher is better)"}[lower], svgMuted, false))
	case okLo && okHi:
		scaleChunk = append(scaleChunk, keyItem{kind: keySwatch, w: 16, color: viridis(0.5)}, m.textItem(mlexp.FormatMetric(p.Metric, lo), svgInk, false))
	default:
		scaleChunk = append(scaleChunk, m.textItem("no values to plot", svgMuted, false))
	}
	chunks = append(chunks, scaleChunk,
		[]keyItem{{kind: keyLine, w: 28, color: viridis(1)}, m.textItem("Best run", svgInk, false)},
		[]keyItem{{kind: keyDashed, w: 28, color: svgAxisColor}, m.textItem("Deployed", svgInk, false)})
	counts := svgPlural(len(p.Lines), "run") + " drawn"
	if p.Skipped > 0 {
		counts += fmt.Sprintf(" · %d skipped (failed or without %s)", p.Skipped, metricLabel)
	}
	chunks = append(chunks, []keyItem{m.textItem(counts, svgMuted, false)})
	key, keyBottom := flowKey(chunks, pcPad, top+pcPlotH+18, math.Max(width-pcPad, 460))
	width = math.Ceil(math.Max(width, keyRight(key)+pcPad))
	height := math.Ceil(keyBottom + pcPad - 4)

	name := cmp.Or(opts.Title, "Parallel coordinates of "+metricLabel)
	w.printf(`<svg xmlns="http://www.w3.org/2000/svg" id="%s" class="mlexp-chart mlexp-parallel" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-labelledby="%s-title %s-desc" font-family="%s" data-metric="%s" data-direction="%s">`+"\n",
		id, svgNum(width), svgNum(height), svgNum(width), svgNum(height), id, id, xmlEsc(svgFontFamily), xmlEsc(p.Metric), map[bool]string{true: "min", false: "max"}[lower])
	w.printf(`<title id="%s-title">%s</title>`+"\n", id, xmlEsc(name))
	w.printf(`<desc id="%s-desc">%s</desc>`+"\n", id, xmlEsc(pcDesc(p, metricLabel, lower, names)))
	w.printf(`<defs><linearGradient id="%s-scale">`, id)
	w.scaleStops()
	w.printf("</linearGradient></defs>\n")
	w.printf(`<rect class="background" width="%s" height="%s" fill="#ffffff"/>`+"\n", svgNum(width), svgNum(height))
	if titleLabel != nil {
		titleLabel.lines = []string{m.fit(opts.Title, width-2*pcPad, 16, true)}
		w.label(*titleLabel)
	}

	// Lines first, the worst below; then the deployed run's and the best run's on top.
	order := make([]int, 0, len(p.Lines))
	for li := len(p.Lines) - 1; li >= 0; li-- {
		if !p.Lines[li].Best && !p.Lines[li].Deployed {
			order = append(order, li)
		}
	}
	for li := len(p.Lines) - 1; li >= 0; li-- {
		if p.Lines[li].Deployed && !p.Lines[li].Best {
			order = append(order, li)
		}
	}
	for li := range p.Lines {
		if p.Lines[li].Best {
			order = append(order, li)
		}
	}
	w.printf(`<g class="lines" fill="none" stroke-linecap="round" stroke-linejoin="round">` + "\n")
	for _, li := range order {
		ln := &p.Lines[li]
		var d strings.Builder
		pen := false
		for ai := range nAxes {
			var pos *mlexp.Number
			switch {
			case ai == nAxes-1:
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
			d.WriteString(svgNum(axisX(ai)) + " " + svgNum(yOf(v)))
			pen = true
		}
		if d.Len() == 0 {
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
			class, xmlEsc(ln.RunID), dataNumber(ln.Metric), d.String(), hexColor(col), svgNum(parallelLineWidth(ln.Best)))
		if ln.Deployed {
			w.printf(` stroke-dasharray="7 4"`)
		}
		if !ln.Best {
			w.printf(` stroke-opacity="0.8"`)
		}
		w.printf("><title>%s</title></path>\n", xmlEsc(pcLineTip(p, ln, metricLabel, names)))
	}
	w.printf("</g>\n")

	// Axes, their names and tick labels, over the lines with a white halo.
	for ai := range nAxes {
		x := axisX(ai)
		kind, name := "metric", metricLabel
		if ai < len(p.Axes) {
			kind, name = p.Axes[ai].Kind, p.Axes[ai].Name
		} else {
			name = p.Metric
		}
		w.printf(`<g class="axis" data-axis="%s" data-kind="%s">`+"\n", xmlEsc(name), xmlEsc(kind))
		w.printf(`<path d="M%s %sV%s" stroke="%s" stroke-width="1.5"/>`+"\n", svgNum(x), svgNum(top), svgNum(top+pcPlotH), hexColor(svgAxisColor))
		w.label(chartLabel{x: x, y: namesY + float64(nLines-len(nameLines[ai]))*hmLineH, lines: nameLines[ai], full: names[ai], anchor: "middle", size: pcNameSize, lineH: hmLineH, bold: true, color: svgInk, class: "axis-name"})
		anchor, dx := "end", -6.0
		if ai == nAxes-1 {
			anchor, dx = "start", 6.0
		}
		w.printf(`<g class="ticks" paint-order="stroke" stroke="#ffffff" stroke-width="3" stroke-linejoin="round">` + "\n")
		for _, t := range ticks[ai] {
			ty := yOf(t.pos)
			w.printf(`<path d="M%s %sh%s" stroke="%s" stroke-width="1"/>`, svgNum(x-3), svgNum(ty), svgNum(6), hexColor(svgAxisColor))
			w.text(x+dx, ty+pcTickSize*0.36, anchor, pcTickSize, false, svgInk, "", t.label, "")
		}
		w.printf("</g>\n</g>\n")
	}
	if len(p.Lines) == 0 {
		w.text((left+axisX(nAxes-1))/2, top+pcPlotH/2, "middle", 14, false, svgMuted, "message", "No runs to draw", "")
	}
	w.legend(key, id)
	w.printf("</svg>\n")
	return w.Bytes()
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
