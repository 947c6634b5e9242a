package chart

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"

	"github.com/mlexp-dev/mlexp"
)

// HeatmapPNG draws a heatmap as a PNG image, on the server, without a browser.
//
// It draws the same layout as HeatmapSVG, at opts.Scale pixels per SVG unit.
func HeatmapPNG(h *mlexp.Heatmap, opts SVGOptions) ([]byte, error) {
	if h == nil {
		return nil, mlexp.Errorf(mlexp.EINVALID, "no heatmap to draw")
	}
	l, err := layoutHeatmap(h, opts)
	if err != nil {
		return nil, err
	}
	return l.png(svgPNGScale(opts.Scale))
}

// svgPNGScale is the PNG pixels per SVG unit for SVGOptions.Scale: 2 by default, within
// 0.5..4.
func svgPNGScale(s float64) float64 {
	switch {
	case s == 0 || math.IsNaN(s):
		return 2
	case s < 0.5:
		return 0.5
	case s > 4:
		return 4
	}
	return s
}

// pngCanvas draws in SVG units on an RGBA image, s pixels per unit, with the chart fonts.
type pngCanvas struct {
	img   *image.RGBA
	s     float64
	fonts *chartFonts
	faces map[pngFaceKey]xfont.Face
}

type pngFaceKey struct {
	size float64
	bold bool
}

// png draws the heatmap as a PNG at s pixels per SVG unit.
func (l *hmLayout) png(s float64) ([]byte, error) {
	f, err := loadChartFonts()
	if err != nil {
		return nil, err
	}
	w, h := int(math.Ceil(l.width*s)), int(math.Ceil(l.height*s))
	c := &pngCanvas{img: image.NewRGBA(image.Rect(0, 0, w, h)), s: s, fonts: f, faces: map[pngFaceKey]xfont.Face{}}
	defer c.close()
	draw.Draw(c.img, c.img.Bounds(), image.NewUniform(svgWhite), image.Point{}, draw.Src)

	for _, lb := range l.labels {
		for i, line := range lb.lines {
			c.text(lb.x, lb.y+float64(i)*lb.lineH, lb.anchor, lb.size, lb.bold, lb.color, line)
		}
	}
	for _, b := range l.cells {
		c.cell(b, l.valueSize, l.subSize)
	}
	for _, it := range l.key {
		c.legendItem(it)
	}

	var buf bytes.Buffer
	if err := png.Encode(&buf, c.img); err != nil {
		return nil, &mlexp.Error{Code: mlexp.EINTERNAL, Message: "cannot encode the heatmap", Err: err}
	}
	return buf.Bytes(), nil
}

// cell draws a heatmap cell: its colour or hatch, the frame of the best cell, the value
// with its markers at valueSize and the line under it at subSize.
func (c *pngCanvas) cell(b hmCellBox, valueSize, subSize float64) {
	if b.empty {
		c.hatch(b.x, b.y, b.w, b.h)
	} else {
		c.rect(b.x, b.y, b.w, b.h, b.fill)
	}
	if b.best {
		c.frame(b.x, b.y, b.w, b.h, 2, textColorOn(b.fill))
	}
	// The value, after its markers, drawn as shapes: Liberation Sans has no ★.
	v := valueSize
	mark, gap := 0.9*v, 0.15*v
	var marks []keyKind
	if b.best {
		marks = append(marks, keyStar)
	}
	if b.deployed {
		marks = append(marks, keyDot)
	}
	tw := c.width(b.value, v, !b.empty)
	total := tw
	if len(marks) > 0 {
		total += float64(len(marks))*(mark+gap) + 0.15*v
	}
	x := b.x + b.w/2 - total/2
	mid := b.valueY - 0.36*v
	for _, k := range marks {
		c.marker(k, x+mark/2, mid, mark, b.ink)
		x += mark + gap
	}
	if len(marks) > 0 {
		x += 0.15 * v
	}
	c.text(x, b.valueY, "start", v, !b.empty, b.ink, b.value)
	if b.sub != "" {
		c.text(b.x+b.w/2, b.subY, "middle", subSize, false, b.ink, pngText(b.sub))
	}
}

// legendItem draws an item of the legend, as svgWriter.legend does.
func (c *pngCanvas) legendItem(it keyItem) {
	switch it.kind {
	case keyText:
		c.text(it.x, it.y+keyFontSize*0.36, "start", keyFontSize, it.bold, it.color, pngText(it.text))
	case keyScale:
		x0, x1 := c.px(it.x), c.px(it.x+it.w)
		y0, y1 := c.px(it.y-6), c.px(it.y+6)
		for px := x0; px < x1; px++ {
			col := viridis((float64(px-x0) + 0.5) / float64(x1-x0))
			draw.Draw(c.img, image.Rect(px, y0, px+1, y1), image.NewUniform(col), image.Point{}, draw.Src)
		}
		c.frame(it.x, it.y-6, it.w, 12, 0.5, svgAxisColor)
	case keySwatch:
		c.rect(it.x, it.y-6, it.w, 12, it.color)
	case keyHatch:
		c.hatch(it.x, it.y-6, it.w, 12)
		c.frame(it.x, it.y-6, it.w, 12, 0.5, svgHatchLine)
	case keyStar, keyDot:
		c.marker(it.kind, it.x+it.w/2, it.y, keyFontSize*0.9, svgInk)
	case keyLine, keyDashed:
		c.rect(it.x, it.y-parallelLineWidth(it.kind == keyLine)/2, it.w, parallelLineWidth(it.kind == keyLine), it.color)
	}
}

