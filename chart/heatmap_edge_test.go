package chart

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// grid builds an nx×ny heatmap with values everywhere, a best cell and long labels.
func svgGrid(nx, ny int, label func(i int) string) *mlexp.Heatmap {
	h := &mlexp.Heatmap{Metric: "recall_at_10", MetricLabel: "Recall@10", Direction: "max", Agg: "mean",
		XAxis: mlexp.AxisValues{Name: "x", Label: "X"}, YAxis: mlexp.AxisValues{Name: "y", Label: "Y"}}
	for i := range nx {
		h.XAxis.Values = append(h.XAxis.Values, strconv.Itoa(i))
		h.XAxis.Labels = append(h.XAxis.Labels, label(i))
	}
	for i := range ny {
		h.YAxis.Values = append(h.YAxis.Values, strconv.Itoa(i))
		h.YAxis.Labels = append(h.YAxis.Labels, label(i))
	}
	for yi := range ny {
		for xi := range nx {
			v := 0.1 + 0.3*float64(xi*ny+yi)/float64(nx*ny)
			h.Cells = append(h.Cells, mlexp.HeatmapCell{X: strconv.Itoa(xi), Y: strconv.Itoa(yi), Value: numP(v), N: 2, RunIDs: []string{"a", "b"},
				Min: numP(v - 0.01), Max: numP(v), Std: numP(0.007), RunName: "r"})
		}
	}
	h.Cells[len(h.Cells)-1].Best = true
	return h
}

func TestHeatmapSVGSizes(t *testing.T) {
	long := func(i int) string {
		return fmt.Sprintf("a very long configuration label number %d that goes on and on", i)
	}
	for _, tc := range []struct {
		nx, ny       int
		maxW, maxH   float64
		label        func(int) string
		wantEllipsis bool
	}{
		{1, 1, 700, 300, strconv.Itoa, false},
		{4, 3, 900, 400, strconv.Itoa, false},
		{20, 20, 1400, 900, strconv.Itoa, false},
		{20, 20, 1500, 900, long, true},
	} {
		t.Run(fmt.Sprintf("%dx%d", tc.nx, tc.ny), func(t *testing.T) {
			h := svgGrid(tc.nx, tc.ny, tc.label)
			root, raw := mustHeatmapSVG(t, h, SVGOptions{})
			if got := len(root.find(svgClass("cell"))); got != tc.nx*tc.ny {
				t.Errorf("%d cells", got)
			}
			w, hh := svgSize(t, root)
			if w > tc.maxW || hh > tc.maxH || w < 200 || hh < 100 {
				t.Errorf("size %gx%g, want at most %gx%g", w, hh, tc.maxW, tc.maxH)
			}
			if got := strings.Contains(string(raw), "…"); got != tc.wantEllipsis {
				t.Errorf("ellipsis = %v", got)
			}
			if tc.wantEllipsis && !strings.Contains(string(raw), "<title>"+long(3)+"</title>") {
				t.Error("a truncated label has no title with its whole text")
			}
			if len(root.find(svgClass("best"))) != 1 {
				t.Error("no best cell")
			}
			if tc.nx == 20 {
				svgSample(t, fmt.Sprintf("heatmap20-%v.svg", tc.wantEllipsis), raw)
			}
		})
	}
}

func TestHeatmapSVGEdgeCases(t *testing.T) {
	allEmpty := svgGrid(3, 2, strconv.Itoa)
	for i := range allEmpty.Cells {
		c := &allEmpty.Cells[i]
		c.Value, c.Empty, c.N, c.Best, c.RunIDs = nil, true, 0, false, []string{}
	}
	allEmpty.Cells[0].Failed = 1
	nan := svgGrid(2, 2, strconv.Itoa)
	nan.Cells[0].Value = numP(math.NaN())
	nan.Cells[1].Value = numP(math.Inf(1))
	nan.Cells[2].Std = numP(math.NaN())
	same := svgGrid(2, 1, strconv.Itoa)
	for i := range same.Cells {
		same.Cells[i].Value = numP(0.3)
	}
	for name, h := range map[string]*mlexp.Heatmap{
		"all empty": allEmpty,
		"no cells":  {Metric: "recall_at_100", XAxis: mlexp.AxisValues{Name: "x"}, YAxis: mlexp.AxisValues{Name: "y"}},
		"nan":       nan,
		"one value": same,
		"bare":      {Cells: []mlexp.HeatmapCell{{X: "a", Y: "b"}}, XAxis: mlexp.AxisValues{Values: []string{"a"}}, YAxis: mlexp.AxisValues{Values: []string{"b"}}},
	} {
		t.Run(name, func(t *testing.T) {
			root, raw := mustHeatmapSVG(t, h, SVGOptions{})
			for _, bad := range []string{"NaN", "Inf", "%!"} {
				if strings.Contains(string(raw), bad) {
					t.Errorf("the SVG holds %q", bad)
				}
			}
			if b, err := HeatmapPNG(h, SVGOptions{Scale: 1}); err != nil {
				t.Errorf("HeatmapPNG: %v", err)
			} else {
				svgSample(t, "edge-"+strings.ReplaceAll(name, " ", "-")+".png", b)
			}
			key := root.find(svgClass("legend"))[0].allText()
			switch name {
			case "all empty", "no cells":
				if !strings.Contains(key, "no values to plot") {
					t.Errorf("legend %q", key)
				}
				if len(root.find(svgClass("best"))) != 0 {
					t.Error("a best cell without values")
				}
			case "nan":
				if got := len(root.find(svgClass("empty"))); got != 2 {
					t.Errorf("%d empty cells, want the NaN and the infinite ones", got)
				}
			case "one value":
				if strings.Contains(key, "better") {
					t.Errorf("legend %q shows a range for one value", key)
				}
			}
		})
	}
	if _, err := HeatmapSVG(nil, SVGOptions{}); err == nil {
		t.Error("no error for a nil heatmap")
	}
	bad := svgGrid(2, 2, strconv.Itoa)
	bad.Cells = bad.Cells[:3]
	if _, err := HeatmapSVG(bad, SVGOptions{}); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("cells that do not fill the grid: %v", err)
	}
	if _, err := HeatmapPNG(bad, SVGOptions{}); err == nil {
		t.Error("HeatmapPNG: no error for cells that do not fill the grid")
	}
}
