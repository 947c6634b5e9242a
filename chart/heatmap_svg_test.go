package chart

import (
	"bytes"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/golden"
)

// svgSpecHeatmap is the dashboard mock-up's heatmap: Recall@100 by embedding dims and cross
// features, with an empty cell, a failed-only cell, several runs in the best one, and run
// names MLflow could hand us.
func svgSpecHeatmap() *mlexp.Heatmap {
	h := &mlexp.Heatmap{
		Metric: "recall_at_100", MetricLabel: "Recall@100", Direction: "max", Agg: "best", RunType: "all",
		XAxis: mlexp.AxisValues{Name: "embedding_dims", Label: "Embedding Dims",
			Values: []string{"32/32", "64/32", "64/64", "128/64"},
			Labels: []string{"user:32 prod:32", "user:64 prod:32", "user:64 prod:64", "user:128 prod:64"}},
		YAxis: mlexp.AxisValues{Name: "cross_features", Label: "Cross Features",
			Values: []string{"none", "category_x_subcategory", "category_x_subcategory,user_id_x_city"},
			Labels: []string{"No crosses", "cat × subcat", "cat × subcat + user × city"}},
		Runs: 17, Plotted: 13, Failed: 3, MissingMetric: 1,
	}
	values := [][]float64{
		{0.382, 0.415, 0.441, 0.448},
		{0.391, 0.428, 0.459, 0.462},
		{math.NaN(), math.NaN(), 0.473, 0.469}, // NaN: no value
	}
	id := 0
	for yi, y := range h.YAxis.Values {
		for xi, x := range h.XAxis.Values {
			id++
			c := mlexp.HeatmapCell{X: x, Y: y, RunIDs: []string{}, Empty: true}
			if v := values[yi][xi]; !math.IsNaN(v) {
				rid := fmt.Sprintf("run%02d", id)
				c.Value, c.Min, c.Max, c.Mean, c.Std = numP(v), numP(v), numP(v), numP(v), numP(0)
				c.N, c.Empty, c.RunID, c.RunName, c.RunIDs = 1, false, rid, fmt.Sprintf("config-%03d", 30+id), []string{rid}
			}
			h.Cells = append(h.Cells, c)
		}
	}
	failed := h.Cell("64/32", "category_x_subcategory,user_id_x_city")
	failed.Failed, failed.RunIDs = 2, []string{"run90", "run91"}
	best := h.Cell("64/64", "category_x_subcategory,user_id_x_city")
	best.N, best.Min, best.Max, best.Mean, best.Std = 3, numP(0.451), numP(0.473), numP(0.4623), numP(0.011)
	best.RunName, best.RunIDs, best.Best = "config-042 Quick Test #3", []string{"run11", "run12", "run13"}, true
	best.Failed, best.MissingMetric = 1, 1
	bc := *best
	h.Best = &bc
	deployed := h.Cell("128/64", "category_x_subcategory")
	deployed.Deployed, deployed.DeployedRunID, deployed.DeployedRunName, deployed.DeployedValue = true, deployed.RunID, deployed.RunName, deployed.Value
	h.Cell("128/64", "none").RunName = svgHostile
	h.Cell("32/32", "category_x_subcategory").RunName = `&"'`
	return h
}

func svgSpecLink(c *mlexp.HeatmapCell) string {
	if c.Empty && c.Failed == 0 {
		return ""
	}
	return "/runs?x=" + url.QueryEscape(c.X) + "&y=" + url.QueryEscape(c.Y)
}

func mustHeatmapSVG(tb testing.TB, h *mlexp.Heatmap, opts SVGOptions) (*xmlNode, []byte) {
	tb.Helper()
	b, err := HeatmapSVG(h, opts)
	if err != nil {
		tb.Fatalf("HeatmapSVG: %v", err)
	}
	return parseSVG(tb, b), b
}

