package chart

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// epochTicks marks whole epochs only, every 1, 2, 5, 10, 20, 50... epochs, with at most
// ten labels, fewer when the labels are long.
func epochTicks(lo, hi float64) []plot.Tick {
	lo, hi = math.Ceil(lo), math.Floor(hi)
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) || lo > hi {
		return nil
	}
	digits := max(len(strconv.FormatFloat(lo, 'f', 0, 64)), len(strconv.FormatFloat(hi, 'f', 0, 64)))
	most := float64(min(10, max(2, 40/digits)))
	step := 1.0
	for i := 0; (hi-lo)/step > most; i++ {
		step *= []float64{2, 2.5, 2}[i%3] // 1, 2, 5, 10, 20, 50, ...
	}
	start := math.Ceil(lo/step) * step
	var ticks []plot.Tick
	// Count rather than add steps: for huge epochs v+step may equal v.
	for i := 0; i <= 20; i++ {
		v := start + float64(i)*step
		if v > hi {
			break
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	return ticks
}

// valueTicks are the default ticks without those above max, so that room made for the
// legend above 100 % does not show a recall of 110 %. It also gives no ticks for a range
// the default ticker would loop on forever (an infinite span).
type valueTicks struct{ max float64 }

// Ticks implements plot.Ticker.
func (t valueTicks) Ticks(lo, hi float64) []plot.Tick {
	if span := hi - lo; !(span > 0) || math.IsInf(span, 0) {
		return nil
	}
	var ticks []plot.Tick
	for _, tk := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		if tk.Value <= t.max+1e-9 {
			ticks = append(ticks, tk)
		}
	}
	return ticks
}

// legendInset keeps the legend off the axes.
var legendInset = vg.Points(6)

// placeLegend puts the legend of p in the corner of its data area (p drawn in c) that
// covers the fewest points of the lines. When every corner covers some, it raises the top
// of the y axis to make an empty band for the legend.
func placeLegend(p *plot.Plot, c draw.Canvas, ss []series) {
	if len(ss) == 0 || math.IsInf(p.Y.Min, 0) || math.IsInf(p.Y.Max, 0) {
		return
	}
	dc := p.DataCanvas(c)
	size := p.Legend.Rectangle(dc).Size()
	if size.X <= 0 || size.Y <= 0 {
		return // no entry: nothing to place
	}
	tx, ty := p.Transforms(&dc)
	var pts []vg.Point
	for _, s := range ss {
		for i, xy := range s.pts {
			pts = append(pts, vg.Point{X: tx(xy.X), Y: ty(xy.Y)})
			if i == 0 {
				continue
			}
			a, b := pts[len(pts)-2], pts[len(pts)-1]
			for k := 1; k < 16; k++ { // points along the segment, not only its ends
				f := vg.Length(k) / 16
				pts = append(pts, vg.Point{X: a.X + (b.X-a.X)*f, Y: a.Y + (b.Y-a.Y)*f})
			}
		}
	}

	corners := []struct{ top, left bool }{{true, false}, {true, true}, {false, false}, {false, true}}
	best, bestN := 0, math.MaxInt
	for i, k := range corners {
		if n := covered(legendRect(dc, size, k.top, k.left), pts); n < bestN {
			best, bestN = i, n
		}
	}
	top, left := corners[best].top, corners[best].left
	if bestN > 0 {
		// Shrink the data into the part of the height below the legend.
		hgt := float64(dc.Max.Y - dc.Min.Y)
		free := hgt - float64(size.Y+2*legendInset+vg.Points(6))
		if free < hgt/3 {
			free = hgt / 3
		}
		if m := p.Y.Min + (p.Y.Max-p.Y.Min)*hgt/free; !math.IsInf(m, 0) {
			p.Y.Max = m
			top, left = true, false
		}
	}
	p.Legend.Top, p.Legend.Left = top, left
	p.Legend.XOffs, p.Legend.YOffs = -legendInset, -legendInset
	if left {
		p.Legend.XOffs = legendInset
	}
	if !top {
		p.Legend.YOffs = legendInset
	}
}

// legendRect is where the legend of the given size lands in the data area dc, with a margin.
func legendRect(dc draw.Canvas, size vg.Point, top, left bool) vg.Rectangle {
	m := legendInset + vg.Points(6)
	r := vg.Rectangle{Min: vg.Point{X: dc.Max.X - size.X - m, Y: dc.Min.Y}, Max: vg.Point{X: dc.Max.X, Y: dc.Min.Y + size.Y + m}}
	if left {
		r.Min.X, r.Max.X = dc.Min.X, dc.Min.X+size.X+m
	}
	if top {
		r.Min.Y, r.Max.Y = dc.Max.Y-size.Y-m, dc.Max.Y
	}
	return r
}

// covered counts the points inside r.
func covered(r vg.Rectangle, pts []vg.Point) int {
	n := 0
	for _, pt := range pts {
		if pt.X >= r.Min.X && pt.X <= r.Max.X && pt.Y >= r.Min.Y && pt.Y <= r.Max.Y {
			n++
		}
	}
	return n
}
