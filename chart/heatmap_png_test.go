package chart

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"sync"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

func mustHeatmapPNG(tb testing.TB, h *mlexp.Heatmap, opts SVGOptions) image.Image {
	tb.Helper()
	b, err := HeatmapPNG(h, opts)
	if err != nil {
		tb.Fatalf("HeatmapPNG: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("decode PNG: %v", err)
	}
	return img
}

func svgCountColor(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bb>>8) == c.B {
				n++
			}
		}
	}
	return n
}

func TestHeatmapPNG(t *testing.T) {
	h := svgSpecHeatmap()
	root, _ := mustHeatmapSVG(t, h, SVGOptions{Title: "Recall@100 by configuration"})
	w, hh := svgSize(t, root)
	b, err := HeatmapPNG(h, SVGOptions{Title: "Recall@100 by configuration"})
	if err != nil {
		t.Fatal(err)
	}
	svgSample(t, "heatmap.png", b)
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := img.Bounds().Size(), image.Pt(int(math.Ceil(w*2)), int(math.Ceil(hh*2))); got != want {
		t.Errorf("size %v, want %v (twice the SVG)", got, want)
	}
	// The best cell is bright yellow, the worst dark purple, the empty ones hatched grey;
	// a cell is about 114×54 units, 228×108 pixels.
	for name, c := range map[string]color.RGBA{"best": viridis(1), "worst": viridis(0), "hatch": svgHatchBg, "stripes": svgHatchLine} {
		if got := svgCountColor(img, c); got < 3000 {
			t.Errorf("%s colour %s: %d pixels", name, hexColor(c), got)
		}
	}
	if small := mustHeatmapPNG(t, h, SVGOptions{Title: "Recall@100 by configuration", Scale: 1}); small.Bounds().Size() != image.Pt(int(w), int(hh)) {
		t.Errorf("scale 1: size %v, want %gx%g", small.Bounds().Size(), w, hh)
	}
	b2, _ := HeatmapPNG(h, SVGOptions{Title: "Recall@100 by configuration"})
	if !bytes.Equal(b, b2) {
		t.Error("two drawings of the same heatmap differ")
	}
	big := mustHeatmapPNG(t, svgGrid(20, 20, strconv.Itoa), SVGOptions{Scale: 1})
	if s := big.Bounds().Size(); s.X > 1400 || s.Y > 900 {
		t.Errorf("20×20: %v", s)
	}
	if b, err := HeatmapPNG(svgGrid(20, 20, strconv.Itoa), SVGOptions{}); err == nil {
		svgSample(t, "heatmap20.png", b)
	}
	lower := svgSpecHeatmap()
	lower.Metric, lower.Direction = "loss", "min"
	if b, err := HeatmapPNG(lower, SVGOptions{}); err == nil {
		svgSample(t, "heatmap-loss.png", b)
	}
}

func TestHeatmapPNGConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	h := svgSpecHeatmap()
	want, err := HeatmapPNG(h, SVGOptions{Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		wg.Go(func() {
			if got, err := HeatmapPNG(h, SVGOptions{Scale: 1}); err != nil || !bytes.Equal(got, want) {
				t.Errorf("concurrent drawing differs (%v)", err)
			}
		})
	}
	wg.Wait()
}
