package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/terminal"
)

// runQuery runs mlexp with args against the test MLflow and returns stdout and stderr.
func runQuery(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	vars := map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL}
	err := runWithInput(t.Context(), append([]string{"mlexp"}, args...), envOf(vars), strings.NewReader(""), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func mustQuery(t *testing.T, args ...string) string {
	t.Helper()
	out, stderr, err := runQuery(t, args...)
	if err != nil {
		t.Fatalf("mlexp %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, stderr)
	}
	return out
}

// noESC fails when plain output has an escape byte.
func noESC(t *testing.T, out string) {
	t.Helper()
	if strings.ContainsRune(out, 0x1b) {
		t.Errorf("output without colour has an ESC byte:\n%s", out)
	}
}

func TestQuerySummary(t *testing.T) {
	m := seedQueryModel(t)
	out := mustQuery(t, "summary", "--model", m.id)
	noESC(t, out)
	if miss := missing(out, "Model: Query Model ("+m.id+")", "Dataset: Q4 2024 Training Data", "SUMMARY", "Quick Tests", "Full Trains",
		"Best R@100", "★ 47.3%", "config-042", "Currently", "● 46.2%", "config-038", "RECENT EXPERIMENTS",
		"config-044 • Quick Test #1", "Failed", "OOM during Transform: user:256d (too large)",
		"config-038 • Full Training #45", "2h 58m", "$38.50", "Promoted for deployment", "user:64d prod:64d +2 crosses", "8 min", "$1.42",
		"5 runs: 4 quick tests, 1 full training; 1 failed"); len(miss) > 0 {
		t.Errorf("summary lacks %q:\n%s", miss, out)
	}

	out = mustQuery(t, "summary", "--model", m.id, "--json", "--metric", "loss")
	var got struct {
		mlexp.Summary
		Experiment struct {
			ModelID        string `json:"model_id"`
			ExperimentName string `json:"experiment_name"`
		} `json:"experiment"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("summary --json is not JSON: %v\n%s", err, out)
	}
	if got.QuickTests != 4 || got.FullTrainings != 1 || got.Failed != 1 || got.Metric != "loss" || got.Deployed == nil || got.Deployed.RunID != m.full38 ||
		len(got.Recent) != 5 {
		t.Errorf("summary --json = %+v", got.Summary)
	}
	if got.Experiment.ExperimentName != "Query Model-Q4 2024 Training Data" || got.Experiment.ModelID != m.id {
		t.Errorf("summary --json experiment = %+v", got.Experiment)
	}
}

func TestQueryHeatmap(t *testing.T) {
	m := seedQueryModel(t)
	out := mustQuery(t, "heatmap", "--model", m.id)
	noESC(t, out)
	if miss := missing(out, "HEATMAP: Recall@100 by Embedding Dims × Cross Features", "user:32", "prod:32", "user:64", "prod:64", "user:256",
		"No crosses", "cat × subcat", "★47.3%", "●46.2%", "42.0%", "(failed)", "★ Best | ● Deployed", "Legend: █████", "5 runs, 4 plotted, 1 failed"); len(miss) > 0 {
		t.Errorf("heatmap lacks %q:\n%s", miss, out)
	}
	assertBoxes(t, out)

	color := mustQuery(t, "heatmap", "--model", m.id, "--color", "always")
	if !strings.Contains(color, "\x1b[38;5;220m█████\x1b[0m") || !strings.Contains(color, "\x1b[1;38;5;220m★\x1b[0m") {
		t.Errorf("heatmap --color always has no colour:\n%q", color)
	}

	out = mustQuery(t, "heatmap", "--model", m.id, "--x-axis", "run_type", "--y-axis", "epochs", "--run-type", "all", "--agg", "mean", "--json")
	var h struct {
		mlexp.Heatmap
		Experiment struct {
			ModelID string `json:"model_id"`
		} `json:"experiment"`
	}
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatalf("heatmap --json is not JSON: %v\n%s", err, out)
	}
	if h.XAxis.Name != "run_type" || !slices.Equal(h.XAxis.Values, []string{"quick_test", "full_training"}) || h.Agg != "mean" ||
		h.Experiment.ModelID != m.id || h.Best == nil {
		t.Errorf("heatmap --json = %+v", h)
	}
}

// assertBoxes checks that every line of every box has the width of its top line.
func assertBoxes(t *testing.T, out string) {
	t.Helper()
	width := -1
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "┌"):
			width = len([]rune(l))
		case width >= 0:
			if n := len([]rune(l)); n != width {
				t.Errorf("box line %q is %d runes wide, its box %d", l, n, width)
			}
			if strings.HasPrefix(l, "└") {
				width = -1
			}
		}
	}
}

func TestQueryHeatmapErrors(t *testing.T) {
	m := seedQueryModel(t)
	for _, tc := range []struct {
		args  []string
		wants []string
	}{
		{[]string{"--x-axis", "colour"}, []string{"heatmap: --x-axis: unknown axis \"colour\"; valid axes: embedding_dims, cross_features, epochs, run_type, num_crosses", "user_id_embedding_dim"}},
		{[]string{"--y-axis", "nope"}, []string{"--y-axis: unknown axis \"nope\""}},
		{[]string{"--metric", "accuracy"}, []string{"--metric: \"accuracy\" is not one of recall_at_100, recall_at_50, recall_at_10, loss"}},
		{[]string{"--agg", "max"}, []string{"--agg: \"max\" is not one of best, mean, median, latest"}},
		{[]string{"--run-type", "slow"}, []string{"--run-type: \"slow\" is not one of all, quick_test, full_training"}},
		{[]string{"--dataset", "no-such-dataset"}, []string{"--dataset: model " + m.id + " has no experiment for dataset \"no-such-dataset\"; its datasets: dataset-001"}},
		{[]string{"--color", "rainbow"}, []string{"--color=\"rainbow\": not auto, always or never"}},
		{[]string{"--width", "wide"}, []string{"--width=\"wide\""}},
		{[]string{"extra"}, []string{"heatmap: unexpected argument \"extra\""}},
	} {
		out, _, err := runQuery(t, append([]string{"heatmap", "--model", m.id}, tc.args...)...)
		if err == nil {
			t.Errorf("%q: no error; output:\n%s", tc.args, out)
			continue
		}
		if miss := missing(err.Error(), tc.wants...); len(miss) > 0 {
			t.Errorf("%q: error %q lacks %q", tc.args, err, miss)
		}
	}
	_, _, err := runQuery(t, "heatmap", "--model", "no-such-model-"+m.id)
	if err == nil || !strings.Contains(err.Error(), "no MLflow experiment is tagged with model") {
		t.Errorf("unknown model: %v", err)
	}
}

func TestQueryRuns(t *testing.T) {
	m := seedQueryModel(t)
	out := mustQuery(t, "runs", "--model", m.id, "--sort", "recall_at_100", "--width", "120")
	noESC(t, out)
	if miss := missing(out, "RUNS TABLE", "Run Name", "Type", "R@100", "R@50", "Duration", "Date", "Status", "Run ID",
		"config-042 #3", "47.3%", "38.5%", "● config-038 #45", "Full", "Quick", "2h 58m", "Failed", m.quick42, m.full38,
		"Filter: all types · Sort: recall_at_100 desc", "Page 1 of 1 · 5 runs · 50 per page", "mlexp compare"); len(miss) > 0 {
		t.Errorf("runs lacks %q:\n%s", miss, out)
	}
	assertBoxes(t, out)
	if strings.Index(out, m.quick42) > strings.Index(out, m.quick38) {
		t.Errorf("runs sorted by recall_at_100 desc do not start with config-042:\n%s", out)
	}
	// At 80 columns (the default) the run ids shrink to prefixes that compare and deploy take.
	out = mustQuery(t, "runs", "--model", m.id, "--sort", "recall_at_100")
	if miss := missing(out, "│ "+m.quick42[:mlexp.MinRunIDPrefix], "│ "+m.full38[:mlexp.MinRunIDPrefix], "Run IDs are shortened to fit"); len(miss) > 0 {
		t.Errorf("runs at 80 columns lacks %q:\n%s", miss, out)
	}
	for i, l := range strings.Split(out, "\n") {
		if w := terminal.StringWidth(l); w > 80 {
			t.Errorf("runs: line %d is %d columns wide: %s", i+1, w, l)
		}
	}

	out = mustQuery(t, "runs", "--model", m.id, "--json", "--type", "quick_test", "--status", "finished", "--sort", "recall_at_100", "--order", "asc",
		"--page-size", "2", "--page", "1")
	var page struct {
		Runs []struct {
			ID   string `json:"run_id"`
			Name string `json:"run_name"`
		} `json:"runs"`
		Total, Pages int
		Query        mlexp.RunsQuery `json:"query"`
	}
	if err := json.Unmarshal([]byte(out), &page); err != nil {
		t.Fatalf("runs --json is not JSON: %v\n%s", err, out)
	}
	if page.Total != 3 || page.Pages != 2 || len(page.Runs) != 2 || page.Runs[0].ID != m.quick35 || page.Query.Order != "asc" {
		t.Errorf("runs --json = %+v", page)
	}

	out = mustQuery(t, "runs", "--model", m.id, "--search", "config-035", "--width", "120")
	if !strings.Contains(out, m.quick35) || strings.Contains(out, m.quick42) || !strings.Contains(out, `Search: "config-035"`) {
		t.Errorf("runs --search config-035:\n%s", out)
	}
	for _, tc := range []struct{ args []string }{
		{[]string{"--sort", "colour"}}, {[]string{"--page", "0"}}, {[]string{"--page-size", "5000"}}, {[]string{"--order", "up"}}, {[]string{"--status", "ok"}},
	} {
		_, _, err := runQuery(t, append([]string{"runs", "--model", m.id}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.args[0]) {
			t.Errorf("runs %q: error %v, want one naming %s", tc.args, err, tc.args[0])
		}
	}
}

func TestQueryHelpAndSettings(t *testing.T) {
	for cmd, wants := range map[string][]string{
		"summary": {"--model", "MLEXP_MODEL", "--dataset", "--metric", "--recent", "--json", "--color", "NO_COLOR", "--mlflow-tracking-uri"},
		"heatmap": {"--x-axis", "--y-axis", "embedding_dims", "cross_features", "--run-type", "--agg", "★", "●"},
		"runs":    {"--type", "--status", "--search", "--sort", "--order", "--page", "--page-size"},
		"compare": {"RUN_ID", "--baseline", "--metric", "percentage points"},
		"models":  {"ml_model_id", "--json"},
		"attach":  {"EXPERIMENT", "--model-id", "--model-name", "--dataset-id", "--dataset-name"},
	} {
		var stdout bytes.Buffer
		if err := run(t.Context(), []string{"mlexp", cmd, "--help"}, envOf(nil), &stdout, &stdout); err != nil {
			t.Errorf("%s --help: %v", cmd, err)
		}
		if miss := missing(stdout.String(), wants...); len(miss) > 0 {
			t.Errorf("%s --help lacks %q:\n%s", cmd, miss, &stdout)
		}
		var all bytes.Buffer
		_ = run(t.Context(), []string{"mlexp", "help"}, envOf(nil), &all, &all)
		if !strings.Contains(all.String(), "  "+cmd+" ") {
			t.Errorf("mlexp help does not list %s", cmd)
		}
	}
	err := run(t.Context(), []string{"mlexp", "heatmap", "--model", "m"}, envOf(nil), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "set --mlflow-tracking-uri or MLFLOW_TRACKING_URI") {
		t.Errorf("heatmap without MLflow: %v", err)
	}
}
