package chart

import (
	"image/color"
	"math"
	"strconv"
	"strings"
)

// Scatter is a scatter plot: points on two numeric axes, optionally the diagonal y = x
// (for two measures of one thing) and a polyline through some points (a Pareto front).
type Scatter struct {
	ID             string // id of the <svg> and prefix of its ids
	Title          string // drawn above the plot and as the <title>
	XLabel, YLabel string
	XFormat        func(float64) string // tick labels
	YFormat        func(float64) string
	Points         []ScatterPoint
	Diagonal       bool       // draw y = x (both axes share one range)
	Line           []int      // indexes of Points joined by a line, in order
	Desc           string     // <desc> for screen readers
	Width, Height  float64    // default 480 × 360
	Highlight      color.RGBA // colour of highlighted points; default gold
	// LogX puts x on a log scale, for a resource that spans orders of magnitude (quick
	// tests and full trainings); it is ignored unless every finite x is positive.
	LogX bool
	// XNice are the values x ticks may fall on, ascending (DurationTicks for durations):
	// on a linear axis (or a log axis too narrow for two of them) the multiples of one of
	// them; nil: 1, 2 and 5 times powers of ten on a log axis, round numbers on a linear one.
	XNice []float64
}

// ScatterPoint is one point. Label is drawn beside it when Labelled; Tip is its hover text.
type ScatterPoint struct {
	X, Y      float64
	Label     string
	Tip       string
	Labelled  bool
	Highlight bool   // drawn larger, in the highlight colour (the best, a front)
	Class     string // extra class of its <g>
	DataID    string // data-id, e.g. a run or config id
}

// Margins of the plot area inside the SVG.
const (
	scLeft, scRight, scTop, scBottom = 64.0, 24.0, 36.0, 52.0
	scFont                           = 12.0
)

var (
	scInk   = color.RGBA{0x33, 0x33, 0x33, 0xff}
	scGrid  = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	scPoint = color.RGBA{0x3b, 0x52, 0x8b, 0xff} // viridis blue
	scGold  = color.RGBA{0xc8, 0x8a, 0x00, 0xff}
)

// ScatterSVG draws s as a standalone SVG document. Every point is a <g class="point"> (plus
// "highlight" and its Class) with data-x, data-y and data-id and a <title>; all text is
// XML-escaped. Points that are not finite are left out.
func ScatterSVG(s Scatter) []byte {
	p := newScatterPlot(s)
	id := svgID(s.ID, "mlexp-scatter")
	var b svgWriter
	b.printf(`<svg xmlns="http://www.w3.org/2000/svg" id="%s" class="mlexp-scatter" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-labelledby="%s-title %s-desc" font-family="%s">`,
		id, svgNum(p.w), svgNum(p.h), svgNum(p.w), svgNum(p.h), id, id, svgFontFamily)
	b.printf(`<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, xmlEsc(s.Title), id, xmlEsc(s.Desc))
	b.printf(`<rect width="100%%" height="100%%" fill="#ffffff"/>`)
	if s.Title != "" {
		b.text(scLeft, 20, "start", 14, true, scInk, "title", s.Title, "")
	}
	p.axes(&b)
	p.front(&b)
	p.points(&b)
	b.printf(`</svg>`)
	return b.Bytes()
}

// scatterPlot is a Scatter laid out: its size, the finite points and the axes' ranges.
type scatterPlot struct {
	s                  Scatter
	w, h               float64 // size of the SVG
	pw, ph             float64 // size of the plot area
	xlo, xhi, ylo, yhi float64 // the axes' ranges, padded
	pts                []int   // indexes of the finite points
	hl                 color.RGBA
	logX               bool // xlo and xhi are log10s
}

func newScatterPlot(s Scatter) *scatterPlot {
	p := &scatterPlot{s: s, w: s.Width, h: s.Height, hl: s.Highlight}
	if p.w <= 0 {
		p.w = 480
	}
	if p.h <= 0 {
		p.h = 360
	}
	if p.hl.A == 0 {
		p.hl = scGold
	}
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i, pt := range s.Points {
		if !finitePair(pt.X, pt.Y) {
			continue
		}
		p.pts = append(p.pts, i)
		xlo, xhi, ylo, yhi = math.Min(xlo, pt.X), math.Max(xhi, pt.X), math.Min(ylo, pt.Y), math.Max(yhi, pt.Y)
	}
	if len(p.pts) == 0 {
		xlo, xhi, ylo, yhi = 0, 1, 0, 1
	}
	if p.logX = s.LogX && !s.Diagonal && len(p.pts) > 0 && xlo > 0; p.logX {
		xlo, xhi = math.Log10(xlo), math.Log10(xhi)
	}
	if s.Diagonal {
		xlo, xhi = math.Min(xlo, ylo), math.Max(xhi, yhi)
		ylo, yhi = xlo, xhi
	}
	p.xlo, p.xhi = padRange(xlo, xhi)
	p.ylo, p.yhi = padRange(ylo, yhi)
	p.pw, p.ph = p.w-scLeft-scRight, p.h-scTop-scBottom
	return p
}

// px and py place a value of the x and the y axis in the SVG.
func (p *scatterPlot) px(v float64) float64 { return scLeft + (p.tx(v)-p.xlo)/(p.xhi-p.xlo)*p.pw }
func (p *scatterPlot) py(v float64) float64 { return scTop + p.ph - (v-p.ylo)/(p.yhi-p.ylo)*p.ph }

// axes writes the grid with its tick labels, the frame, the axis labels and the diagonal.
func (p *scatterPlot) axes(b *svgWriter) {
	xf, yf := p.s.XFormat, p.s.YFormat
	if xf == nil {
		xf = func(v float64) string { return svgNum(v) }
	}
	if yf == nil {
		yf = func(v float64) string { return svgNum(v) }
	}
	pw, ph := p.pw, p.ph
	for _, t := range p.xTicks(xf) {
		x := scLeft + t.pos*pw
		b.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, svgNum(x), svgNum(scTop), svgNum(x), svgNum(scTop+ph), hexColor(scGrid))
		b.text(x, scTop+ph+16, "middle", scFont-1, false, scInk, "tick", t.label, "")
	}
	for _, t := range innerTicks(rangeTicks(p.ylo, p.yhi, false, yf)) {
		y := scTop + ph - t.pos*ph
		b.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, svgNum(scLeft), svgNum(y), svgNum(scLeft+pw), svgNum(y), hexColor(scGrid))
		b.text(scLeft-6, y+4, "end", scFont-1, false, scInk, "tick", t.label, "")
	}
	b.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="%s"/>`, svgNum(scLeft), svgNum(scTop), svgNum(pw), svgNum(ph), hexColor(scInk))
	b.text(scLeft+pw/2, p.h-12, "middle", scFont, false, scInk, "axis-label", p.s.XLabel, "")
	b.printf(`<text x="14" y="%s" font-size="%s" text-anchor="middle" fill="%s" class="axis-label" transform="rotate(-90 14 %s)">%s</text>`,
		svgNum(scTop+ph/2), svgNum(scFont), hexColor(scInk), svgNum(scTop+ph/2), xmlEsc(p.s.YLabel))
	if p.s.Diagonal {
		b.printf(`<line class="diagonal" x1="%s" y1="%s" x2="%s" y2="%s" stroke="#999999" stroke-dasharray="4 4"/>`,
			svgNum(p.px(p.xlo)), svgNum(p.py(p.ylo)), svgNum(p.px(p.xhi)), svgNum(p.py(p.yhi)))
	}
}

