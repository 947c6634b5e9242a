package chart

import (
	"math"
	"slices"
)

// scMaxTicks is how many tick labels an axis of a scatter plot keeps at most, and
// scTickGap the least distance between its x tick labels.
const (
	scMaxTicks = 7
	scTickGap  = 64.0
)

// tx is where a value of the x axis falls on its scale: its log10 on a log axis.
func (p *scatterPlot) tx(v float64) float64 {
	if p.logX {
		return math.Log10(v)
	}
	return v
}

// xTicks are the ticks of the x axis: on a log axis the nice values (XNice, else 1, 2 and
// 5 times a power of ten) within its range; on a linear axis with XNice, the multiples of
// the smallest of them that gives at most scMaxTicks ticks; else round numbers.
func (p *scatterPlot) xTicks(format func(float64) string) []pcTick {
	if !p.logX && p.s.XNice == nil {
		return innerTicks(rangeTicks(p.xlo, p.xhi, false, format))
	}
	var in []float64
	if p.logX {
		for _, v := range niceValues(p.s.XNice, p.xlo, p.xhi) {
			if t := p.tx(v); t >= p.xlo && t <= p.xhi {
				in = append(in, v)
			}
		}
	}
	if len(in) < 2 {
		in = stepValues(p.s.XNice, p.untx(p.xlo), p.untx(p.xhi))
	}
	if len(in) < 2 {
		return innerTicks(rangeTicks(p.xlo, p.xhi, false, func(t float64) string { return format(p.untx(t)) }))
	}
	var ticks []pcTick
	for _, v := range thinTicks(in) { // labels at least scTickGap apart
		t := pcTick{pos: (p.tx(v) - p.xlo) / (p.xhi - p.xlo), label: format(v)}
		if len(ticks) == 0 || (t.pos-ticks[len(ticks)-1].pos)*p.pw >= scTickGap {
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// stepValues are the multiples within lo..hi of the smallest of steps (ascending) that
// gives at most scMaxTicks of them: 3h 30m, 3h 40m for three full trainings of 3h 25m to
// 3h 45m. nil steps are 1, 2 and 5 times powers of ten.
func stepValues(steps []float64, lo, hi float64) []float64 {
	if steps == nil {
		steps = []float64{niceStep((hi - lo) / float64(scMaxTicks-1))}
	}
	for _, step := range steps {
		if step <= 0 || (hi-lo)/step > float64(scMaxTicks) {
			continue
		}
		var out []float64
		for v := math.Ceil(lo/step) * step; v <= hi; v += step {
			out = append(out, v)
		}
		return out
	}
	return nil
}

// untx is the value at t on the x axis's scale.
func (p *scatterPlot) untx(t float64) float64 {
	if p.logX {
		return math.Pow(10, t)
	}
	return t
}

// niceValues are the candidate tick values of a log axis: nice when given, else 1, 2 and
// 5 times the powers of ten around lo..hi (exponents).
func niceValues(nice []float64, lo, hi float64) []float64 {
	if nice != nil {
		return nice
	}
	var out []float64
	for e := math.Floor(lo) - 1; e <= math.Ceil(hi)+1; e++ {
		for _, k := range []float64{1, 2, 5} {
			out = append(out, k*math.Pow(10, e))
		}
	}
	return out
}

// thinTicks keeps at most scMaxTicks of the ascending values vs, evenly, always the first.
func thinTicks(vs []float64) []float64 {
	if len(vs) <= scMaxTicks {
		return vs
	}
	step := (len(vs) + scMaxTicks - 1) / scMaxTicks
	var out []float64
	for i := 0; i < len(vs); i += step {
		out = append(out, vs[i])
	}
	return out
}

// DurationTicks are nice values (and steps) of a duration axis in seconds, 10 s to 10
// days, so that ticks read "5 min", "1h", "3h 30m" rather than "1h 23m".
var DurationTicks = []float64{10, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
	86400, 2 * 86400, 5 * 86400, 10 * 86400}

// labelBox is the box a point label takes.
type labelBox struct{ x0, y0, x1, y1 float64 }

func (a labelBox) overlaps(b labelBox) bool {
	return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
}

// placedLabel is a point label where it is drawn.
type placedLabel struct {
	x, y   float64
	anchor string
}

// placeLabels places the labels of the labelled points, highlighted ones first, each at
// the first of eight spots around its point where it overlaps no point and no label placed
// before it and stays inside the plot; a label without such a spot is left out (the point's
// tooltip still names it). It returns the placements by point index.
func (p *scatterPlot) placeLabels(width func(string) float64) map[int]placedLabel {
	const h, gap = scFont - 1, 7.0
	var taken []labelBox
	for _, i := range p.pts {
		x, y := p.px(p.s.Points[i].X), p.py(p.s.Points[i].Y)
		taken = append(taken, labelBox{x - 4, y - 4, x + 4, y + 4})
	}
	order := slices.Clone(p.pts)
	slices.SortStableFunc(order, func(a, b int) int {
		ha, hb := p.s.Points[a].Highlight, p.s.Points[b].Highlight
		switch {
		case ha && !hb:
			return -1
		case hb && !ha:
			return 1
		}
		return 0
	})
	out := map[int]placedLabel{}
	for _, i := range order {
		pt := p.s.Points[i]
		if !pt.Labelled || pt.Label == "" {
			continue
		}
		x, y, w := p.px(pt.X), p.py(pt.Y), width(pt.Label)
		for _, spot := range []struct {
			dx, dy float64
			anchor string
		}{{gap, -gap + 2, "start"}, {gap, gap + h - 2, "start"}, {-gap, -gap + 2, "end"}, {-gap, gap + h - 2, "end"},
			{0, -gap - 2, "middle"}, {0, gap + h, "middle"}, {gap + 4, h/2 - 1, "start"}, {-gap - 4, h/2 - 1, "end"}} {
			lx, ly := x+spot.dx, y+spot.dy // baseline
			x0 := map[string]float64{"start": lx, "end": lx - w, "middle": lx - w/2}[spot.anchor]
			box := labelBox{x0 - 1, ly - h, x0 + w + 1, ly + 3}
			if box.x0 < scLeft || box.x1 > scLeft+p.pw || box.y0 < scTop || box.y1 > scTop+p.ph {
				continue
			}
			if !slices.ContainsFunc(taken, box.overlaps) {
				taken = append(taken, box)
				out[i] = placedLabel{lx, ly, spot.anchor}
				break
			}
		}
	}
	return out
}
