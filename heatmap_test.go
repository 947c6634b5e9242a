package mlexp_test

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// mkRun builds a finished run; dims is "U/P", crosses the cross_features param.
func mkRun(id string, typ mlexp.RunType, dims, crosses string, recall float64, at int) mlexp.Run {
	u, p := "", ""
	fmt.Sscanf(dims, "%s", &u)
	for i := range dims {
		if dims[i] == '/' {
			u, p = dims[:i], dims[i+1:]
		}
	}
	params := map[string]string{"run_type": string(typ), "cross_features": crosses, "epochs": "2"}
	if u != "" {
		params["user_id_embedding_dim"] = u
	}
	if p != "" {
		params["product_id_embedding_dim"] = p
	}
	return mlexp.Run{ID: id, Name: id, Type: typ, Status: mlexp.RunFinished, Start: t0.Add(time.Duration(at) * time.Hour),
		End: t0.Add(time.Duration(at)*time.Hour + 8*time.Minute), Params: mlexp.NewParams(params),
		Metrics: mlexp.NewMetricValues(map[string]float64{"recall_at_100": recall, "loss": 1 - recall})}
}

func mustHeatmap(t *testing.T, runs []mlexp.Run, q mlexp.HeatmapQuery) *mlexp.Heatmap {
	t.Helper()
	if err := q.Check(runs); err != nil {
		t.Fatal(err)
	}
	return mlexp.BuildHeatmap(runs, q)
}

func value(c *mlexp.HeatmapCell) float64 {
	if c == nil || c.Value == nil {
		return math.NaN()
	}
	return float64(*c.Value)
}

func TestHeatmapAxesAreInNaturalOrder(t *testing.T) {
	runs := []mlexp.Run{
		mkRun("a", mlexp.QuickTestRun, "128/64", "none", 0.448, 1),
		mkRun("b", mlexp.QuickTestRun, "64/64", "user_id_x_city,category_x_subcategory", 0.473, 2),
		mkRun("c", mlexp.QuickTestRun, "32/32", "category_x_subcategory", 0.391, 3),
		mkRun("d", mlexp.QuickTestRun, "64/32", "none", 0.415, 4),
		mkRun("e", mlexp.QuickTestRun, "8/8", "none", 0.2, 5),
	}
	h := mustHeatmap(t, runs, mlexp.HeatmapQuery{})
	if want := []string{"8/8", "32/32", "64/32", "64/64", "128/64"}; !slices.Equal(h.XAxis.Values, want) {
		t.Errorf("x values %v, want %v", h.XAxis.Values, want)
	}
	if want := []string{"none", "category_x_subcategory", "category_x_subcategory,city_x_user_id"}; !slices.Equal(h.YAxis.Values, want) {
		t.Errorf("y values %v, want %v", h.YAxis.Values, want)
	}
	if want := []string{"No crosses", "cat × subcat", "cat × subcat + user × city"}; !slices.Equal(h.YAxis.Labels, want) {
		t.Errorf("y labels %v, want %v", h.YAxis.Labels, want)
	}
	if h.XAxis.Labels[4] != "user:128 prod:64" {
		t.Errorf("x label %q", h.XAxis.Labels[4])
	}
	if len(h.Cells) != 15 {
		t.Fatalf("%d cells, want every one of 5×3", len(h.Cells))
	}
	if c := h.Cell("32/32", "none"); !c.Empty || c.Value != nil || c.N != 0 {
		t.Errorf("cell without runs = %+v, want explicit and empty", c)
	}
	if h.Best == nil || h.Best.RunID != "b" || !h.Cell("64/64", "category_x_subcategory,city_x_user_id").Best {
		t.Errorf("best = %+v, want run b", h.Best)
	}
}

func TestHeatmapCrossOrderDoesNotSplitACell(t *testing.T) {
	runs := []mlexp.Run{
		mkRun("a", mlexp.QuickTestRun, "64/64", "category_x_subcategory,user_id_x_city", 0.46, 1),
		mkRun("b", mlexp.QuickTestRun, "64/64", "city_x_user_id, subcategory_x_category", 0.47, 2),
	}
	h := mustHeatmap(t, runs, mlexp.HeatmapQuery{})
	if len(h.Cells) != 1 || h.Cells[0].N != 2 {
		t.Fatalf("cells %+v, want one cell of two runs", h.Cells)
	}
}

