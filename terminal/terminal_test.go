package terminal

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// termNow is the fixed "now" of the terminal tests.
var termNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// termFixtureRun is a run of the fixture: config n, dims u/p, crosses, recall@100.
func termFixtureRun(id string, n, typ int, u, p int, crosses string, r100 float64, ago time.Duration, dur time.Duration, cost float64) mlexp.Run {
	config := fmt.Sprintf("config-%03d", n)
	rt, name := mlexp.QuickTestRun, config+" Quick Test #1"
	params := map[string]string{"data_sample_percent": "10", "epochs": "2"}
	if typ == 1 {
		rt, name = mlexp.FullTrainingRun, config+" Full Training #"+strconv.Itoa(n)
		params = map[string]string{"data_sample_percent": "100", "epochs": "20", "batch_size": "8192", "training_run_id": strconv.Itoa(n)}
	}
	params["run_type"], params["config_id"] = string(rt), config
	params["user_id_embedding_dim"], params["product_id_embedding_dim"] = strconv.Itoa(u), strconv.Itoa(p)
	params["city_embedding_dim"], params["category_embedding_dim"] = "16", "16"
	params["query_tower"], params["candidate_tower"] = "user_id,city", "product_id,category"
	params["cross_features"] = crosses
	for _, c := range strings.Split(crosses, ",") {
		switch c {
		case "category_x_subcategory":
			params[c+"_buckets"] = "1000"
		case "user_id_x_city":
			params[c+"_buckets"] = "5000"
		}
	}
	start := termNow.Add(-ago)
	r := mlexp.Run{ID: id, Name: name, ExperimentID: "7", Type: rt, ConfigID: config, ConfigName: config, Status: mlexp.RunFinished,
		Start: start, End: start.Add(dur), CostUSD: &cost, Params: params,
		Metrics: mlexp.MetricValues{"recall_at_100": r100, "recall_at_50": r100 - 0.088, "recall_at_10": r100 - 0.291, "loss": 0.3 + (0.5-r100)*2}}
	r.Prepare()
	return r
}

// termRID is the run id of the quick test of config n.
func termRID(n int) string { return fmt.Sprintf("run%02d", n) + strings.Repeat("0", 27) }

// termRuns mirror the spec's dashboard: a 4×3 grid of quick tests, two full trainings (the
// one of config-038 deployed) and a failed quick test.
func termRuns() []mlexp.Run {
	dims := [][2]int{{32, 32}, {64, 32}, {64, 64}, {128, 64}}
	crosses := []string{"none", "category_x_subcategory", "category_x_subcategory,user_id_x_city"}
	values := [][]float64{{0.382, 0.415, 0.441, 0.448}, {0.391, 0.428, 0.459, 0.455}, {0.385, 0.431, 0.473, 0.469}}
	numbers := [][]int{{31, 32, 33, 34}, {35, 36, 37, 38}, {39, 40, 42, 41}}
	var runs []mlexp.Run
	for y, c := range crosses {
		for x, d := range dims {
			n := numbers[y][x]
			runs = append(runs, termFixtureRun(termRID(n), n, 0, d[0], d[1], c, values[y][x],
				time.Duration(50-n)*5*time.Hour, time.Duration(5+x)*time.Minute, 1.1+0.1*float64(x)))
		}
	}
	full := termFixtureRun("full38"+strings.Repeat("0", 26), 38, 1, 128, 64, crosses[1], 0.462, 5*24*time.Hour, 2*time.Hour+58*time.Minute, 32.10)
	full.Deployed = true
	runs = append(runs, full)
	runs = append(runs, termFixtureRun("full42"+strings.Repeat("0", 26), 42, 1, 64, 64, crosses[2], 0.468, 5*time.Hour, 3*time.Hour+42*time.Minute, 38.50))
	failed := termFixtureRun("fail44"+strings.Repeat("0", 26), 44, 0, 256, 64, crosses[2], 0, 26*time.Hour, 3*time.Minute, 0.2)
	failed.Status, failed.Metrics = mlexp.RunFailed, mlexp.MetricValues{}
	failed.Failure = &mlexp.Failure{Stage: "Transform", Reason: "OOM during Transform: user:256d (too large)"}
	runs = append(runs, failed)
	return runs
}

