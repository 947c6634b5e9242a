package mlexp_test

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// parallelRun is a finished quick test with the given params and metrics.
func parallelRun(id string, at int, params map[string]string, recall, loss float64) mlexp.Run {
	start := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC).Add(time.Duration(at) * time.Hour)
	params["run_type"] = "quick_test"
	return mlexp.Run{ID: id, Name: id, Type: mlexp.QuickTestRun, Status: mlexp.RunFinished, Start: start, End: start.Add(8 * time.Minute),
		Params: mlexp.NewParams(params), Metrics: mlexp.NewMetricValues(map[string]float64{"recall_at_100": recall, "loss": loss})}
}

func parallelRuns() []mlexp.Run {
	p := func(u, pr, crosses, revenue, opt string) map[string]string {
		m := map[string]string{"user_id_embedding_dim": u, "product_id_embedding_dim": pr, "cross_features": crosses, "optimizer": opt}
		if revenue != "" {
			m["revenue_buckets"] = revenue
		}
		return m
	}
	failed := parallelRun("failed", 6, p("64", "64", "none", "5", "adam"), 0.5, 0.1)
	failed.Status = mlexp.RunFailed
	noMetric := parallelRun("nometric", 7, p("64", "64", "none", "5", "adam"), 0, 0)
	noMetric.Metrics = mlexp.NewMetricValues(map[string]float64{})
	return []mlexp.Run{
		parallelRun("r1", 1, p("32", "32", "none", "5", "sgd"), 0.42, 0.50),
		parallelRun("r2", 2, p("64", "32", "category_x_subcategory", "10", "adam"), 0.45, 0.40),
		parallelRun("r3", 3, p("64", "64", "category_x_subcategory,user_id_x_city", "10", "adam"), 0.473, 0.38),
		parallelRun("r4", 4, p("128", "64", "category_x_subcategory,user_id_x_city", "", "rmsprop"), 0.47, 0.45),
		parallelRun("nan", 5, p("128", "64", "none", "5", "adam"), math.NaN(), math.NaN()),
		failed, noMetric,
	}
}

func mustParallel(t *testing.T, runs []mlexp.Run, q mlexp.ParallelQuery) *mlexp.Parallel {
	t.Helper()
	if err := q.Check(runs); err != nil {
		t.Fatal(err)
	}
	return mlexp.BuildParallel(runs, q)
}

func parallelLine(t *testing.T, p *mlexp.Parallel, id string) mlexp.ParallelLine {
	t.Helper()
	for _, l := range p.Lines {
		if l.RunID == id {
			return l
		}
	}
	t.Fatalf("no line for run %s", id)
	return mlexp.ParallelLine{}
}

func TestParallelDefaults(t *testing.T) {
	p := mustParallel(t, parallelRuns(), mlexp.ParallelQuery{})
	var names []string
	for _, a := range p.Axes {
		names = append(names, a.Name)
	}
	if want := []string{"user_id_embedding_dim", "product_id_embedding_dim", "num_crosses", "revenue_buckets"}; !slices.Equal(names, want) {
		t.Errorf("default axes %v, want %v", names, want)
	}
	if p.Metric != "recall_at_100" || p.MetricLabel != "Recall@100" || p.Direction != "max" || p.RunType != "all" {
		t.Errorf("defaults: %+v", p)
	}
	if len(p.Lines) != 4 || p.Skipped != 3 {
		t.Errorf("%d lines, %d skipped; want 4 and the failed, NaN and metric-less runs skipped", len(p.Lines), p.Skipped)
	}
	if p.Lines[0].RunID != "r3" || !p.Lines[0].Best || *p.MetricMin != 0.42 || *p.MetricMax != 0.473 {
		t.Errorf("best line %+v, range %v..%v", p.Lines[0], *p.MetricMin, *p.MetricMax)
	}
	q := mlexp.ParallelQuery{}
	if err := q.Check(nil); err != nil || !slices.Equal(q.Axes, []string{"num_crosses"}) {
		t.Errorf("defaults without runs: axes %v, err %v", q.Axes, err)
	}
}

// TestParallelDefaultsLeaveOutSingleValues: a default axis on which every run has the same
// value (the demo's revenue buckets) draws every line through one point, so it is left out;
// asked for by name, it is drawn.
func TestParallelDefaultsLeaveOutSingleValues(t *testing.T) {
	runs := parallelRuns()
	for i := range runs {
		params := runs[i].Params.Map()
		params["revenue_buckets"], params["product_id_embedding_dim"] = "10", "64"
		runs[i].Params = mlexp.NewParams(params)
	}
	q := mlexp.ParallelQuery{}
	if err := q.Check(runs); err != nil {
		t.Fatal(err)
	}
	if want := []string{"user_id_embedding_dim", "num_crosses"}; !slices.Equal(q.Axes, want) {
		t.Errorf("default axes %v, want %v", q.Axes, want)
	}
	q = mlexp.ParallelQuery{Axes: []string{"revenue_buckets"}}
	if err := q.Check(runs); err != nil || !slices.Equal(q.Axes, []string{"revenue_buckets"}) {
		t.Errorf("asked for by name: axes %v, err %v", q.Axes, err)
	}
}