func TestHeatmapAggregationsAndSpread(t *testing.T) {
	runs := []mlexp.Run{
		mkRun("a", mlexp.QuickTestRun, "64/64", "none", 0.40, 1),
		mkRun("b", mlexp.QuickTestRun, "64/64", "none", 0.46, 3),
		mkRun("c", mlexp.QuickTestRun, "64/64", "none", 0.43, 2),
		mkRun("d", mlexp.QuickTestRun, "64/64", "none", 0.41, 4), // the latest
	}
	for agg, want := range map[string]struct {
		value float64
		run   string
	}{
		mlexp.AggBest: {0.46, "b"}, mlexp.AggMean: {0.425, "b"}, mlexp.AggMedian: {0.42, "b"}, mlexp.AggLatest: {0.41, "d"},
	} {
		h := mustHeatmap(t, runs, mlexp.HeatmapQuery{Agg: agg})
		c := h.Cells[0]
		if math.Abs(value(&c)-want.value) > 1e-12 || c.RunID != want.run {
			t.Errorf("%s: value %v from %s, want %v from %s", agg, value(&c), c.RunID, want.value, want.run)
		}
		std := math.Sqrt(((0.40-0.425)*(0.40-0.425) + (0.46-0.425)*(0.46-0.425) + (0.43-0.425)*(0.43-0.425) + (0.41-0.425)*(0.41-0.425)) / 3)
		if c.N != 4 || float64(*c.Min) != 0.40 || float64(*c.Max) != 0.46 || math.Abs(float64(*c.Std)-std) > 1e-12 || len(c.RunIDs) != 4 {
			t.Errorf("%s: spread n=%d min=%v max=%v std=%v (want %v) ids=%v", agg, c.N, *c.Min, *c.Max, *c.Std, std, c.RunIDs)
		}
	}
}

func TestHeatmapLossIsMinimised(t *testing.T) {
	runs := []mlexp.Run{
		mkRun("a", mlexp.QuickTestRun, "32/32", "none", 0.40, 1), // loss 0.60
		mkRun("b", mlexp.QuickTestRun, "64/64", "none", 0.46, 2), // loss 0.54
		mkRun("c", mlexp.QuickTestRun, "64/64", "none", 0.30, 3), // loss 0.70
	}
	h := mustHeatmap(t, runs, mlexp.HeatmapQuery{Metric: "loss"})
	if h.Direction != "min" || h.Best.RunID != "b" || math.Abs(value(h.Best)-0.54) > 1e-12 {
		t.Errorf("best loss = %+v (%s), want run b with 0.54", h.Best, h.Direction)
	}
	if c := h.Cell("64/64", "none"); c.RunID != "b" {
		t.Errorf("best of a cell for loss is %s, want b (the lowest)", c.RunID)
	}
}

func TestHeatmapCountsButDoesNotPlotFailedNaNAndMissing(t *testing.T) {
	failed := mkRun("f", mlexp.QuickTestRun, "256/64", "none", 0, 1)
	failed.Status = mlexp.RunFailed
	failed.Metrics = mlexp.MetricValues{}
	nan := mkRun("n", mlexp.QuickTestRun, "64/64", "none", math.NaN(), 2)
	noMetric := mkRun("m", mlexp.QuickTestRun, "64/64", "none", 0, 3)
	noMetric.Metrics = noMetric.Metrics.Without("recall_at_100")
	ok := mkRun("o", mlexp.QuickTestRun, "64/64", "none", 0.44, 4)
	h := mustHeatmap(t, []mlexp.Run{failed, nan, noMetric, ok}, mlexp.HeatmapQuery{})
	if h.Runs != 4 || h.Plotted != 1 || h.Failed != 1 || h.MissingMetric != 2 {
		t.Errorf("counts runs=%d plotted=%d failed=%d missing=%d", h.Runs, h.Plotted, h.Failed, h.MissingMetric)
	}
	if c := h.Cell("256/64", "none"); c == nil || !c.Empty || c.Failed != 1 || len(c.RunIDs) != 1 {
		t.Errorf("failed-only cell = %+v, want an empty cell counting the failure", c)
	}
	if c := h.Cell("64/64", "none"); c.N != 1 || value(c) != 0.44 || c.MissingMetric != 2 {
		t.Errorf("cell = %+v", c)
	}
}

