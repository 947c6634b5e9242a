package chart

import (
	"fmt"
	"image/color"
	"math"
)

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

// svgLuminance is the WCAG relative luminance of c.
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

// contrastRatio is the WCAG contrast ratio of two colours, 1 to 21.
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

// scaleStops writes the stops of the viridis gradient.
func (w *svgWriter) scaleStops() {
	for i, c := range viridisStops {
		w.printf(`<stop offset="%d%%" stop-color="%s"/>`, i*100/(len(viridisStops)-1), hexColor(c))
	}
}
