package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

const svgHostile = `<img src=x onerror=alert(1)>`

func numP(v float64) *mlexp.Number { x := mlexp.Number(v); return &x }

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
	deployed.Deployed = true
	h.Cell("128/64", "none").RunName = svgHostile
	h.Cell("32/32", "category_x_subcategory").RunName = `&"'`
	return h
}

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

func svgSpecLink(c *mlexp.HeatmapCell) string {
	if c.Empty && c.Failed == 0 {
		return ""
	}
	return "/runs?x=" + url.QueryEscape(c.X) + "&y=" + url.QueryEscape(c.Y)
}

// sample writes b to $CHART_SAMPLES/name, to look at the charts.
func svgSample(tb testing.TB, name string, b []byte) {
	if dir := os.Getenv("CHART_SAMPLES"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// xmlNode is an element of a parsed SVG.
type xmlNode struct {
	name     string
	attrs    map[string]string
	children []*xmlNode
	text     string // character data directly inside
}

// parseSVG decodes every token of an SVG, failing on malformed XML, and returns its root.
func parseSVG(tb testing.TB, b []byte) *xmlNode {
	tb.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("the SVG is not well-formed XML: %v\n%s", err, b)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &xmlNode{name: t.Name.Local, attrs: map[string]string{}}
			for _, a := range t.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, e)
			} else if root == nil {
				root = e
			} else {
				tb.Fatal("the SVG has two root elements")
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil || root.name != "svg" {
		tb.Fatalf("the root element is not <svg>: %s", b)
	}
	if root.attrs["xmlns"] != "http://www.w3.org/2000/svg" || root.attrs["viewBox"] == "" || root.attrs["role"] != "img" {
		tb.Fatalf("the <svg> lacks xmlns, viewBox or role: %v", root.attrs)
	}
	if len(root.children) < 2 || root.children[0].name != "title" || root.children[1].name != "desc" ||
		strings.TrimSpace(root.children[0].text) == "" || strings.TrimSpace(root.children[1].text) == "" {
		tb.Fatal("the <svg> does not start with a <title> and a <desc>")
	}
	return root
}

// find returns the elements under e, e included, for which ok is true, in document order.
func (e *xmlNode) find(ok func(*xmlNode) bool) []*xmlNode {
	var out []*xmlNode
	if ok(e) {
		out = append(out, e)
	}
	for _, c := range e.children {
		out = append(out, c.find(ok)...)
	}
	return out
}

func (e *xmlNode) hasClass(c string) bool {
	for _, k := range strings.Fields(e.attrs["class"]) {
		if k == c {
			return true
		}
	}
	return false
}

// allText is the character data of e and its descendants but <title>s, space separated.
func (e *xmlNode) allText() string {
	parts := []string{e.text}
	for _, c := range e.children {
		if c.name != "title" {
			parts = append(parts, c.allText())
		}
	}
	return strings.Join(parts, " ")
}

func (e *xmlNode) child(name string) *xmlNode {
	for _, c := range e.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

func svgClass(c string) func(*xmlNode) bool {
	return func(e *xmlNode) bool { return e.hasClass(c) }
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
	golden(t, "heatmap.svg", b)
	again, _ := HeatmapSVG(svgSpecHeatmap(), SVGOptions{Link: svgSpecLink, Title: "Recall@100 by configuration"})
	if !bytes.Equal(b, again) {
		t.Error("two drawings of the same heatmap differ")
	}
}

func TestParallelSVGGolden(t *testing.T) {
	b, err := ParallelSVG(svgSpecParallel(), SVGOptions{})
	if err != nil {
		t.Fatal(err)
	}
	parseSVG(t, b)
	svgSample(t, "parallel.svg", b)
	golden(t, "parallel.svg", b)
	again, _ := ParallelSVG(svgSpecParallel(), SVGOptions{})
	if !bytes.Equal(b, again) {
		t.Error("two drawings of the same chart differ")
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

func svgSize(tb testing.TB, root *xmlNode) (w, h float64) {
	tb.Helper()
	w, err1 := strconv.ParseFloat(root.attrs["width"], 64)
	h, err2 := strconv.ParseFloat(root.attrs["height"], 64)
	if err1 != nil || err2 != nil || root.attrs["viewBox"] != "0 0 "+root.attrs["width"]+" "+root.attrs["height"] {
		tb.Fatalf("bad size: %v", root.attrs)
	}
	return w, h
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

func mustParallelSVG(tb testing.TB, p *mlexp.Parallel) (*xmlNode, []byte) {
	tb.Helper()
	b, err := ParallelSVG(p, SVGOptions{})
	if err != nil {
		tb.Fatalf("ParallelSVG: %v", err)
	}
	return parseSVG(tb, b), b
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
