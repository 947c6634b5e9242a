package chart

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

func f(v float64) *float64 { return &v }

// history returns n epochs of a plausible training: loss falling, recall rising.
func history(n int) []mlexp.EpochMetrics {
	h := make([]mlexp.EpochMetrics, n)
	for i := range h {
		e := float64(i + 1)
		h[i] = mlexp.EpochMetrics{Epoch: i + 1, Metrics: mlexp.Metrics{
			Loss:        f(0.3 + 2/e),
			RecallAt10:  f(0.05 + 0.10*(1-math.Exp(-e/4))),
			RecallAt50:  f(0.12 + 0.20*(1-math.Exp(-e/4))),
			RecallAt100: f(0.20 + 0.25*(1-math.Exp(-e/4))),
		}}
	}
	return h
}

// mustDecode renders the curves and decodes the PNG, checking its size.
func mustDecode(tb testing.TB, title string, h []mlexp.EpochMetrics) image.Image {
	tb.Helper()
	b, err := TrainingCurves(title, h)
	if err != nil {
		tb.Fatalf("TrainingCurves: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("decode PNG: %v", err)
	}
	if got := img.Bounds().Size(); got != image.Pt(curvesWidth, curvesHeight) {
		tb.Fatalf("size = %v, want %dx%d", got, curvesWidth, curvesHeight)
	}
	if dir := os.Getenv("CHART_SAMPLES"); dir != "" { // to look at the images
		name := filepath.Join(dir, filepath.Base(tb.Name())+".png")
		if err := os.WriteFile(name, b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return img
}

// pixels counts the pixels of exactly colour c.
func pixels(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B && uint8(a>>8) == c.A {
				n++
			}
		}
	}
	return n
}

var allColors = map[string]color.RGBA{
	"Loss": colorLoss, "Recall@10": colorRecall10, "Recall@50": colorRecall50, "Recall@100": colorRecall100,
}

// checkColors fails unless exactly the series in want show in img.
func checkColors(t *testing.T, img image.Image, want ...string) {
	t.Helper()
	shown := map[string]bool{}
	for _, w := range want {
		shown[w] = true
	}
	for name, c := range allColors {
		n := pixels(img, c)
		switch {
		case shown[name] && n < 30:
			t.Errorf("%s: %d pixels of %v, want the series drawn", name, n, c)
		case !shown[name] && n != 0:
			t.Errorf("%s: %d pixels of %v, want the series left out", name, n, c)
		}
	}
}

func TestTrainingCurves(t *testing.T) {
	img := mustDecode(t, "config-042 Full Training #46", history(20))
	checkColors(t, img, "Loss", "Recall@10", "Recall@50", "Recall@100")
}

func TestTrainingCurvesDeterministic(t *testing.T) {
	a, err := TrainingCurves("run", history(7))
	if err != nil {
		t.Fatal(err)
	}
	b, err := TrainingCurves("run", history(7))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two renderings of the same history differ")
	}
}

// A web server renders charts for several requests at once.
func TestTrainingCurvesConcurrent(t *testing.T) {
	want, err := TrainingCurves("run", history(5))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			got, err := TrainingCurves("run", history(5))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("concurrent rendering: err = %v, same image = %t", err, bytes.Equal(got, want))
			}
		})
	}
	wg.Wait()
}

func TestTrainingCurvesSingleEpoch(t *testing.T) {
	img := mustDecode(t, "single epoch", history(1))
	checkColors(t, img, "Loss", "Recall@10", "Recall@50", "Recall@100")
}

func TestTrainingCurvesMissingValues(t *testing.T) {
	h := history(10)
	for i := range h {
		h[i].RecallAt50 = nil // never reported: left out
		if i%3 == 1 {
			h[i].Loss = nil // some epochs without loss: skipped
			h[i].RecallAt10 = nil
		}
		h[i].RecallAt100 = nil
	}
	img := mustDecode(t, "missing values", h)
	checkColors(t, img, "Loss", "Recall@10")
}

func TestTrainingCurvesNoValues(t *testing.T) {
	h := []mlexp.EpochMetrics{{Epoch: 1}, {Epoch: 2}, {Epoch: 3}}
	img := mustDecode(t, "no values", h)
	checkColors(t, img)
}

