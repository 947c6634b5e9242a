package mlexp

import (
	"encoding/json"
	"math"
	"testing"
)

// TestCompareSpecFields: beside mlexp's own fields, the comparison carries the spec's
// compare_runs answer: per run name, metrics (a dict) and params, and params_diff.
func TestCompareSpecFields(t *testing.T) {
	runs := specRuns()
	runs[1].Name = "" // no run name: the spec falls back to the run id
	runs[1].Metrics = NewMetricValues(map[string]float64{"recall_at_100": 0.461, "ndcg": math.Inf(1)})
	b, err := json.Marshal(mustCompare(t, runs, CompareOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Runs []struct {
			Name    string              `json:"name"`
			RunName string              `json:"run_name"`
			Metrics map[string]*float64 `json:"metrics"`
			Params  map[string]string   `json:"params"`
		} `json:"runs"`
		ParamsDiff map[string]map[string]*string `json:"params_diff"`
		Metrics    []MetricRow                   `json:"metrics"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	r0, r1 := got.Runs[0], got.Runs[1]
	if r0.Name != "config-042 Quick Test #3" || r0.RunName != r0.Name || r1.Name != "r038" {
		t.Errorf("names %q (%q), %q", r0.Name, r0.RunName, r1.Name)
	}
	if v := r0.Metrics["recall_at_100"]; v == nil || *v != 0.473 || len(r0.Metrics) != 5 {
		t.Errorf("metrics of r042 = %v", r0.Metrics)
	}
	if v, ok := r1.Metrics["ndcg"]; !ok || v != nil {
		t.Errorf("an infinite metric is null, as in runs: %v", r1.Metrics)
	}
	if r0.Params["epochs"] != "2" || r1.Params["batch_size"] != "4096" || len(r0.Params) != 15 {
		t.Errorf("params: %d %v", len(r0.Params), r0.Params)
	}
	// Differ: run_type, config_id, data_sample_percent, epochs, cross_features and the bucket
	// params (each present in one run only), batch_size and training_run_id (only in r038).
	// The towers and their dims are the same, so they are left out.
	for _, k := range []string{"run_type", "config_id", "epochs", "batch_size", "user_id_x_city_buckets", "subcategory_x_category_buckets"} {
		if _, ok := got.ParamsDiff[k]; !ok {
			t.Errorf("params_diff lacks %s: %v", k, got.ParamsDiff)
		}
	}
	for _, k := range []string{"user_id_embedding_dim", "query_tower"} {
		if _, ok := got.ParamsDiff[k]; ok {
			t.Errorf("params_diff has %s, the same in both", k)
		}
	}
	if e := got.ParamsDiff["epochs"]; *e["r042"] != "2" || *e["r038"] != "10" {
		t.Errorf("epochs diff = %v", e)
	}
	if bs := got.ParamsDiff["batch_size"]; bs["r042"] != nil || *bs["r038"] != "4096" {
		t.Errorf("batch_size diff = %v (null where a run lacks it)", bs)
	}
	// mlexp's own metrics table is still there.
	if len(got.Metrics) == 0 || got.Metrics[0].Metric != "loss" {
		t.Errorf("metric rows = %+v", got.Metrics)
	}
	// Same runs, same params: an empty dict, never null.
	b, _ = json.Marshal(mustCompare(t, []Run{runs[0], {ID: "copy", Params: runs[0].Params, Metrics: runs[0].Metrics}}, CompareOptions{}))
	var same struct {
		ParamsDiff map[string]any `json:"params_diff"`
	}
	if json.Unmarshal(b, &same); same.ParamsDiff == nil || len(same.ParamsDiff) != 0 {
		t.Errorf("identical params: params_diff = %v", same.ParamsDiff)
	}
}