// front writes the line through the points of Line that are finite, when there are two.
func (p *scatterPlot) front(b *svgWriter) {
	var line []string
	for _, i := range p.s.Line {
		if i >= 0 && i < len(p.s.Points) && finitePair(p.s.Points[i].X, p.s.Points[i].Y) {
			line = append(line, svgNum(p.px(p.s.Points[i].X))+","+svgNum(p.py(p.s.Points[i].Y)))
		}
	}
	if len(line) > 1 {
		b.printf(`<polyline class="front" points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(line, " "), hexColor(p.hl))
	}
}

// points writes the finite points with their titles and labels, placed apart.
func (p *scatterPlot) points(b *svgWriter) {
	width := func(s string) float64 { return 0.6 * (scFont - 1) * float64(len([]rune(s))) }
	if m, err := newTextMeasurer(); err == nil {
		width = func(s string) float64 { return m.width(s, scFont-1, false) }
	}
	labels := p.placeLabels(width)
	for _, i := range p.pts {
		pt := p.s.Points[i]
		class, r, c := "point", 4.5, scPoint
		if pt.Highlight {
			class, r, c = "point highlight", 6, p.hl
		}
		if pt.Class != "" {
			class += " " + pt.Class
		}
		x, y := p.px(pt.X), p.py(pt.Y)
		b.printf(`<g class="%s" data-x="%s" data-y="%s" data-id="%s"><title>%s</title>`, xmlEsc(class), fmtData(pt.X), fmtData(pt.Y), xmlEsc(pt.DataID), xmlEsc(pt.Tip))
		b.printf(`<circle cx="%s" cy="%s" r="%s" fill="%s" fill-opacity="0.85" stroke="#ffffff"/>`, svgNum(x), svgNum(y), svgNum(r), hexColor(c))
		if l, ok := labels[i]; ok {
			b.text(l.x, l.y, l.anchor, scFont-1, false, scInk, "point-label", pt.Label, "")
		}
		b.printf(`</g>`)
	}
}

// innerTicks drops the ticks at the ends of the padded range, whose odd values would crowd
// the round ones, when at least two round ones are left.
func innerTicks(ts []pcTick) []pcTick {
	var inner []pcTick
	for _, t := range ts {
		if t.pos > 1e-9 && t.pos < 1-1e-9 {
			inner = append(inner, t)
		}
	}
	if len(inner) < 2 {
		return ts
	}
	return inner
}

func finitePair(x, y float64) bool {
	return !math.IsNaN(x) && !math.IsInf(x, 0) && !math.IsNaN(y) && !math.IsInf(y, 0)
}

// padRange widens [lo, hi] by 8% on each side, and a single value to a small range.
func padRange(lo, hi float64) (float64, float64) {
	if hi <= lo {
		d := math.Max(math.Abs(lo)*0.05, 0.01)
		return lo - d, hi + d
	}
	d := (hi - lo) * 0.08
	return lo - d, hi + d
}

func fmtData(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
