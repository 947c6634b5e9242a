package mlexp_test

import (
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// TestEmptyCrossesMeanNoCrosses checks the contract of empty crosses: a cross_features
// param that is "" (or blank) means no crosses, as "none" does; only a run without the
// param is Missing. A prepared run reads the same, and so does a config read back.
func TestEmptyCrossesMeanNoCrosses(t *testing.T) {
	for _, c := range []struct {
		name       string
		params     map[string]string
		crosses    string
		numCrosses string
	}{
		{"none", map[string]string{"cross_features": "none"}, "none", "0"},
		{"None", map[string]string{"cross_features": "None"}, "none", "0"},
		{"empty", map[string]string{"cross_features": ""}, "none", "0"},
		{"blank", map[string]string{"cross_features": "  "}, "none", "0"},
		{"empty entries", map[string]string{"cross_features": " , none ,"}, "none", "0"},
		{"a cross", map[string]string{"cross_features": "b_x_a, ,none"}, "a_x_b", "1"},
		{"absent", map[string]string{}, mlexp.Missing, mlexp.Missing},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := mlexp.Run{ID: "r", Params: mlexp.NewParams(c.params)}
			if got := mlexp.AxisValue(r, mlexp.AxisCrossFeatures); got != c.crosses {
				t.Errorf("cross_features = %q, want %q", got, c.crosses)
			}
			if got := mlexp.AxisValue(r, mlexp.AxisNumCrosses); got != c.numCrosses {
				t.Errorf("num_crosses = %q, want %q", got, c.numCrosses)
			}
			r.Prepare()
			if got := mlexp.AxisValue(r, mlexp.AxisCrossFeatures); got != c.crosses {
				t.Errorf("prepared: cross_features = %q, want %q", got, c.crosses)
			}
		})
	}
	// "" and "none" fall in the same heatmap row.
	runs := []mlexp.Run{
		{ID: "a", Type: mlexp.QuickTestRun, Status: mlexp.RunFinished, Params: mlexp.NewParams(map[string]string{"cross_features": "", "epochs": "2"}), Metrics: mlexp.NewMetricValues(map[string]float64{"recall_at_100": 0.4})},
		{ID: "b", Type: mlexp.QuickTestRun, Status: mlexp.RunFinished, Params: mlexp.NewParams(map[string]string{"cross_features": "none", "epochs": "2"}), Metrics: mlexp.NewMetricValues(map[string]float64{"recall_at_100": 0.5})},
	}
	q := mlexp.HeatmapQuery{Metric: "recall_at_100", XAxis: mlexp.AxisEpochs, YAxis: mlexp.AxisCrossFeatures, Agg: mlexp.AggMean}
	if err := q.Check(runs); err != nil {
		t.Fatal(err)
	}
	h := mlexp.BuildHeatmap(runs, q)
	if len(h.YAxis.Values) != 1 || h.YAxis.Values[0] != "none" || h.YAxis.Labels[0] != "No crosses" {
		t.Errorf("rows %v %v, want one: No crosses", h.YAxis.Values, h.YAxis.Labels)
	}
	if c := h.Cell("2", "none"); c == nil || c.N != 2 {
		t.Errorf("the No crosses cell: %+v, want both runs", c)
	}
	// A config logged with an empty cross list reads back as one without crosses.
	params := map[string]string{"query_tower": "user_id", "candidate_tower": "product_id", "user_id_embedding_dim": "64",
		"product_id_embedding_dim": "32", "cross_features": ""}
	if cfg, ok := mlexp.FeatureConfigFromParams("config-001", params); !ok || len(cfg.CrossFeatures) != 0 {
		t.Errorf("empty cross list: %+v %v, want a config without crosses", cfg, ok)
	}
}