func termHeatmap(t *testing.T, q mlexp.HeatmapQuery) *mlexp.Heatmap {
	t.Helper()
	runs := termRuns()
	if err := q.Check(runs); err != nil {
		t.Fatal(err)
	}
	return mlexp.BuildHeatmap(runs, q)
}

func termComparison(t *testing.T, ids ...string) *mlexp.Comparison {
	t.Helper()
	byID := map[string]mlexp.Run{}
	for _, r := range termRuns() {
		byID[r.ID] = r
	}
	var runs []mlexp.Run
	for _, id := range ids {
		r, ok := byID[id]
		if !ok {
			t.Fatalf("no run %s", id)
		}
		runs = append(runs, r)
	}
	c, err := mlexp.CompareRuns(runs, mlexp.CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// termCheckPlain fails when out has an escape byte, and when the lines of a box (from a line
// starting with ┌ to the next starting with └, or rows of cards) differ in width.
func termCheckPlain(t *testing.T, out string) {
	t.Helper()
	if strings.ContainsRune(out, 0x1b) {
		t.Errorf("plain output has an ESC byte:\n%s", out)
	}
	termCheckBoxes(t, out)
}

func termCheckBoxes(t *testing.T, out string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	inBox, width, boxes := false, 0, 0
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "┌"):
			inBox, width = true, StringWidth(l)
			boxes++
		case inBox:
			if w := StringWidth(l); w != width {
				t.Errorf("line %d is %d columns wide, the box it is in %d:\n%s\n%s", i+1, w, width, lines[i-1], l)
			}
			if !strings.HasPrefix(l, "│") && !strings.HasPrefix(l, "├") && !strings.HasPrefix(l, "└") {
				t.Errorf("line %d inside a box does not start with a border: %q", i+1, l)
			}
			if strings.HasPrefix(l, "└") {
				inBox = false
			}
		}
	}
	if inBox {
		t.Error("a box is not closed")
	}
	if boxes == 0 {
		t.Error("no box drawn")
	}
}

