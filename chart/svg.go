package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"sync"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot/font/liberation"

	"github.com/mlexp-dev/mlexp"
)

// SVGOptions tunes the SVG charts.
type SVGOptions struct {
	// Link, when set, gives the URL a heatmap cell links to (its runs); "" leaves cells
	// without links.
	Link func(c *mlexp.HeatmapCell) string
	// Title is drawn above the chart when not empty.
	Title string
	// ID is the id of the <svg> element and the prefix of every id inside it (patterns,
	// gradients, title), so that several charts can share one HTML page; default
	// "mlexp-heatmap" or "mlexp-parallel". Only letters, digits, '-' and '_' are kept.
	ID string
	// Scale is how many PNG pixels HeatmapPNG draws per SVG unit; 0 means 2, sharp on
	// high-density screens. It is clamped to 0.5..4.
	Scale float64
}

// HeatmapSVG draws a heatmap as a standalone SVG document.
//
// Rows are the y-axis values top to bottom, columns the x-axis values left to right, both in
// the heatmap's order. Every cell is a <g class="cell"> (plus "best", "deployed", "empty")
// with data-x, data-y, data-value (empty for an empty cell), data-n, data-run-id and
// data-run-ids (space separated), a <title> for hovering, a <rect> coloured on the viridis
// scale (brighter is better, whichever the metric's direction) and the value as text; it is
// wrapped in <a href> when opts.Link gives a URL. All text is XML-escaped.
func HeatmapSVG(h *mlexp.Heatmap, opts SVGOptions) ([]byte, error) {
	if h == nil {
		return nil, mlexp.Errorf(mlexp.EINVALID, "no heatmap to draw")
	}
	l, err := layoutHeatmap(h, opts)
	if err != nil {
		return nil, err
	}
	return l.svg(h, opts), nil
}

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

// Colours shared by the charts.
var (
	svgInk       = color.RGBA{R: 0x1a, G: 0x1a, B: 0x1a, A: 0xff}
	svgMuted     = color.RGBA{R: 0x59, G: 0x59, B: 0x59, A: 0xff} // 7:1 on white, 6:1 on the hatch
	svgWhite     = color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	svgBlack     = color.RGBA{A: 0xff}
	svgAxisColor = color.RGBA{R: 0x4d, G: 0x4d, B: 0x4d, A: 0xff}
	svgHatchBg   = color.RGBA{R: 0xf0, G: 0xf0, B: 0xf0, A: 0xff} // empty cell background
	svgHatchLine = color.RGBA{R: 0xc8, G: 0xc8, B: 0xc8, A: 0xff} // and its stripes
	svgNoColor   = color.RGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0xff} // a line without a metric position
)

// viridisStops are matplotlib's viridis at 0, 0.1, ... 1: perceptually uniform, readable in
// grey and for the common colour blindnesses, from dark purple to bright yellow.
var viridisStops = [...]color.RGBA{
	{0x44, 0x01, 0x54, 0xff}, {0x48, 0x24, 0x75, 0xff}, {0x41, 0x44, 0x87, 0xff}, {0x35, 0x5f, 0x8d, 0xff},
	{0x2a, 0x78, 0x8e, 0xff}, {0x21, 0x91, 0x8c, 0xff}, {0x22, 0xa8, 0x84, 0xff}, {0x44, 0xbf, 0x70, 0xff},
	{0x7a, 0xd1, 0x51, 0xff}, {0xbd, 0xdf, 0x26, 0xff}, {0xfd, 0xe7, 0x25, 0xff},
}

// viridis is the colour at t in 0..1 (clamped) on the viridis scale; NaN is grey.
func viridis(t float64) color.RGBA {
	if math.IsNaN(t) {
		return svgNoColor
	}
	t = math.Max(0, math.Min(1, t))
	f := t * float64(len(viridisStops)-1)
	i := int(f)
	if i >= len(viridisStops)-1 {
		return viridisStops[len(viridisStops)-1]
	}
	a, b, k := viridisStops[i], viridisStops[i+1], f-float64(i)
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + (float64(y)-float64(x))*k)) }
	return color.RGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 0xff}
}