func TestParallelAxisKindsAndPositions(t *testing.T) {
	runs := parallelRuns()
	axes := []string{"user_id_embedding_dim", "num_crosses", "embedding_dims", "optimizer", "revenue_buckets"}
	p := mustParallel(t, runs, mlexp.ParallelQuery{Axes: axes})
	wantKinds := []string{"numeric", "numeric", "categorical", "categorical", "numeric"}
	for i, a := range p.Axes {
		if a.Kind != wantKinds[i] {
			t.Errorf("axis %s is %s, want %s", a.Name, a.Kind, wantKinds[i])
		}
	}
	if u := p.Axes[0]; *u.Min != 32 || *u.Max != 128 || !slices.Equal(u.Values, []string{"32", "64", "128"}) {
		t.Errorf("user axis %+v", u)
	}
	if e := p.Axes[2]; !slices.Equal(e.Values, []string{"32/32", "64/32", "64/64", "128/64"}) || e.Min != nil || e.Labels[0] != "user:32 prod:32" {
		t.Errorf("embedding_dims axis %+v", e)
	}
	if o := p.Axes[3]; !slices.Equal(o.Values, []string{"adam", "rmsprop", "sgd"}) {
		t.Errorf("optimizer axis values %v", o.Values)
	}
	// Expected positions, computed from the params without the package's help.
	numeric := func(v string, lo, hi float64) float64 { f, _ := strconv.ParseFloat(v, 64); return (f - lo) / (hi - lo) }
	categorical := func(v string, values []string) float64 {
		return float64(slices.Index(values, v)) / float64(len(values)-1)
	}
	for _, r := range runs[:4] {
		l := parallelLine(t, p, r.ID)
		nCrosses := map[string]string{"none": "0", "category_x_subcategory": "1"}[r.Params.Get("cross_features")]
		if nCrosses == "" {
			nCrosses = "2"
		}
		want := []float64{
			numeric(r.Params.Get("user_id_embedding_dim"), 32, 128),
			numeric(nCrosses, 0, 2),
			categorical(r.Params.Get("user_id_embedding_dim")+"/"+r.Params.Get("product_id_embedding_dim"), []string{"32/32", "64/32", "64/64", "128/64"}),
			categorical(r.Params.Get("optimizer"), []string{"adam", "rmsprop", "sgd"}),
			numeric(r.Params.Get("revenue_buckets"), 5, 10),
		}
		for i := range want {
			if r.ID == "r4" && axes[i] == "revenue_buckets" {
				if l.Positions[i] != nil || l.Values[i] != "?" {
					t.Errorf("r4 lacks revenue_buckets: value %q position %v, want ? and nil", l.Values[i], l.Positions[i])
				}
				continue
			}
			if l.Positions[i] == nil || math.Abs(float64(*l.Positions[i])-want[i]) > 1e-12 {
				t.Errorf("run %s axis %s: position %v, want %v", r.ID, axes[i], l.Positions[i], want[i])
			}
		}
		wantMetric := (r.Metrics.Value("recall_at_100") - 0.42) / (0.473 - 0.42)
		if math.Abs(float64(*l.MetricPosition)-wantMetric) > 1e-12 {
			t.Errorf("run %s metric position %v, want %v", r.ID, *l.MetricPosition, wantMetric)
		}
	}
}

func TestParallelLossIsOrientedSoHigherIsBetter(t *testing.T) {
	p := mustParallel(t, parallelRuns(), mlexp.ParallelQuery{Metric: "loss", Axes: []string{"optimizer"}})
	if p.Direction != "min" || p.Lines[0].RunID != "r3" {
		t.Fatalf("direction %s, first line %s; want min and r3 (loss 0.38)", p.Direction, p.Lines[0].RunID)
	}
	for id, want := range map[string]float64{"r3": 1, "r1": 0, "r2": (0.50 - 0.40) / (0.50 - 0.38)} {
		if got := float64(*parallelLine(t, p, id).MetricPosition); math.Abs(got-want) > 1e-12 {
			t.Errorf("run %s loss position %v, want %v", id, got, want)
		}
	}
}

func TestParallelSingleValueAndRunType(t *testing.T) {
	runs := parallelRuns()[:2]
	runs[1].Type = mlexp.FullTrainingRun
	p := mustParallel(t, runs, mlexp.ParallelQuery{Axes: []string{"optimizer"}, RunType: "quick_test"})
	if len(p.Lines) != 1 || p.Lines[0].RunID != "r1" || *p.Lines[0].Positions[0] != 0.5 || *p.Lines[0].MetricPosition != 0.5 {
		t.Errorf("one quick test: %+v", p.Lines)
	}
}

func TestParallelQueryErrors(t *testing.T) {
	runs := parallelRuns()
	tooMany := make([]string, 13)
	for i := range tooMany {
		tooMany[i] = "num_crosses"
	}
	for _, c := range []struct {
		q     mlexp.ParallelQuery
		field string
	}{
		{mlexp.ParallelQuery{Axes: []string{"colour"}}, "axes"},
		{mlexp.ParallelQuery{Axes: tooMany}, "axes"},
		{mlexp.ParallelQuery{Axes: []string{"optimizer", "optimizer"}}, "axes"},
		{mlexp.ParallelQuery{Metric: "recall_at_7"}, "metric"},
		{mlexp.ParallelQuery{RunType: "quick"}, "run_type"},
	} {
		err := c.q.Check(runs)
		var e *mlexp.Error
		if !errors.As(err, &e) || e.Code != mlexp.EINVALID || e.Field != c.field {
			t.Errorf("%+v: err = %v, want EINVALID on %s", c.q, err, c.field)
		}
	}
	q := mlexp.ParallelQuery{Axes: []string{"colour"}}
	var e *mlexp.Error
	if errors.As(q.Check(runs), &e) && !slices.Contains(e.Details["valid"].([]string), "optimizer") {
		t.Errorf("valid axes %v, want the params listed", e.Details["valid"])
	}
}
