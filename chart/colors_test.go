package chart

import (
	"math"
	"testing"
)

func TestViridisAndContrast(t *testing.T) {
	if viridis(0) != viridisStops[0] || viridis(1) != viridisStops[10] || viridis(-3) != viridis(0) || viridis(7) != viridis(1) || viridis(math.NaN()) != svgNoColor {
		t.Error("viridis ends")
	}
	prev := -1.0
	for i := range 21 {
		l := svgLuminance(viridis(float64(i) / 20))
		if l <= prev {
			t.Errorf("viridis is not brighter at %d/20", i)
		}
		prev = l
		if c := textColorOn(viridis(float64(i) / 20)); contrastRatio(c, viridis(float64(i)/20)) < 4.5 {
			t.Errorf("text on viridis(%d/20) has contrast %.1f", i, contrastRatio(c, viridis(float64(i)/20)))
		}
	}
}