func termRender(t *testing.T, f func(*bytes.Buffer) error) string {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestHeatmap(t *testing.T) {
	h := termHeatmap(t, mlexp.HeatmapQuery{})
	plain := termRender(t, func(b *bytes.Buffer) error { return Heatmap(b, h, Options{Now: termNow}) })
	golden(t, "heatmap.txt", []byte(plain))
	termCheckPlain(t, plain)
	for _, want := range []string{"★47.3%", "●46.2%", "38.2%", "user:128", "prod:64", "No crosses", "│ cat × subcat + user × │", "│ city ",
		"★ Best | ● Deployed", "Legend: █████ ≥46% ████ 44-46% ███ 42-44% ██ 40-42% █ <40%", "15 runs, 14 plotted, 1 failed",
		"(failed)"} {
		if !strings.Contains(plain, want) {
			t.Errorf("heatmap lacks %q:\n%s", want, plain)
		}
	}

	color := termRender(t, func(b *bytes.Buffer) error {
		return Heatmap(b, h, Options{Color: true, Now: termNow})
	})
	golden(t, "heatmap_color.txt", []byte(color))
	for _, want := range []string{"\x1b[38;5;220m█████\x1b[0m", "\x1b[38;5;53m█\x1b[0m", "\x1b[1;38;5;220m★\x1b[0m", "\x1b[1;38;5;39m●\x1b[0m"} {
		if !strings.Contains(color, want) {
			t.Errorf("coloured heatmap lacks %q", want)
		}
	}
	if stripped := termStrip(color); stripped != plain {
		t.Errorf("the coloured heatmap without its escapes differs from the plain one:\n%s", stripped)
	}
}

func termStrip(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if k := termEscapeLen(s[i:]); k > 0 {
			i += k
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// TestHeatmapLoss checks that the bars grow for lower values when lower is better.
func TestHeatmapLoss(t *testing.T) {
	h := termHeatmap(t, mlexp.HeatmapQuery{Metric: "loss", XAxis: "cross_features", YAxis: "embedding_dims"})
	out := termRender(t, func(b *bytes.Buffer) error { return Heatmap(b, h, Options{Width: 60}) })
	termCheckPlain(t, out)
	best := h.Best
	scale := newTermHeatScale(h)
	if lv := scale.level(float64(*best.Value)); lv != termHeatLevels {
		t.Errorf("best loss %v has level %d, want %d", *best.Value, lv, termHeatLevels)
	}
	if !strings.Contains(out, "█████ <") {
		t.Errorf("legend of a loss heatmap should start with the lowest values:\n%s", out)
	}
	for i, l := range strings.Split(out, "\n") {
		if StringWidth(l) > 80 {
			t.Errorf("line %d is wider than needed: %q", i+1, l)
		}
	}
}

func TestHeatmapEdgeCases(t *testing.T) {
	empty := &mlexp.Heatmap{Metric: "recall_at_100", MetricLabel: "Recall@100", Agg: "best", RunType: "all"}
	out := termRender(t, func(b *bytes.Buffer) error { return Heatmap(b, empty, Options{}) })
	if !strings.Contains(out, "No runs to plot.") {
		t.Errorf("empty heatmap:\n%s", out)
	}
	// One cell: the whole range is one value.
	runs := termRuns()[:1]
	q := mlexp.HeatmapQuery{}
	if err := q.Check(runs); err != nil {
		t.Fatal(err)
	}
	out = termRender(t, func(b *bytes.Buffer) error { return Heatmap(b, mlexp.BuildHeatmap(runs, q), Options{}) })
	termCheckPlain(t, out)
	if !strings.Contains(out, "Legend: █████ 38.2%") {
		t.Errorf("one-cell heatmap:\n%s", out)
	}
	// Long labels are truncated with "…" and the box stays aligned.
	long := termRuns()[:3]
	long[0].Params["cross_features"] = "a_very_long_feature_name_for_testing_x_another_extremely_long_feature_name"
	long[0].Prepare()
	q = mlexp.HeatmapQuery{}
	if err := q.Check(long); err != nil {
		t.Fatal(err)
	}
	out = termRender(t, func(b *bytes.Buffer) error { return Heatmap(b, mlexp.BuildHeatmap(long, q), Options{}) })
	termCheckPlain(t, out)
	if !strings.Contains(out, "…") {
		t.Errorf("long label not truncated:\n%s", out)
	}
}

func TestSummary(t *testing.T) {
	s, err := mlexp.Summarize(termRuns(), "", termNow, 4)
	if err != nil {
		t.Fatal(err)
	}
	out := termRender(t, func(b *bytes.Buffer) error { return Summary(b, s, Options{Now: termNow}) })
	golden(t, "summary.txt", []byte(out))
	termCheckPlain(t, out)
	for _, want := range []string{"Quick Tests", "Full Trains", "Best R@100", "★ 47.3%", "config-042", "● 46.2%", "config-038",
		"config-042 • Full Training #42", "5 hours ago | 3h 42m | $38.50 | user:64d prod:64d +2 crosses",
		"config-044 • Quick Test #1", "Failed", "OOM during Transform: user:256d (too large)", "The 4 most recent of 15 runs."} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestRuns(t *testing.T) {
	runs := termRuns()
	q := mlexp.RunsQuery{Sort: "recall_at_100", PageSize: 6}
	if err := q.Check(runs); err != nil {
		t.Fatal(err)
	}
	out := termRender(t, func(b *bytes.Buffer) error {
		return Runs(b, mlexp.QueryRuns(runs, q), Options{Now: termNow})
	})
	golden(t, "runs.txt", []byte(out))
	termCheckPlain(t, out)
	for _, want := range []string{"Run Name", "R@100", "  config-042 #1 ", "47.3%", "38.5%", "Quick", "Full", "3h 42m",
		"5h ago", "1d ago", "● config-038 #38 ", "Page 1 of 3 · 15 runs · 6 per page"} {
		if !strings.Contains(out, want) {
			t.Errorf("runs table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Status") {
		t.Errorf("a page of finished runs has a Status column:\n%s", out)
	}
	q = mlexp.RunsQuery{Status: "failed"}
	_ = q.Check(runs)
	out = termRender(t, func(b *bytes.Buffer) error {
		return Runs(b, mlexp.QueryRuns(runs, q), Options{Now: termNow})
	})
	termCheckPlain(t, out)
	if !strings.Contains(out, "Status") || !strings.Contains(out, "Failed") {
		t.Errorf("failed runs without status:\n%s", out)
	}
	out = termRender(t, func(b *bytes.Buffer) error { return Runs(b, mlexp.RunsPage{Page: 1}, Options{}) })
	if !strings.Contains(out, "No runs match.") {
		t.Errorf("empty page:\n%s", out)
	}
}

func TestComparison(t *testing.T) {
	// config-042's quick test against the deployed full training of config-038.
	c := termComparison(t, termRID(42), "full38"+strings.Repeat("0", 26))
	out := termRender(t, func(b *bytes.Buffer) error { return Comparison(b, c, Options{Now: termNow}) })
	golden(t, "compare.txt", []byte(out))
	termCheckPlain(t, out)
	for _, want := range []string{"Selected: config-042 (Quick Test #1) vs config-038 (Full Training #38)",
		"METRICS COMPARISON", "Recall@100", "★47.3%", "+1.1 pp", "Duration", "Cost",
		"⚠ Note: Quick Test metrics are indicative (10% data, 2 epochs)",
		"Query Tower", "Candidate Tower", "Cross Features", "+ user_id × city:", "← NEW in config-042", "(same)",
		"💡 config-042 shows +1.1 pp improvement in Recall@100", "   Consider running Full Training with config-042 to confirm."} {
		if !strings.Contains(out, want) {
			t.Errorf("comparison lacks %q:\n%s", want, out)
		}
	}

	three := termComparison(t, "full38"+strings.Repeat("0", 26), termRID(31), termRID(42))
	out3 := termRender(t, func(b *bytes.Buffer) error { return Comparison(b, three, Options{Now: termNow}) })
	golden(t, "compare3.txt", []byte(out3))
	termCheckPlain(t, out3)
	for _, want := range []string{"← REMOVED in config-031 ", "← NEW in config-042 ", "← changed in config-031, config-042 ", "(baseline)"} {
		if !strings.Contains(out3, want) {
			t.Errorf("3-run comparison lacks %q:\n%s", want, out3)
		}
	}
}

func TestWidths(t *testing.T) {
	for _, tc := range []struct {
		s string
		w int
	}{
		{"abc", 3}, {"★47.3%", 6}, {"●", 1}, {"█████", 5}, {"cat × subcat", 12}, {"💡 x", 4}, {"⚠️", 1},
		{"\x1b[1;38;5;220m★\x1b[0m", 1}, {"日本", 4}, {"é", 1}, {"e\u0301", 1},
	} {
		if got := StringWidth(tc.s); got != tc.w {
			t.Errorf("StringWidth(%q) = %d, want %d", tc.s, got, tc.w)
		}
	}
	if got := termTruncate("config-042 Quick Test #3", 10); got != "config-04…" || StringWidth(got) != 10 {
		t.Errorf("termTruncate = %q", got)
	}
	if got := termTruncate("\x1b[1m★★★★\x1b[0m", 3); got != "\x1b[1m★★…\x1b[0m" {
		t.Errorf("termTruncate styled = %q", got)
	}
	if got := termFit("★1", 5, termCenter); got != " ★1  " {
		t.Errorf("termFit = %q", got)
	}
}