// svgCellAt returns the <g class="cell"> of (x, y).
func svgCellAt(tb testing.TB, root *xmlNode, x, y string) *xmlNode {
	tb.Helper()
	for _, c := range root.find(svgClass("cell")) {
		if c.attrs["data-x"] == x && c.attrs["data-y"] == y {
			return c
		}
	}
	tb.Fatalf("no cell (%s, %s)", x, y)
	return nil
}

func TestHeatmapSVGGolden(t *testing.T) {
	b, err := HeatmapSVG(svgSpecHeatmap(), SVGOptions{Link: svgSpecLink, Title: "Recall@100 by configuration"})
	if err != nil {
		t.Fatal(err)
	}
	parseSVG(t, b)
	svgSample(t, "heatmap.svg", b)
	golden.Check(t, "heatmap.svg", b)
	again, _ := HeatmapSVG(svgSpecHeatmap(), SVGOptions{Link: svgSpecLink, Title: "Recall@100 by configuration"})
	if !bytes.Equal(b, again) {
		t.Error("two drawings of the same heatmap differ")
	}
}

func TestHeatmapSVGCells(t *testing.T) {
	root, raw := mustHeatmapSVG(t, svgSpecHeatmap(), SVGOptions{})
	cells := root.find(svgClass("cell"))
	if len(cells) != 12 {
		t.Fatalf("%d cells, want 12", len(cells))
	}
	for _, c := range cells {
		if c.name != "g" || c.child("title") == nil || c.child("rect") == nil {
			t.Fatalf("cell %v is not a <g> with a <title> and a <rect>", c.attrs)
		}
	}
	if strings.Contains(string(raw), "<a ") {
		t.Error("cells are links without opts.Link")
	}

	best := root.find(svgClass("best"))
	if len(best) != 1 || best[0].attrs["data-x"] != "64/64" || !strings.Contains(best[0].allText(), "★") || !strings.Contains(best[0].allText(), "47.3%") {
		t.Fatalf("best cells = %v, want one (64/64) with ★ and 47.3%%", best)
	}
	if got := best[0].attrs["data-run-ids"]; got != "run11 run12 run13" {
		t.Errorf("best data-run-ids = %q", got)
	}
	if got := best[0].attrs["data-value"]; got != "0.473" {
		t.Errorf("best data-value = %q", got)
	}
	if txt := best[0].allText(); !strings.Contains(txt, "n=3") {
		t.Errorf("best cell text %q lacks n=3", txt)
	}
	tip := best[0].child("title").text
	for _, want := range []string{"config-042 Quick Test #3", "47.3%", "n=3", "45.1%–47.3%", "std 1.1 pp", "1 failed", "user:64 prod:64"} {
		if !strings.Contains(tip, want) {
			t.Errorf("best cell title %q lacks %q", tip, want)
		}
	}
	dep := root.find(svgClass("deployed"))
	if len(dep) != 1 || !strings.Contains(dep[0].allText(), "●") || dep[0].attrs["data-x"] != "128/64" {
		t.Errorf("deployed cells = %v, want one (128/64) with ●", dep)
	}
	if txt := svgCellAt(t, root, "64/32", "category_x_subcategory").allText(); strings.Contains(txt, "n=") {
		t.Errorf("a one-run cell shows its n: %q", txt)
	}

	empty := root.find(svgClass("empty"))
	if len(empty) != 2 {
		t.Fatalf("%d empty cells, want 2", len(empty))
	}
	for _, e := range empty {
		if !strings.Contains(e.allText(), "—") || !strings.HasPrefix(e.child("rect").attrs["fill"], "url(#") || e.attrs["data-value"] != "" {
			t.Errorf("empty cell %v: text %q, fill %q", e.attrs, e.allText(), e.child("rect").attrs["fill"])
		}
	}
	if txt := svgCellAt(t, root, "64/32", "category_x_subcategory,user_id_x_city").allText(); !strings.Contains(txt, "✕ 2 failed") {
		t.Errorf("failed-only cell text %q lacks ✕ 2 failed", txt)
	}
	if txt := svgCellAt(t, root, "32/32", "category_x_subcategory,user_id_x_city").allText(); strings.Contains(txt, "failed") {
		t.Errorf("the empty cell without runs says %q", txt)
	}

	// Colours: the worst cell is dark with white text, the best bright with dark text.
	worst := svgCellAt(t, root, "32/32", "none")
	wFill, bFill := worst.child("rect").attrs["fill"], best[0].child("rect").attrs["fill"]
	if wFill == bFill || bFill != hexColor(viridis(1)) || wFill != hexColor(viridis(0)) {
		t.Errorf("fills: worst %s, best %s; want %s and %s", wFill, bFill, hexColor(viridis(0)), hexColor(viridis(1)))
	}
	wInk, bInk := worst.child("text").attrs["fill"], best[0].child("text").attrs["fill"]
	if wInk != "#ffffff" || bInk != "#000000" {
		t.Errorf("text colours: worst %s, best %s; want white on dark, dark on bright", wInk, bInk)
	}
	// The x labels of embedding dims are two lines, as in the mock-up.
	xl := root.find(func(e *xmlNode) bool { return e.hasClass("label") && e.hasClass("x") })
	if len(xl) != 4 || len(xl[0].find(func(e *xmlNode) bool { return e.name == "tspan" })) != 2 || xl[0].allText() != " user:32 prod:32" {
		t.Errorf("x labels: %d, first %q", len(xl), xl[0].allText())
	}
	// The key.
	key := root.find(svgClass("legend"))
	if len(key) != 1 {
		t.Fatal("no legend")
	}
	for _, want := range []string{"38.2%", "47.3%", "★", "Best", "●", "Deployed", "No value", "17 runs"} {
		if !strings.Contains(key[0].allText(), want) {
			t.Errorf("legend %q lacks %q", key[0].allText(), want)
		}
	}
}