func TestTrainingCurvesOddValues(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name    string
		h       []mlexp.EpochMetrics
		wantErr bool // values no axis can hold: an error, never a panic or a hang
	}{
		{name: "nan", h: []mlexp.EpochMetrics{
			{Epoch: 1, Metrics: mlexp.Metrics{Loss: &nan, RecallAt10: f(0.1)}},
			{Epoch: 2, Metrics: mlexp.Metrics{Loss: f(1), RecallAt10: &nan}},
			{Epoch: 3, Metrics: mlexp.Metrics{Loss: &inf, RecallAt10: f(0.2)}},
			{Epoch: 4, Metrics: mlexp.Metrics{Loss: f(0.8), RecallAt10: f(0.25)}},
		}},
		{name: "all-nan", h: []mlexp.EpochMetrics{{Epoch: 1, Metrics: mlexp.Metrics{Loss: &nan, RecallAt10: &nan}}}},
		{name: "huge", h: []mlexp.EpochMetrics{
			{Epoch: 1, Metrics: mlexp.Metrics{Loss: f(1e300), RecallAt10: f(1e300)}},
			{Epoch: 2, Metrics: mlexp.Metrics{Loss: f(-1e300), RecallAt10: f(-1e300)}},
		}},
		{name: "constant-max", h: []mlexp.EpochMetrics{
			{Epoch: 1, Metrics: mlexp.Metrics{Loss: f(math.MaxFloat64), RecallAt10: f(math.SmallestNonzeroFloat64)}},
			{Epoch: 2, Metrics: mlexp.Metrics{Loss: f(math.MaxFloat64), RecallAt10: f(0)}},
		}},
		{name: "extreme", wantErr: true, h: []mlexp.EpochMetrics{
			{Epoch: 1, Metrics: mlexp.Metrics{Loss: f(math.MaxFloat64)}},
			{Epoch: 2, Metrics: mlexp.Metrics{Loss: f(-math.MaxFloat64)}},
		}},
		{name: "constant", h: []mlexp.EpochMetrics{
			{Epoch: 1, Metrics: mlexp.Metrics{Loss: f(0), RecallAt10: f(1)}},
			{Epoch: 2, Metrics: mlexp.Metrics{Loss: f(0), RecallAt10: f(1)}},
		}},
		{name: "unordered-epochs", h: []mlexp.EpochMetrics{
			{Epoch: 9, Metrics: mlexp.Metrics{Loss: f(1)}},
			{Epoch: -3, Metrics: mlexp.Metrics{Loss: f(2)}},
			{Epoch: 9, Metrics: mlexp.Metrics{Loss: f(3)}},
		}},
		{name: "huge-epochs", h: []mlexp.EpochMetrics{
			{Epoch: math.MaxInt64, Metrics: mlexp.Metrics{Loss: f(1)}},
			{Epoch: math.MinInt64, Metrics: mlexp.Metrics{Loss: f(2)}},
		}},
		{name: "long-title", h: history(3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			title := tc.name
			if tc.name == "long-title" {
				title = strings.Repeat("config-042 Full Training #46\n", 20)
			}
			if tc.wantErr {
				if _, err := TrainingCurves(title, tc.h); mlexp.ErrorCode(err) != mlexp.EINVALID {
					t.Fatalf("err = %v, want an %s error", err, mlexp.EINVALID)
				}
				return
			}
			mustDecode(t, title, tc.h)
		})
	}
}

func TestTrainingCurvesEmpty(t *testing.T) {
	for _, h := range [][]mlexp.EpochMetrics{nil, {}} {
		b, err := TrainingCurves("empty", h)
		if err == nil || b != nil {
			t.Fatalf("TrainingCurves(empty) = %d bytes, %v; want an error", len(b), err)
		}
		if code := mlexp.ErrorCode(err); code != mlexp.EINVALID {
			t.Errorf("code = %q, want %q", code, mlexp.EINVALID)
		}
		if msg := mlexp.ErrorMessage(err); !bytes.Contains([]byte(msg), []byte("nothing to draw")) {
			t.Errorf("message = %q, want it to say there is nothing to draw", msg)
		}
	}
}

func TestEpochTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi     float64
		first, n   int
		wantLabel0 string
	}{
		{0.5, 1.5, 1, 1, "1"},
		{1, 20, 2, 10, "2"},
		{1, 100, 10, 10, "10"},
		{1, 7, 1, 7, "1"},
	} {
		ticks := epochTicks(tc.lo, tc.hi)
		if len(ticks) != tc.n || int(ticks[0].Value) != tc.first || ticks[0].Label != tc.wantLabel0 {
			t.Errorf("epochTicks(%v, %v) = %v, want %d ticks from %d", tc.lo, tc.hi, ticks, tc.n, tc.first)
		}
		for _, tk := range ticks {
			if tk.Value != math.Trunc(tk.Value) {
				t.Errorf("epochTicks(%v, %v): tick %v is not a whole epoch", tc.lo, tc.hi, tk.Value)
			}
		}
	}
}

func BenchmarkTrainingCurves(b *testing.B) {
	h := history(20)
	for b.Loop() {
		if _, err := TrainingCurves("config-042 Full Training #46", h); err != nil {
			b.Fatal(err)
		}
	}
}