// svgLuminance is the WCAG relative svgLuminance of c.
func svgLuminance(c color.RGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// contrast is the WCAG contrast ratio of two colours, 1 to 21.
func contrastRatio(a, b color.RGBA) float64 {
	la, lb := svgLuminance(a), svgLuminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// textColorOn is the text colour, white or black, that stands out most on bg: on every
// viridis colour it has a contrast of at least 4.5:1 (WCAG AA).
func textColorOn(bg color.RGBA) color.RGBA {
	if contrastRatio(svgWhite, bg) > contrastRatio(svgBlack, bg) {
		return svgWhite
	}
	return svgBlack
}

// hexColor writes c as #rrggbb.
func hexColor(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// num writes a coordinate with at most one decimal.
func svgNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// finite returns the value of n and whether it is a finite number.
func finiteNumber(n *mlexp.Number) (float64, bool) {
	if n == nil {
		return 0, false
	}
	v := float64(*n)
	return v, !math.IsNaN(v) && !math.IsInf(v, 0)
}

// dataNumber writes v for a data attribute: shortest exact form, "" when not finite.
func dataNumber(n *mlexp.Number) string {
	v, ok := finiteNumber(n)
	if !ok {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// esc XML-escapes s for text and attribute values; characters XML cannot hold become U+FFFD.
func xmlEsc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // writes to a strings.Builder never fail
	return b.String()
}

// svgID keeps the letters, digits, '-' and '_' of id, def when none is left.
func svgID(id, def string) string {
	id = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return -1
	}, id)
	if id == "" || id[0] >= '0' && id[0] <= '9' || id[0] == '-' {
		return def
	}
	return id
}

// svgFontFamily names Liberation Sans, which the widths are measured with, then Arial and
// Helvetica, which have the same metrics.
const svgFontFamily = `'Liberation Sans', Arial, Helvetica, sans-serif`

// svgWriter builds an SVG document.
type svgWriter struct{ bytes.Buffer }

func (w *svgWriter) printf(format string, args ...any) { fmt.Fprintf(&w.Buffer, format, args...) }

// text writes a <text> at (x, y) (y is the baseline) with the given anchor ("start",
// "middle", "end"), size, weight and colour; class and extra attributes are optional. A
// title is added when full differs from s (a truncated label).
func (w *svgWriter) text(x, y float64, anchor string, size float64, bold bool, c color.RGBA, class, s, full string) {
	w.printf(`<text x="%s" y="%s" font-size="%s"`, svgNum(x), svgNum(y), svgNum(size))
	if anchor != "start" {
		w.printf(` text-anchor="%s"`, anchor)
	}
	if bold {
		w.printf(` font-weight="bold"`)
	}
	w.printf(` fill="%s"`, hexColor(c))
	if class != "" {
		w.printf(` class="%s"`, class)
	}
	w.printf(">")
	if full != "" && full != s {
		w.printf("<title>%s</title>", xmlEsc(full))
	}
	w.printf("%s</text>\n", xmlEsc(s))
}

// chartFonts are the Liberation Sans faces the charts are measured (and the PNG drawn) with.
type chartFonts struct{ regular, bold *opentype.Font }

var loadChartFonts = sync.OnceValues(func() (*chartFonts, error) {
	f := &chartFonts{}
	for _, face := range liberation.Collection() {
		if face.Font.Variant != "Sans" || face.Font.Style != xfont.StyleNormal {
			continue
		}
		switch face.Font.Weight {
		case xfont.WeightNormal:
			f.regular = face.Face
		case xfont.WeightBold:
			f.bold = face.Face
		}
	}
	if f.regular == nil || f.bold == nil {
		return nil, mlexp.Errorf(mlexp.EINTERNAL, "the Liberation Sans font is missing")
	}
	return f, nil
})

// textMeasurer measures text in the chart fonts. It is not safe for concurrent use.
type textMeasurer struct {
	fonts *chartFonts
	buf   sfnt.Buffer
}

func newTextMeasurer() (*textMeasurer, error) {
	f, err := loadChartFonts()
	if err != nil {
		return nil, err
	}
	return &textMeasurer{fonts: f}, nil
}

// width is the advance width of s at size (pixels per em), kerning included.
func (m *textMeasurer) width(s string, size float64, bold bool) float64 {
	f := m.fonts.regular
	if bold {
		f = m.fonts.bold
	}
	ppem := fixed.Int26_6(f.UnitsPerEm())
	total := 0
	var prev sfnt.GlyphIndex
	for i, r := range []rune(s) {
		idx, err := f.GlyphIndex(&m.buf, r)
		if err != nil {
			continue
		}
		if idx == 0 && r > 0x2000 { // a symbol the font lacks: the browser's fallback is about 1 em
			total += int(ppem)
			prev = 0
			continue
		}
		if i > 0 && prev != 0 {
			if k, err := f.Kern(&m.buf, prev, idx, ppem, xfont.HintingNone); err == nil {
				total += int(k)
			}
		}
		if adv, err := f.GlyphAdvance(&m.buf, idx, ppem, xfont.HintingNone); err == nil {
			total += int(adv)
		}
		prev = idx
	}
	return float64(total) / float64(ppem) * size
}

// singleLine turns line breaks and tabs into spaces.
func singleLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
}

// fit shortens s (made one line) with an ellipsis until it is at most maxW wide.
func (m *textMeasurer) fit(s string, maxW, size float64, bold bool) string {
	s = singleLine(s)
	if m.width(s, size, bold) <= maxW {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r) // the longest prefix that fits, by bisection
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if m.width(strings.TrimRight(string(r[:mid]), " ")+"…", size, bold) <= maxW {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(r[:lo]), " ") + "…"
}

// lines splits label into at most two lines that fit maxW: one when it fits and split is
// false, else two at the space that balances them best, or, when that does not fit, as many
// words as fit on the first line and the rest, truncated, on the second.
func (m *textMeasurer) lines(label string, maxW, size float64, bold, split bool) []string {
	label = strings.TrimSpace(singleLine(label))
	if !split && m.width(label, size, bold) <= maxW || !strings.Contains(label, " ") {
		return []string{m.fit(label, maxW, size, bold)}
	}
	best, bestW := -1, math.Inf(1)
	greedy := -1
	for i, r := range label {
		if r != ' ' {
			continue
		}
		w1 := m.width(label[:i], size, bold)
		if w := math.Max(w1, m.width(label[i+1:], size, bold)); w < bestW {
			best, bestW = i, w
		}
		if w1 <= maxW {
			greedy = i
		}
	}
	if bestW > maxW && greedy >= 0 {
		best = greedy
	}
	return []string{m.fit(label[:best], maxW, size, bold), m.fit(strings.TrimSpace(label[best+1:]), maxW, size, bold)}
}

// keyItem is one piece of a legend row.
type keyItem struct {
	kind    keyKind
	x, y, w float64 // y is the middle of the row
	text    string
	color   color.RGBA
	bold    bool
}

type keyKind int

const (
	keyText   keyKind = iota
	keyScale          // the viridis bar, worst to best
	keySwatch         // a square of color
	keyHatch          // the empty-cell pattern
	keyStar
	keyDot
	keyLine   // a line sample of color
	keyDashed // a dashed line sample
)

const (
	keyFontSize = 12.0 // font size of the legend
	keyRow      = 22.0 // row height
)

// flowKey places chunks of items (each kept on one row) from (x0, y0), wrapping at
// maxRight; items come with their width and kind set. It returns the items placed and the
// y below the last row.
func flowKey(chunks [][]keyItem, x0, y0, maxRight float64) ([]keyItem, float64) {
	const gap, chunkGap = 6.0, 18.0
	var out []keyItem
	x, y := x0, y0+keyRow/2
	for _, chunk := range chunks {
		w := 0.0
		for i, it := range chunk {
			if i > 0 {
				w += gap
			}
			w += it.w
		}
		if x > x0 && x+chunkGap+w > maxRight {
			x, y = x0, y+keyRow
		} else if x > x0 {
			x += chunkGap
		}
		for i, it := range chunk {
			if i > 0 {
				x += gap
			}
			it.x, it.y = x, y
			out = append(out, it)
			x += it.w
		}
	}
	return out, y + keyRow/2
}

// keyRight is the right edge of the widest legend row.
func keyRight(items []keyItem) float64 {
	r := 0.0
	for _, it := range items {
		r = math.Max(r, it.x+it.w)
	}
	return r
}

// scaleKey is the key of the colour scale: the metric's name, then, when ok, its worst
// value, the viridis bar, its best value and which way is better; or, when lo == hi, a
// swatch of colour single and the value; else a note that there is nothing to plot.
func scaleKey(m *textMeasurer, metric, metricLabel string, lo, hi float64, ok, lower bool, single color.RGBA) []keyItem {
	chunk := []keyItem{m.textItem(metricLabel, svgInk, true)}
	switch {
	case ok && lo < hi:
		worst, best := lo, hi
		if lower {
			worst, best = hi, lo
		}
		return append(chunk, m.textItem(mlexp.FormatMetric(metric, worst), svgInk, false), keyItem{kind: keyScale, w: 120},
			m.textItem(mlexp.FormatMetric(metric, best), svgInk, false), m.textItem(map[bool]string{true: "(lower is better)", false: "(higher is better)"}[lower], svgMuted, false))
	case ok:
		return append(chunk, keyItem{kind: keySwatch, w: 16, color: single}, m.textItem(mlexp.FormatMetric(metric, lo), svgInk, false))
	}
	return append(chunk, m.textItem("no values to plot", svgMuted, false))
}

// textItem is a legend text measured with m.
func (m *textMeasurer) textItem(s string, c color.RGBA, bold bool) keyItem {
	return keyItem{kind: keyText, text: s, color: c, bold: bold, w: m.width(s, keyFontSize, bold)}
}

// svgLegend writes the legend items; id is the chart's id prefix.
func (w *svgWriter) legend(items []keyItem, id string) {
	w.printf(`<g class="legend">` + "\n")
	for _, it := range items {
		switch it.kind {
		case keyText:
			w.text(it.x, it.y+keyFontSize*0.36, "start", keyFontSize, it.bold, it.color, "", it.text, "")
		case keyScale:
			w.printf(`<rect x="%s" y="%s" width="%s" height="12" fill="url(#%s-scale)" stroke="%s" stroke-width="0.5"/>`+"\n",
				svgNum(it.x), svgNum(it.y-6), svgNum(it.w), id, hexColor(svgAxisColor))
		case keySwatch:
			w.printf(`<rect x="%s" y="%s" width="%s" height="12" fill="%s"/>`+"\n", svgNum(it.x), svgNum(it.y-6), svgNum(it.w), hexColor(it.color))
		case keyHatch:
			w.printf(`<rect x="%s" y="%s" width="%s" height="12" fill="url(#%s-hatch)" stroke="%s" stroke-width="0.5"/>`+"\n",
				svgNum(it.x), svgNum(it.y-6), svgNum(it.w), id, hexColor(svgHatchLine))
		case keyStar, keyDot:
			mark := "★"
			if it.kind == keyDot {
				mark = "●"
			}
			w.text(it.x+it.w/2, it.y+keyFontSize*0.36, "middle", keyFontSize, false, svgInk, "", mark, "")
		case keyLine, keyDashed:
			dash := ""
			if it.kind == keyDashed {
				dash = ` stroke-dasharray="7 4"`
			}
			w.printf(`<path d="M%s %sh%s" stroke="%s" stroke-width="%s"%s fill="none"/>`+"\n",
				svgNum(it.x), svgNum(it.y), svgNum(it.w), hexColor(it.color), svgNum(parallelLineWidth(it.kind == keyLine)), dash)
		}
	}
	w.printf("</g>\n")
}

// scaleStops writes the stops of the viridis gradient.
func (w *svgWriter) scaleStops() {
	for i, c := range viridisStops {
		w.printf(`<stop offset="%d%%" stop-color="%s"/>`, i*100/(len(viridisStops)-1), hexColor(c))
	}
}
