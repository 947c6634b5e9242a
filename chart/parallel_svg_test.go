package chart

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/golden"
)

// svgSpecParallel is the runs view's parallel coordinates: four parameters, then Recall@100.
func svgSpecParallel() *mlexp.Parallel {
	p := &mlexp.Parallel{Metric: "recall_at_100", MetricLabel: "Recall@100", Direction: "max", RunType: "all",
		MetricMin: numP(0.42), MetricMax: numP(0.473), Skipped: 2,
		Axes: []mlexp.ParallelAxis{
			{Name: "user_id_embedding_dim", Label: "User Id Embedding Dim", Kind: mlexp.AxisKindNumeric, Values: []string{"32", "64", "128"}, Labels: []string{"32", "64", "128"}, Min: numP(32), Max: numP(128)},
			{Name: "product_id_embedding_dim", Label: "Product Id Embedding Dim", Kind: mlexp.AxisKindNumeric, Values: []string{"32", "64"}, Labels: []string{"32", "64"}, Min: numP(32), Max: numP(64)},
			{Name: "num_crosses", Label: "Crosses", Kind: mlexp.AxisKindCategorical, Values: []string{"none", "one", "two"}, Labels: []string{"none", "one", "two"}},
			{Name: "revenue_buckets", Label: "Revenue Buckets", Kind: mlexp.AxisKindNumeric, Values: []string{"5", "10"}, Labels: []string{"5", "10"}, Min: numP(5), Max: numP(10)},
		},
	}
	type row struct {
		id, name       string
		u, pr, c, r    string
		metric         float64
		best, deployed bool
	}
	rows := []row{
		{"r1", "config-042 Quick Test #3", "64", "64", "two", "10", 0.473, true, false},
		{"r2", "run-46", "128", "64", "two", "10", 0.470, false, true},
		{"r3", svgHostile, "64", "32", "one", "10", 0.450, false, false},
		{"r4", "config-035", "32", "32", "none", "5", 0.420, false, false},
		{"r5", `&"'`, "128", "64", "two", "?", 0.421, false, false}, // lacks revenue_buckets
	}
	pos := func(a mlexp.ParallelAxis, v string) *mlexp.Number {
		for i, x := range a.Values {
			if x != v {
				continue
			}
			if a.Kind == mlexp.AxisKindCategorical {
				return numP(float64(i) / float64(len(a.Values)-1))
			}
			f, _ := strconv.ParseFloat(v, 64)
			return numP((f - float64(*a.Min)) / (float64(*a.Max) - float64(*a.Min)))
		}
		return nil
	}
	for _, r := range rows {
		vals := []string{r.u, r.pr, r.c, r.r}
		l := mlexp.ParallelLine{RunID: r.id, RunName: r.name, RunType: mlexp.QuickTestRun, Values: vals, Metric: numP(r.metric),
			MetricPosition: numP((r.metric - 0.42) / (0.473 - 0.42)), Best: r.best, Deployed: r.deployed}
		for ai, v := range vals {
			l.Positions = append(l.Positions, pos(p.Axes[ai], v))
		}
		p.Lines = append(p.Lines, l)
	}
	return p
}

func mustParallelSVG(tb testing.TB, p *mlexp.Parallel) (*xmlNode, []byte) {
	tb.Helper()
	b, err := ParallelSVG(p, SVGOptions{})
	if err != nil {
		tb.Fatalf("ParallelSVG: %v", err)
	}
	return parseSVG(tb, b), b
}

func TestParallelSVGGolden(t *testing.T) {
	b, err := ParallelSVG(svgSpecParallel(), SVGOptions{})
	if err != nil {
		t.Fatal(err)
	}
	parseSVG(t, b)
	svgSample(t, "parallel.svg", b)
	golden.Check(t, "parallel.svg", b)
	again, _ := ParallelSVG(svgSpecParallel(), SVGOptions{})
	if !bytes.Equal(b, again) {
		t.Error("two drawings of the same chart differ")
	}
}

