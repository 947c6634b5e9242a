package chart

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// gridHeatmap is a heatmap of nx config ids by ny cross features, every cell with a value.
func gridHeatmap(nx, ny int) *mlexp.Heatmap {
	h := &mlexp.Heatmap{Metric: "recall_at_100", MetricLabel: "Recall@100", Direction: "max", Agg: "best", RunType: "all",
		XAxis: mlexp.AxisValues{Name: "config_id", Label: "Config Id"},
		YAxis: mlexp.AxisValues{Name: "cross_features", Label: "Cross Features"}}
	for i := range nx {
		v := fmt.Sprintf("config-%03d", i+1)
		h.XAxis.Values, h.XAxis.Labels = append(h.XAxis.Values, v), append(h.XAxis.Labels, v)
	}
	for j := range ny {
		v := fmt.Sprintf("cross %d", j)
		h.YAxis.Values, h.YAxis.Labels = append(h.YAxis.Values, v), append(h.YAxis.Labels, v)
	}
	for j := range ny {
		for i := range nx {
			h.Cells = append(h.Cells, mlexp.HeatmapCell{X: h.XAxis.Values[i], Y: h.YAxis.Values[j], Value: numP(0.40 + 0.001*float64(i+j)),
				N: 2, RunID: "r", RunIDs: []string{"r"}})
		}
	}
	h.Runs, h.Plotted = nx*ny*2, nx*ny*2
	return h
}

// checkTextSizes fails when a <text> of doc has a font size outside 10..16: the pages draw
// charts at their own scale, so these are the sizes people read.
func checkTextSizes(t *testing.T, what string, root *xmlNode) {
	t.Helper()
	for _, n := range root.find(func(n *xmlNode) bool { return n.name == "text" }) {
		size, err := strconv.ParseFloat(n.attrs["font-size"], 64)
		if err != nil || size < 10 || size > 16 {
			t.Errorf("%s: text %q has font-size %q, want 10..16", what, n.allText(), n.attrs["font-size"])
		}
	}
}

// TestHeatmapSVGTextSizes: from one cell to a wide grid, every text of the heatmap is
// drawn 10 to 16 px.
func TestHeatmapSVGTextSizes(t *testing.T) {
	for _, g := range [][2]int{{1, 1}, {2, 2}, {4, 3}, {12, 6}, {40, 12}} {
		root, _ := mustHeatmapSVG(t, gridHeatmap(g[0], g[1]), SVGOptions{Title: "Recall@100 by Config Id"})
		checkTextSizes(t, fmt.Sprintf("%d×%d heatmap", g[0], g[1]), root)
	}
}

// TestHeatmapSVGConfigIDLabels: on a Config Id axis too narrow for "config-011", the
// columns show what tells them apart ("011") and the axis name says the prefix once; the
// whole id stays in the label's tooltip.
func TestHeatmapSVGConfigIDLabels(t *testing.T) {
	root, _ := mustHeatmapSVG(t, gridHeatmap(30, 3), SVGOptions{})
	var labels []string
	for _, n := range root.find(svgClass("label")) {
		if n.hasClass("x") {
			tip := ""
			if c := n.child("title"); c != nil {
				tip = c.text
			}
			labels = append(labels, n.allText()+"|"+tip)
		}
	}
	if len(labels) != 30 || labels[10] != "011|config-011" {
		t.Errorf("x labels %q: want the number of each config, with its whole id as tooltip", labels)
	}
	name := root.find(svgClass("axis-name"))[0].allText()
	if name != "Config Id (config-…)" {
		t.Errorf("x axis name %q, want Config Id (config-…)", name)
	}
	// Few columns are wide enough for the whole id: nothing is cut.
	root, _ = mustHeatmapSVG(t, gridHeatmap(3, 2), SVGOptions{})
	for _, n := range root.find(svgClass("label")) {
		if n.hasClass("x") && len(n.allText()) != len("config-001") {
			t.Errorf("3 columns: x label %q, want the whole id", n.allText())
		}
	}
}
