package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp/insight"
)

// TestQueryInsights reads the insights of the query model: quick tests of config-042
// (47.3%), config-038 (46.1%) and config-035 (42.0%, 32-d embeddings), none repeated; a
// full training of config-038 (46.2%); a failed quick test. Cross features come third among
// the effects: each of their levels has one config, so they have no ω² to rank by.
func TestQueryInsights(t *testing.T) {
	m := seedQueryModel(t)
	out := mustQuery(t, "insights", m.id)
	noESC(t, out)
	assertBoxes(t, out)
	if miss := missing(out, "Insights · Recall@100", "Model: Query Model ("+m.id+")",
		"QUICK-TEST FIDELITY", "│ config-038 │ 46.1% (1) │ 46.2% (1) │", "+0.1 pp", "Only 1 config has both quick tests and full trainings",
		"BEST CONFIG WITHIN NOISE", "★config-042", "noise is unknown", "config-042 leads", "by 1.2 pp without a margin of error",
		"PARAMETER EFFECTS", "3. Cross Features  effect 5.3 pp", "User Id Embedding Dim  effect 4.7 pp  best 64  trend ρ +0.87",
		"│ ★64 │ ██████████████████ │ 46.7% │ ± 0.8 pp │ 2 configs, 2 runs │",
		"WHAT TO TRY NEXT", "COST AND TIME", "FAILURE TRIAGE", "1 of 5 completed runs failed.", "OOM in Transform",
		"Counted 3 of 5 runs: the quick tests that finished with a finite Recall@100"); len(miss) > 0 {
		t.Errorf("insights lacks %q:\n%s", miss, out)
	}
	if same := mustQuery(t, "insights", "--model", m.id); same != out {
		t.Errorf("insights --model differs from insights MODEL_ID:\n%s", same)
	}

	out = mustQuery(t, "insights", m.id, "--json", "--metric", "loss", "--run-type", "all")
	var rep struct {
		insight.Report
		Experiment struct {
			ModelID string `json:"model_id"`
		} `json:"experiment"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("insights --json is not JSON: %v\n%s", err, out)
	}
	if rep.Metric != "loss" || rep.RunType != "all" || rep.Counted != 4 || rep.Experiment.ModelID != m.id || rep.Fidelity.N != 1 {
		t.Errorf("insights --json = %+v", rep.Report)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"insights", m.id, "--metric", "recall_at_7"}, "insights: --metric: \"recall_at_7\" is not one of"},
		{[]string{"insights", m.id, "--run-type", "sweep"}, "insights: --run-type: \"sweep\" is not one of all, quick_test, full_training"},
		{[]string{"insights", m.id, "--model", "other"}, "disagree"},
		{[]string{"insights", m.id, "extra"}, "unexpected argument \"extra\""},
		{[]string{"insights", "no-such-model"}, "no-such-model"},
	} {
		if _, _, err := runQuery(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("mlexp %s: %v, want an error with %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}
