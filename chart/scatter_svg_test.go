package chart

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// paretoPoints are 12 quick tests (5–20 min, about 47%) and 3 full trainings (3–4 h),
// as on the demo's Pareto chart of recall against duration, every point labelled.
func paretoPoints() []ScatterPoint {
	var pts []ScatterPoint
	for i := range 12 {
		pts = append(pts, ScatterPoint{X: float64(300 + 75*i), Y: 0.40 + 0.006*float64(i), Label: fmt.Sprintf("config-%03d", i+1), Labelled: true, Highlight: i%3 == 0})
	}
	for i := range 3 {
		pts = append(pts, ScatterPoint{X: float64(3*3600 + 1800*i), Y: 0.45 + 0.01*float64(i), Label: fmt.Sprintf("config-%03d", 20+i), Labelled: true, Highlight: true})
	}
	return pts
}

func durationText(v float64) string {
	return mlexp.FormatDuration(time.Duration(v * float64(time.Second)))
}

// TestScatterLogDurationAxis: on a log duration axis quick tests spread out instead of
// piling up at the left, and the ticks read as round durations ("5 min", "1h"), never
// "1h 23m".
func TestScatterLogDurationAxis(t *testing.T) {
	s := Scatter{Title: "Recall@100 against duration", XLabel: "Duration (log scale)", YLabel: "Recall@100", Points: paretoPoints(),
		XFormat: durationText, LogX: true, XNice: DurationTicks, Desc: "15 runs"}
	root := parseSVG(t, ScatterSVG(s))
	var ticks []string
	for _, n := range root.find(svgClass("tick")) {
		ticks = append(ticks, n.allText())
	}
	odd := regexp.MustCompile(`^\d+h \d+m$|^\d+ s$`)
	xTicks := 0
	for _, tk := range ticks {
		if odd.MatchString(tk) {
			t.Errorf("tick %q is not a round duration (ticks %q)", tk, ticks)
		}
		if _, err := strconv.ParseFloat(tk, 64); err != nil {
			xTicks++
		}
	}
	if xTicks < 3 {
		t.Errorf("duration ticks %q: want at least 3", ticks)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, n := range root.find(svgClass("point")) {
		if x, _ := strconv.ParseFloat(n.attrs["data-x"], 64); x < 3600 {
			cx, _ := strconv.ParseFloat(n.child("circle").attrs["cx"], 64)
			lo, hi = math.Min(lo, cx), math.Max(hi, cx)
		}
	}
	if hi-lo < 100 {
		t.Errorf("the quick tests span %.0f px of the plot: they pile up", hi-lo)
	}
	checkTextSizes(t, "pareto chart", root)
}

// TestScatterLabelsDoNotOverlap: the labels of crowded points are placed apart, or left
// to the point's tooltip, never drawn over one another.
func TestScatterLabelsDoNotOverlap(t *testing.T) {
	pts := paretoPoints()
	for i := range 10 { // a crowd: ten labelled points within a few pixels
		pts = append(pts, ScatterPoint{X: 600 + float64(i), Y: 0.43 + 0.0002*float64(i), Label: fmt.Sprintf("crowd-%d", i), Labelled: true})
	}
	for _, logX := range []bool{false, true} {
		root := parseSVG(t, ScatterSVG(Scatter{Title: "crowded", Desc: "labels apart", Points: pts, XFormat: durationText, LogX: logX, XNice: DurationTicks}))
		m, err := newTextMeasurer()
		if err != nil {
			t.Fatal(err)
		}
		var boxes []labelBox
		for _, n := range root.find(svgClass("point-label")) {
			x, _ := strconv.ParseFloat(n.attrs["x"], 64)
			y, _ := strconv.ParseFloat(n.attrs["y"], 64)
			w := m.width(n.allText(), scFont-1, false)
			switch n.attrs["text-anchor"] {
			case "end":
				x -= w
			case "middle":
				x -= w / 2
			}
			b := labelBox{x, y - (scFont - 1) + 1, x + w, y + 2}
			for j, o := range boxes {
				if b.overlaps(o) {
					t.Errorf("log %v: label %q overlaps label %d", logX, n.allText(), j)
				}
			}
			boxes = append(boxes, b)
		}
		if len(boxes) < 8 {
			t.Errorf("log %v: only %d labels drawn", logX, len(boxes))
		}
	}
}

// TestScatterDurationTicksOnANarrowRange: full trainings of 3h 25m to 3h 45m on a linear
// axis tick at whole multiples of a round step, not at odd values of the range.
func TestScatterDurationTicksOnANarrowRange(t *testing.T) {
	var pts []ScatterPoint
	for i, d := range []float64{12300, 12900, 13500} {
		pts = append(pts, ScatterPoint{X: d, Y: 0.45 + 0.005*float64(i)})
	}
	root := parseSVG(t, ScatterSVG(Scatter{Title: "full", Desc: "3 runs", Points: pts, XFormat: durationText, XNice: DurationTicks}))
	hm := regexp.MustCompile(`^(\d+)h (\d+)m$|^(\d+)h$`)
	n := 0
	for _, tk := range root.find(svgClass("tick")) {
		m := hm.FindStringSubmatch(tk.allText())
		if m == nil {
			continue
		}
		n++
		if min, _ := strconv.Atoi(m[2]); min%5 != 0 {
			t.Errorf("tick %q is not a round duration", tk.allText())
		}
	}
	if n < 2 {
		t.Errorf("%d duration ticks, want at least 2", n)
	}
}