func TestHeatmapMissingParamsShowAQuestionMark(t *testing.T) {
	r := mkRun("a", mlexp.QuickTestRun, "", "", 0.4, 1)
	r.Params = r.Params.Without("cross_features")
	h := mustHeatmap(t, []mlexp.Run{r, mkRun("b", mlexp.QuickTestRun, "64/64", "none", 0.41, 2)}, mlexp.HeatmapQuery{})
	if !slices.Equal(h.XAxis.Values, []string{"64/64", "?/?"}) || !slices.Equal(h.YAxis.Values, []string{"none", "?"}) {
		t.Errorf("axes %v × %v", h.XAxis.Values, h.YAxis.Values)
	}
}

func TestHeatmapRunTypeFilterAndDeployedMark(t *testing.T) {
	full := mkRun("full", mlexp.FullTrainingRun, "64/64", "none", 0.468, 1)
	full.Deployed = true
	runs := []mlexp.Run{full, mkRun("q", mlexp.QuickTestRun, "64/64", "none", 0.473, 2)}
	all := mustHeatmap(t, runs, mlexp.HeatmapQuery{})
	if c := all.Cells[0]; !c.Deployed || c.N != 2 || c.RunID != "q" {
		t.Errorf("all runs: %+v", c)
	}
	// The ● points at the deployed run and its own value, not at the run the cell shows.
	if c := all.Cells[0]; c.DeployedRunID != "full" || c.DeployedRunName != full.Name || c.DeployedValue == nil || *c.DeployedValue != 0.468 || c.ShowsDeployed() {
		t.Errorf("deployed run of the cell: %q %q %v, shows it %v", c.DeployedRunID, c.DeployedRunName, c.DeployedValue, c.ShowsDeployed())
	}
	runs[0].Deployed, runs[1].Deployed = false, true // the deployed run is the one shown
	if c := mustHeatmap(t, runs, mlexp.HeatmapQuery{}).Cells[0]; c.DeployedRunID != "q" || !c.ShowsDeployed() {
		t.Errorf("deployed run shown: %q, shows it %v", c.DeployedRunID, c.ShowsDeployed())
	}
	runs[1].Deployed = false
	runs[0].Deployed = true
	quick := mustHeatmap(t, runs, mlexp.HeatmapQuery{RunType: "quick_test"})
	if c := quick.Cells[0]; c.Deployed || c.N != 1 {
		t.Errorf("quick tests only: %+v", c)
	}
	byType := mustHeatmap(t, runs, mlexp.HeatmapQuery{XAxis: "run_type", YAxis: "epochs"})
	if !slices.Equal(byType.XAxis.Values, []string{"quick_test", "full_training"}) || byType.YAxis.Labels[0] != "2 epochs" {
		t.Errorf("run_type × epochs axes: %v, %v", byType.XAxis.Values, byType.YAxis.Labels)
	}
}

func TestHeatmapQueryErrorsListTheValidValues(t *testing.T) {
	runs := []mlexp.Run{mkRun("a", mlexp.QuickTestRun, "64/64", "none", 0.4, 1)}
	for _, tc := range []struct {
		q     mlexp.HeatmapQuery
		field string
	}{
		{mlexp.HeatmapQuery{Metric: "recall_at_1000"}, "metric"},
		{mlexp.HeatmapQuery{XAxis: "colour"}, "x_axis"},
		{mlexp.HeatmapQuery{YAxis: "params.x"}, "y_axis"},
		{mlexp.HeatmapQuery{RunType: "quick"}, "run_type"},
		{mlexp.HeatmapQuery{Agg: "max"}, "agg"},
	} {
		err := tc.q.Check(runs)
		e, ok := err.(*mlexp.Error)
		if !ok || e.Code != mlexp.EINVALID || e.Field != tc.field || len(e.Details["valid"].([]string)) == 0 {
			t.Errorf("%+v: err = %v, want EINVALID on %s listing valid values", tc.q, err, tc.field)
		}
	}
	q := mlexp.HeatmapQuery{XAxis: "epochs", YAxis: "user_id_embedding_dim"}
	if err := q.Check(runs); err != nil {
		t.Errorf("a param name is a valid axis: %v", err)
	}
}

