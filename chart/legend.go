package chart

import (
	"image/color"
	"math"

	"github.com/mlexp-dev/mlexp"
)

// keyItem is one piece of a legend row.
type keyItem struct {
	kind    keyKind
	x, y, w float64 // y is the middle of the row
	text    string
	color   color.RGBA
	bold    bool
}

// keyKind is what a legend item draws.
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

// textItem is a legend text measured with m.
func (m *textMeasurer) textItem(s string, c color.RGBA, bold bool) keyItem {
	return keyItem{kind: keyText, text: s, color: c, bold: bold, w: m.width(s, keyFontSize, bold)}
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

// legend writes the legend items; id is the chart's id prefix.
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
