package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

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

// chartLabel is a text of one or two lines: (x, y) is its anchor point, y the first baseline.
type chartLabel struct {
	x, y   float64
	lines  []string
	full   string // the whole text when the lines are truncated, as a tooltip
	anchor string // start, middle or end
	size   float64
	lineH  float64
	bold   bool
	color  color.RGBA
	class  string
}

// label writes a chartLabel as a <text>, a line a <tspan>.
func (w *svgWriter) label(l chartLabel) {
	if len(l.lines) == 1 {
		w.text(l.x, l.y, l.anchor, l.size, l.bold, l.color, l.class, l.lines[0], l.full)
		return
	}
	w.printf(`<text x="%s" y="%s" font-size="%s"`, svgNum(l.x), svgNum(l.y), svgNum(l.size))
	if l.anchor != "start" {
		w.printf(` text-anchor="%s"`, l.anchor)
	}
	if l.bold {
		w.printf(` font-weight="bold"`)
	}
	w.printf(` fill="%s"`, hexColor(l.color))
	if l.class != "" {
		w.printf(` class="%s"`, l.class)
	}
	w.printf(">")
	if l.full != "" && l.full != strings.Join(l.lines, " ") {
		w.printf("<title>%s</title>", xmlEsc(l.full))
	}
	for i, s := range l.lines {
		w.printf(`<tspan x="%s" y="%s">%s</tspan>`, svgNum(l.x), svgNum(l.y+float64(i)*l.lineH), xmlEsc(s))
	}
	w.printf("</text>\n")
}

// svgNum writes a coordinate with at most one decimal.
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

// finiteNumber returns the value of n and whether it is a finite number.
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

// xmlEsc XML-escapes s for text and attribute values; characters XML cannot hold become U+FFFD.
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

// clampf is v within lo..hi.
func clampf(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
