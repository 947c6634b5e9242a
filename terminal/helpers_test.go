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
		Start: start, End: start.Add(dur), CostUSD: &cost, Params: mlexp.NewParams(params),
		Metrics: mlexp.NewMetricValues(map[string]float64{"recall_at_100": r100, "recall_at_50": r100 - 0.088, "recall_at_10": r100 - 0.291, "loss": 0.3 + (0.5-r100)*2})}
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
	failed.Status, failed.Metrics = mlexp.RunFailed, mlexp.NewMetricValues(map[string]float64{})
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
