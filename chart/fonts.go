package chart

import (
	"math"
	"strings"
	"sync"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot/font/liberation"

	"github.com/mlexp-dev/mlexp"
)

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
