package insight

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// The fixtures of testdata/: runs in a plain JSON form that testdata/reference.py reads too,
// and the values it computed from them with scipy and statsmodels.

var update = flag.Bool("update", false, "rewrite testdata/demo_runs.json from demo.Reports(42)")

// fixtureMetrics are the metrics the fixtures keep.
var fixtureMetrics = []string{mlexp.MetricRecallAt100, mlexp.MetricLoss}

// fixtureRun is a run as the fixtures write it; a metric is a number or "NaN".
type fixtureRun struct {
	ID       string            `json:"id"`
	Type     string            `json:"type"`
	ConfigID string            `json:"config_id"`
	Status   string            `json:"status"`
	Params   map[string]string `json:"params"`
	Metrics  map[string]any    `json:"metrics"`
	CostUSD  *float64          `json:"cost_usd"`
	Deployed bool              `json:"deployed"`
	Start    int               `json:"start"` // order of start
}

func (f fixtureRun) run() mlexp.Run {
	r := mlexp.Run{ID: f.ID, Name: f.ConfigID + " " + f.ID, Type: mlexp.RunType(f.Type), ConfigID: f.ConfigID, ConfigName: f.ConfigID,
		Status: f.Status, Params: mlexp.NewParams(f.Params), CostUSD: f.CostUSD, Deployed: f.Deployed, Metrics: mlexp.NewMetricValues(map[string]float64{}),
		Start: t0.Add(time.Duration(f.Start) * time.Minute)}
	for k, v := range f.Metrics {
		switch v := v.(type) {
		case float64:
			r.Metrics = r.Metrics.With(k, v)
		case string: // "NaN", as MLflow's JSON writes it
			r.Metrics = r.Metrics.With(k, math.NaN())
		}
	}
	r.End = r.Start.Add(time.Minute)
	return r
}

// readJSON decodes testdata/name into v.
func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// fixtureRuns reads testdata/name as runs.
func fixtureRuns(t *testing.T, name string) []mlexp.Run {
	t.Helper()
	var fs []fixtureRun
	readJSON(t, name, &fs)
	out := make([]mlexp.Run, len(fs))
	for i, f := range fs {
		out[i] = f.run()
	}
	return out
}

// demoFixture is the demo experiment of the default seed in the fixtures' form.
func demoFixture() []fixtureRun {
	runs := demoRuns(42)
	out := make([]fixtureRun, len(runs))
	for i, r := range runs {
		f := fixtureRun{ID: r.ID, Type: string(r.Type), ConfigID: r.ConfigID, Status: r.Status, Params: r.Params.Map(), Metrics: map[string]any{},
			CostUSD: r.CostUSD, Deployed: r.Deployed, Start: i}
		for _, m := range fixtureMetrics {
			if v, ok := r.Metrics.Lookup(m); ok {
				f.Metrics[m] = v
				if math.IsNaN(v) {
					f.Metrics[m] = "NaN"
				}
			}
		}
		out[i] = f
	}
	return out
}

// TestDemoRunsFixture keeps testdata/demo_runs.json, the demo's runs that reference.py
// recomputes the insights of, equal to the demo (go test -run TestDemoRunsFixture -update
// rewrites it; then run reference.py again).
func TestDemoRunsFixture(t *testing.T) {
	want := demoFixture()
	path := filepath.Join("testdata", "demo_runs.json")
	if *update {
		b, err := json.MarshalIndent(want, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []fixtureRun
	readJSON(t, "demo_runs.json", &got)
	if len(got) != len(want) {
		t.Fatalf("%s has %d runs, the demo %d: go test -run TestDemoRunsFixture -update, then run reference.py", path, len(got), len(want))
	}
	for i := range want {
		g, w := got[i].run(), want[i].run()
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("run %d differs from the demo's:\n%+v\n%+v\n(go test -run TestDemoRunsFixture -update, then run reference.py)", i, g, w)
		}
	}
}

// checkRef reports a value that differs from its reference by more than tol, or that is
// known on one side only. A reference is a number, or null for none (NaN, no value).
func checkRef(t *testing.T, what string, got *mlexp.Number, want *float64, tol float64) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s = %v, want %v", what, fmtRef(got), fmtRef((*mlexp.Number)(want)))
	case math.Abs(float64(*got)-*want) > tol:
		t.Errorf("%s = %.12g, want %.12g (scipy/statsmodels), off by %.3g", what, float64(*got), *want, math.Abs(float64(*got)-*want))
	}
}

func fmtRef(v *mlexp.Number) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(float64(*v))
}

// numOf is v as a *mlexp.Number (nil for NaN), for checkRef.
func numOf(v float64) *mlexp.Number { return num(v) }
