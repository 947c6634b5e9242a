package apitest_test

import (
	"math"
	"net/http"
	"testing"
)

// insights checks the insights of the seeded experiment: one config (config-042) has both
// a quick test (0.473) and a full training (0.468); the quick tests of config-042 (0.473),
// config-043 (0.49) and config-045 (0.473) have no replicates.
func (a *api) insights(t *testing.T, s seed) {
	const route = "/api/models/{model_id}/experiments/insights/"
	for _, q := range []string{"", "metric=loss", "metric=ndcg_at_10", "run_type=all", "run_type=full_training", "run_type=quick_test",
		"dataset_id=dataset-001", "x_axis=epochs&y_axis=run_type&agg=best&limit=1", "limit=20"} {
		a.query(t, route, s.model, q, http.StatusOK)
	}
	a.call(t, a.url, http.MethodGet, route, "/api/models/"+s.model+"/experiments/insights", nil, true).want(t, "insights without the slash", http.StatusOK)
	for _, q := range []string{"", "metric=accuracy", "run_type=all"} { // NaN, Inf and running runs
		a.query(t, route, s.foreignModel, q, http.StatusOK)
	}
	a.query(t, route, s.emptyModel, "", http.StatusOK)

	var rep struct {
		RunType  string `json:"run_type"`
		Counted  int    `json:"counted"`
		Fidelity struct {
			N       int    `json:"n"`
			Verdict string `json:"verdict"`
			Pairs   []struct {
				ConfigID string  `json:"config_id"`
				Offset   float64 `json:"offset"`
			} `json:"pairs"`
		} `json:"fidelity"`
		Noise struct {
			BestConfig string `json:"best_config"`
			Verdict    string `json:"verdict"`
			Configs    []struct {
				ConfigID string   `json:"config_id"`
				Mean     float64  `json:"mean"`
				CILow    *float64 `json:"ci_low"`
			} `json:"configs"`
		} `json:"noise"`
		Effects []struct {
			Param string `json:"param"`
		} `json:"effects"`
		Triage struct {
			Failed int `json:"failed"`
		} `json:"triage"`
		Pareto struct {
			Cost struct {
				Points []struct{} `json:"points"`
			} `json:"cost"`
		} `json:"pareto"`
		Next *struct {
			Suggestions []struct{} `json:"suggestions"`
		} `json:"next"`
	}
	a.query(t, route, s.model, "", http.StatusOK).decode(t, &rep)
	if rep.RunType != "quick_test" || rep.Counted != 3 {
		t.Errorf("insights analysed %s, %d runs counted; want quick_test, 3", rep.RunType, rep.Counted)
	}
	f := rep.Fidelity
	if f.N != 1 || f.Verdict != "too_few_pairs" || len(f.Pairs) != 1 || f.Pairs[0].ConfigID != "config-042" || math.Abs(f.Pairs[0].Offset+0.005) > 1e-9 {
		t.Errorf("fidelity %+v, want config-042 alone with offset 0.468 − 0.473", f)
	}
	n := rep.Noise
	if n.BestConfig != "config-043" || n.Verdict != "noise_unknown" || len(n.Configs) != 3 || n.Configs[0].Mean != 0.49 || n.Configs[0].CILow != nil {
		t.Errorf("noise %+v, want config-043 first at 0.49, without intervals (no replicates)", n)
	}
	// The sections of part B are there: config-044's OOM, the costed runs, suggestions.
	if rep.Triage.Failed != 1 || len(rep.Pareto.Cost.Points) == 0 || rep.Next == nil {
		t.Errorf("triage %+v, %d cost points, next %+v", rep.Triage, len(rep.Pareto.Cost.Points), rep.Next)
	}
	if len(rep.Effects) == 0 {
		t.Error("no parameter effects, though the configs differ in their embedding dims")
	}

	for q, field := range map[string]string{"run_type=quick": "run_type", "metric=precision": "metric", "x_axis=colour": "x_axis", "agg=max": "agg",
		"limit=21": "limit", "limit=two": "limit"} {
		ans := a.query(t, route, s.model, q, http.StatusBadRequest, field)
		if _, ok := ans.err.Details["valid"]; !ok && field != "limit" {
			t.Errorf("insights %s: no valid values in the error details: %s", q, ans.body)
		}
	}
	a.query(t, route, "no-such-model", "", http.StatusNotFound, "model_id")
}