func TestHeatmapSVGEscapes(t *testing.T) {
	h := svgSpecHeatmap()
	h.YAxis.Labels[0] = `<script>alert("y")</script>`
	h.XAxis.Label = `x & <b>`
	h.Cell("32/32", "none").RunIDs = []string{`"><script>`}
	opts := SVGOptions{Title: `<title>&`, Link: func(c *mlexp.HeatmapCell) string { return `/runs?a=1&b="<x>"` }, ID: `x"><script>`}
	root, raw := mustHeatmapSVG(t, h, opts)
	s := string(raw)
	for _, bad := range []string{"<img", "<script", `&"'`, "<b>", `"<x>"`, "&b="} {
		if strings.Contains(s, bad) {
			t.Errorf("the SVG holds %q unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;img src=x onerror=alert(1)&gt;", "&amp;&#34;&#39;", "&amp;b=&#34;&lt;x&gt;&#34;"} {
		if !strings.Contains(s, want) {
			t.Errorf("the SVG lacks %q", want)
		}
	}
	// And the texts come back intact from the XML.
	if tip := svgCellAt(t, root, "128/64", "none").child("title").text; !strings.Contains(tip, "Run: "+svgHostile) {
		t.Errorf("title %q lacks the run name", tip)
	}
	links := root.find(func(e *xmlNode) bool { return e.name == "a" })
	if len(links) != 12 || links[0].attrs["href"] != `/runs?a=1&b="<x>"` {
		t.Errorf("%d links, want 12, first %v", len(links), links[0].attrs)
	}
	if id := root.attrs["id"]; id != "xscript" {
		t.Errorf("id = %q", id)
	}
}

func TestHeatmapSVGLink(t *testing.T) {
	root, raw := mustHeatmapSVG(t, svgSpecHeatmap(), SVGOptions{Link: svgSpecLink})
	a := root.find(func(e *xmlNode) bool { return e.name == "a" })
	if len(a) != 11 {
		t.Fatalf("%d links, want 11", len(a))
	}
	if got, want := a[0].attrs["href"], "/runs?x=32%2F32&y=none"; got != want {
		t.Errorf("href = %q, want %q", got, want)
	}
	if !strings.Contains(string(raw), `href="/runs?x=32%2F32&amp;y=none"`) {
		t.Error("the & of the link is not escaped")
	}
	if len(a[0].children) != 1 || !a[0].children[0].hasClass("cell") {
		t.Error("the link does not wrap the cell")
	}
}

func TestHeatmapSVGLowerIsBetter(t *testing.T) {
	h := svgSpecHeatmap()
	h.Metric, h.MetricLabel, h.Direction = "loss", "Loss", "min"
	for i := range h.Cells {
		h.Cells[i].Best = false
	}
	low := h.Cell("32/32", "none")
	low.Best = true
	root, _ := mustHeatmapSVG(t, h, SVGOptions{})
	if got := svgCellAt(t, root, "32/32", "none").child("rect").attrs["fill"]; got != hexColor(viridis(1)) {
		t.Errorf("the lowest loss is %s, want the brightest %s", got, hexColor(viridis(1)))
	}
	if got := svgCellAt(t, root, "64/64", "category_x_subcategory,user_id_x_city").child("rect").attrs["fill"]; got != hexColor(viridis(0)) {
		t.Errorf("the highest loss is %s, want the darkest", got)
	}
	if txt := root.find(svgClass("legend"))[0].allText(); !strings.Contains(txt, "lower is better") || strings.Index(txt, "0.473") > strings.Index(txt, "0.382") {
		t.Errorf("legend %q: want the worst (0.473) first and lower is better", txt)
	}
}

// TestHeatmapSVGDeployedMarkPointsAtTheDeployedRun: a cell shows its cheapest run (a quick
// test) but holds the deployed full training; its ● goes with the deployed run's own
// value, and its tooltip and description name the deployed run, not the quick test.
func TestHeatmapSVGDeployedMarkPointsAtTheDeployedRun(t *testing.T) {
	h := &mlexp.Heatmap{Metric: "cost_usd", MetricLabel: "Cost", Direction: "min", Agg: "best", RunType: "all",
		XAxis: mlexp.AxisValues{Name: "config_id", Label: "Config Id", Values: []string{"config-011"}, Labels: []string{"config-011"}},
		YAxis: mlexp.AxisValues{Name: "cross_features", Label: "Cross Features", Values: []string{"none"}, Labels: []string{"No crosses"}},
		Cells: []mlexp.HeatmapCell{{X: "config-011", Y: "none", Value: numP(1.52), N: 2, RunID: "q11", RunName: "config-011 Quick Test #11",
			RunIDs: []string{"q11", "f3"}, Min: numP(1.52), Max: numP(38.22), Deployed: true,
			DeployedRunID: "f3", DeployedRunName: "config-011 Full Training #3", DeployedValue: numP(38.22)}},
		Runs: 2, Plotted: 2}
	root, b := mustHeatmapSVG(t, h, SVGOptions{})
	c := svgCellAt(t, root, "config-011", "none")
	if c.attrs["data-deployed-run-id"] != "f3" || c.attrs["data-deployed-value"] != "38.22" {
		t.Errorf("deployed data: %v", c.attrs)
	}
	var texts []string
	for _, n := range c.find(func(n *xmlNode) bool { return n.name == "text" }) {
		texts = append(texts, n.allText())
	}
	if !slices.Contains(texts, "$1.52") || !slices.Contains(texts, "● $38.22") || slices.Contains(texts, "● $1.52") {
		t.Errorf("cell texts %q: want $1.52 and, apart, ● $38.22", texts)
	}
	tip := c.child("title").text
	if !strings.Contains(tip, "● Deployed: config-011 Full Training #3 · $38.22") {
		t.Errorf("tooltip %q does not name the deployed run and its cost", tip)
	}
	desc := root.child("desc").text
	if !strings.Contains(desc, "Deployed: $38.22 at config-011, No crosses (config-011 Full Training #3).") {
		t.Errorf("description %q", desc)
	}
	if bytes.Contains(b, []byte("●1.52")) || bytes.Contains(b, []byte("● 1.52")) {
		t.Error("● stands beside the quick test's cost")
	}
}