// pngText replaces the symbols Liberation Sans lacks with ones it has.
func pngText(s string) string { return strings.ReplaceAll(s, "✕", "×") }

func (c *pngCanvas) close() {
	for _, f := range c.faces {
		_ = f.Close()
	}
}

// px converts a coordinate in SVG units to a pixel edge.
func (c *pngCanvas) px(v float64) int { return int(math.Round(v * c.s)) }

// rect fills a rectangle.
func (c *pngCanvas) rect(x, y, w, h float64, col color.RGBA) {
	draw.Draw(c.img, image.Rect(c.px(x), c.px(y), c.px(x+w), c.px(y+h)), image.NewUniform(col), image.Point{}, draw.Src)
}

// frame strokes the outline of a rectangle with a line of width lw centred on its edges,
// at least one pixel wide.
func (c *pngCanvas) frame(x, y, w, h, lw float64, col color.RGBA) {
	t := math.Max(lw*c.s, 1)
	x0, y0, x1, y1 := x*c.s-t/2, y*c.s-t/2, (x+w)*c.s+t/2, (y+h)*c.s+t/2
	r := func(a, b, cc, d float64) {
		draw.Draw(c.img, image.Rect(int(math.Round(a)), int(math.Round(b)), int(math.Round(cc)), int(math.Round(d))), image.NewUniform(col), image.Point{}, draw.Src)
	}
	r(x0, y0, x1, y0+t)
	r(x0, y1-t, x1, y1)
	r(x0, y0, x0+t, y1)
	r(x1-t, y0, x1, y1)
}

// hatch fills a rectangle with the empty-cell pattern: grey with diagonal stripes, 6 units
// apart, 2 wide, as the SVG pattern.
func (c *pngCanvas) hatch(x, y, w, h float64) {
	r := image.Rect(c.px(x), c.px(y), c.px(x+w), c.px(y+h)).Intersect(c.img.Bounds())
	for py := r.Min.Y; py < r.Max.Y; py++ {
		for px := r.Min.X; px < r.Max.X; px++ {
			d := math.Mod((float64(px+py)+1)/c.s/math.Sqrt2, 6)
			if d < 0 {
				d += 6
			}
			col := svgHatchBg
			if d < 1 || d >= 5 {
				col = svgHatchLine
			}
			c.img.SetRGBA(px, py, col)
		}
	}
}

// marker draws a ★ or ● of the given size (in units) centred on (cx, cy).
func (c *pngCanvas) marker(k keyKind, cx, cy, size float64, col color.RGBA) {
	var pts [][2]float64
	if k == keyStar {
		outer, inner := size*0.55, size*0.55*0.42
		for i := range 10 {
			r := outer
			if i%2 == 1 {
				r = inner
			}
			a := -math.Pi/2 + float64(i)*math.Pi/5
			pts = append(pts, [2]float64{cx + r*math.Cos(a), cy + 0.05*size + r*math.Sin(a)})
		}
	} else {
		r := size * 0.3
		for i := range 48 {
			a := float64(i) * 2 * math.Pi / 48
			pts = append(pts, [2]float64{cx + r*math.Cos(a), cy + r*math.Sin(a)})
		}
	}
	c.polygon(pts, col)
}

// polygon fills a polygon (in units), anti-aliased.
func (c *pngCanvas) polygon(pts [][2]float64, col color.RGBA) {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, maxX = math.Min(minX, p[0]*c.s), math.Max(maxX, p[0]*c.s)
		minY, maxY = math.Min(minY, p[1]*c.s), math.Max(maxY, p[1]*c.s)
	}
	b := image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX))+1, int(math.Ceil(maxY))+1)
	if b.Empty() {
		return
	}
	z := vector.NewRasterizer(b.Dx(), b.Dy())
	for i, p := range pts {
		x, y := float32(p[0]*c.s-float64(b.Min.X)), float32(p[1]*c.s-float64(b.Min.Y))
		if i == 0 {
			z.MoveTo(x, y)
		} else {
			z.LineTo(x, y)
		}
	}
	z.ClosePath()
	z.DrawOp = draw.Over
	z.Draw(c.img, b, image.NewUniform(col), image.Point{})
}

// face is the font face of size units, regular or bold.
func (c *pngCanvas) face(size float64, bold bool) xfont.Face {
	k := pngFaceKey{size, bold}
	if f, ok := c.faces[k]; ok {
		return f
	}
	fnt := c.fonts.regular
	if bold {
		fnt = c.fonts.bold
	}
	f, err := opentype.NewFace(fnt, &opentype.FaceOptions{Size: size * c.s, DPI: 72, Hinting: xfont.HintingNone})
	if err != nil {
		f = nil
	}
	c.faces[k] = f
	return f
}

// width is the width of s in units.
func (c *pngCanvas) width(s string, size float64, bold bool) float64 {
	f := c.face(size, bold)
	if f == nil {
		return 0
	}
	return float64(xfont.MeasureString(f, s)) / 64 / c.s
}

// text draws s with its baseline at y, anchored at x (start, middle or end).
func (c *pngCanvas) text(x, y float64, anchor string, size float64, bold bool, col color.RGBA, s string) {
	f := c.face(size, bold)
	if f == nil || s == "" {
		return
	}
	switch anchor {
	case "middle":
		x -= c.width(s, size, bold) / 2
	case "end":
		x -= c.width(s, size, bold)
	}
	d := xfont.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: f,
		Dot: fixed.Point26_6{X: fixed.Int26_6(math.Round(x * c.s * 64)), Y: fixed.Int26_6(math.Round(y * c.s * 64))}}
	d.DrawString(s)
}