func TestParallelSVG(t *testing.T) {
	root, raw := mustParallelSVG(t, svgSpecParallel())
	lines := root.find(svgClass("line"))
	if len(lines) != 5 {
		t.Fatalf("%d lines, want 5", len(lines))
	}
	byID := map[string]*xmlNode{}
	for _, l := range lines {
		byID[l.attrs["data-run-id"]] = l
		if l.child("title") == nil {
			t.Errorf("line %s has no title", l.attrs["data-run-id"])
		}
	}
	best, dep := byID["r1"], byID["r2"]
	if !best.hasClass("best") || best.attrs["stroke-width"] != "3.5" || best.attrs["stroke"] != hexColor(viridis(1)) {
		t.Errorf("best line %v", best.attrs)
	}
	if lines[len(lines)-1] != best {
		t.Error("the best line is not drawn last, on top")
	}
	if !dep.hasClass("deployed") || dep.attrs["stroke-dasharray"] == "" || dep.attrs["stroke-width"] != "1.5" {
		t.Errorf("deployed line %v", dep.attrs)
	}
	if byID["r4"].attrs["stroke"] != hexColor(viridis(0)) || byID["r4"].attrs["stroke"] == best.attrs["stroke"] {
		t.Errorf("worst line stroke %s", byID["r4"].attrs["stroke"])
	}
	if tip := best.child("title").text; !strings.Contains(tip, "config-042 Quick Test #3") || !strings.Contains(tip, "Recall@100: 47.3%") || !strings.Contains(tip, "Crosses: two") {
		t.Errorf("best title %q", tip)
	}
	// A run without revenue_buckets: its line breaks there, then goes on to the metric.
	if d := byID["r5"].attrs["d"]; strings.Count(d, "M") != 2 || strings.Count(d, "L") != 2 {
		t.Errorf("broken line d = %q, want two pieces", d)
	}
	if d := best.attrs["d"]; strings.Count(d, "M") != 1 || strings.Count(d, "L") != 4 {
		t.Errorf("best line d = %q, want five points", d)
	}
	axes := root.find(svgClass("axis"))
	if len(axes) != 5 || axes[4].attrs["data-kind"] != "metric" || axes[2].attrs["data-kind"] != "categorical" {
		t.Fatalf("%d axes", len(axes))
	}
	for i, want := range [][]string{{"32", "64", "128"}, {"32", "64"}, {"none", "one", "two"}, {"5", "10"}, {"42.0%", "47.3%"}} {
		txt := axes[i].allText()
		for _, w := range want {
			if !strings.Contains(txt, w) {
				t.Errorf("axis %d text %q lacks %q", i, txt, w)
			}
		}
	}
	s := string(raw)
	if strings.Contains(s, "<img") || strings.Contains(s, `&"'`) || !strings.Contains(s, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Error("a run name is not escaped")
	}
	if tip := byID["r3"].child("title").text; !strings.HasPrefix(tip, svgHostile+"\n") {
		t.Errorf("title %q", tip)
	}
	// The metric axis: best on top (smaller y) for a max metric, at the bottom for a min one.
	yOfLabel := func(root *xmlNode, label string) float64 {
		for _, e := range root.find(func(e *xmlNode) bool { return e.name == "text" && e.text == label }) {
			y, _ := strconv.ParseFloat(e.attrs["y"], 64)
			return y
		}
		t.Fatalf("no tick %q", label)
		return 0
	}
	if yOfLabel(root, "47.3%") >= yOfLabel(root, "42.0%") {
		t.Error("the best value is not on top")
	}
	p := svgSpecParallel()
	p.Metric, p.MetricLabel, p.Direction = "loss", "Loss", "min"
	lr, _ := mustParallelSVG(t, p)
	if yOfLabel(lr, "0.42") >= yOfLabel(lr, "0.473") {
		t.Error("for a loss, the lowest value is not on top")
	}
}

func TestParallelSVGEdgeCases(t *testing.T) {
	many := svgSpecParallel()
	for i := range 8 {
		many.Axes = append(many.Axes, mlexp.ParallelAxis{Name: fmt.Sprintf("p%d", i), Label: strings.Repeat("Long axis name ", 4), Kind: mlexp.AxisKindCategorical,
			Values: []string{"a", "b"}, Labels: []string{"a", strings.Repeat("b", 80)}})
		for li := range many.Lines {
			many.Lines[li].Values = append(many.Lines[li].Values, "a")
			many.Lines[li].Positions = append(many.Lines[li].Positions, numP(float64(li%2)))
		}
	}
	manyTicks := svgSpecParallel()
	manyTicks.Axes[0].Values, manyTicks.Axes[0].Labels = nil, nil
	for i := range 100 {
		manyTicks.Axes[0].Values = append(manyTicks.Axes[0].Values, strconv.Itoa(32+i))
		manyTicks.Axes[0].Labels = append(manyTicks.Axes[0].Labels, strconv.Itoa(32+i))
	}
	manyTicks.Axes[0].Max = numP(131)
	nan := svgSpecParallel()
	nan.Lines[1].MetricPosition = numP(math.NaN())
	nan.Lines[2].Positions[0] = numP(math.Inf(1))
	nan.Lines[3].Positions = nil
	nan.Lines[4].Metric = nil
	same := svgSpecParallel()
	same.MetricMax = same.MetricMin
	for name, p := range map[string]*mlexp.Parallel{
		"no lines":   {Metric: "recall_at_100", Axes: svgSpecParallel().Axes, Lines: []mlexp.ParallelLine{}, Skipped: 3},
		"no axes":    {Metric: "loss"},
		"many axes":  many,
		"many ticks": manyTicks,
		"nan":        nan,
		"one value":  same,
	} {
		t.Run(name, func(t *testing.T) {
			root, raw := mustParallelSVG(t, p)
			for _, bad := range []string{"NaN", "Inf", "%!"} {
				if strings.Contains(string(raw), bad) {
					t.Errorf("the SVG holds %q", bad)
				}
			}
			w, h := svgSize(t, root)
			if w > 2400 || h > 700 {
				t.Errorf("size %gx%g", w, h)
			}
			switch name {
			case "no lines":
				if !strings.Contains(string(raw), "No runs to draw") || !strings.Contains(string(raw), "3 skipped") {
					t.Error("no message for an empty chart")
				}
			case "many ticks":
				if n := len(root.find(svgClass("axis"))[0].find(func(e *xmlNode) bool { return e.name == "text" && e.attrs["class"] == "" })); float64(n) > pcPlotH/pcTickGap+1 || n < 4 {
					t.Errorf("%d tick labels on a 100-value axis", n)
				}
				svgSample(t, "parallel-ticks.svg", raw)
			case "many axes":
				if !strings.Contains(string(raw), "…") {
					t.Error("long labels are not truncated")
				}
				svgSample(t, "parallel-many.svg", raw)
			}
		})
	}
	if _, err := ParallelSVG(nil, SVGOptions{}); err == nil {
		t.Error("no error for nil")
	}
}