func TestNaturalCompare(t *testing.T) {
	in := []string{"config-10", "config-9", "config-100", "b", "a2", "a10", "1.5", "16", "8"}
	slices.SortFunc(in, mlexp.NaturalCompare)
	want := []string{"1.5", "8", "16", "a2", "a10", "b", "config-9", "config-10", "config-100"}
	if !slices.Equal(in, want) {
		t.Errorf("sorted %v, want %v", in, want)
	}
}

// synthetic makes n runs over a realistic grid, prepared as the reader prepares them.
func synthetic(n int) []mlexp.Run { return syntheticRuns(n, true) }

func syntheticRuns(n int, prepare bool) []mlexp.Run {
	dims := []string{"32/32", "64/32", "64/64", "128/64", "128/128", "256/128"}
	crosses := []string{"none", "category_x_subcategory", "category_x_subcategory,user_id_x_city", "user_id_x_city"}
	runs := make([]mlexp.Run, n)
	for i := range runs {
		typ := mlexp.QuickTestRun
		if i%10 == 0 {
			typ = mlexp.FullTrainingRun
		}
		runs[i] = mkRun(fmt.Sprintf("run-%06d", i), typ, dims[i%len(dims)], crosses[(i/len(dims))%len(crosses)], 0.3+float64(i%97)/1000, i)
		for k := 0; k < 14; k++ {
			runs[i].Params = runs[i].Params.With(fmt.Sprintf("feature_%02d_embedding_dim", k), "16")
		}
		if prepare {
			runs[i].Prepare()
		}
	}
	return runs
}

func TestPreparedRunsGiveTheSameHeatmap(t *testing.T) {
	for _, q := range []mlexp.HeatmapQuery{{}, {XAxis: "num_crosses", YAxis: "run_type", Agg: "mean"}, {XAxis: "cross_features", YAxis: "embedding_dims", Metric: "loss"}} {
		a := mustHeatmap(t, syntheticRuns(500, true), q)
		b := mustHeatmap(t, syntheticRuns(500, false), q)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("%+v: prepared and unprepared runs give different heatmaps", q)
		}
	}
}

// benchmarkHeatmap times what a heatmap request does with cached runs: check the query,
// build the heatmap.
func benchmarkHeatmap(b *testing.B, n int, yAxis string) {
	runs := synthetic(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		q := mlexp.HeatmapQuery{YAxis: yAxis}
		if err := q.Check(runs); err != nil {
			b.Fatal(err)
		}
		h := mlexp.BuildHeatmap(runs, q)
		if h.Plotted != n {
			b.Fatal("wrong heatmap")
		}
	}
}

func BenchmarkHeatmap10k(b *testing.B)  { benchmarkHeatmap(b, 10_000, "") }
func BenchmarkHeatmap100k(b *testing.B) { benchmarkHeatmap(b, 100_000, "") }

// A param axis is read from each run's params, not precomputed.
func BenchmarkHeatmap100kParamAxis(b *testing.B) {
	benchmarkHeatmap(b, 100_000, "feature_03_embedding_dim")
}

func TestAxisLabelName(t *testing.T) {
	for axis, want := range map[string]string{"embedding_dims": "Embedding Dims", "category_x_subcategory_buckets": "Category × Subcategory Buckets", "epochs": "Epochs"} {
		if got := mlexp.AxisLabelName(axis); got != want {
			t.Errorf("AxisLabelName(%q) = %q, want %q", axis, got, want)
		}
	}
}
