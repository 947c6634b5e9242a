package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// queryModel is a model seeded once in the real MLflow for the query tests: three quick
// tests of different configs, a failed one, and a full training of config-038, deployed.
type queryModel struct {
	id                                string
	quick42, quick38, quick35, failed string // run ids
	full38                            string
}

var (
	seedOnce sync.Once
	seeded   queryModel
	seedErr  error
)

func ptr(v float64) *float64 { return &v }

// seedQueryModel logs the runs of the query tests' model (once per test binary).
func seedQueryModel(t *testing.T) queryModel {
	t.Helper()
	seedOnce.Do(func() { seeded, seedErr = seedRuns(context.Background()) })
	if seedErr != nil {
		t.Fatalf("seeding MLflow: %v", seedErr)
	}
	return seeded
}

func seedRuns(ctx context.Context) (queryModel, error) {
	m := queryModel{id: fmt.Sprintf("query-model-%d", time.Now().UnixNano())}
	client, err := mlflow.NewClient(mlflowServer.URL)
	if err != nil {
		return m, err
	}
	logger := tracking.NewLogger(client, nil)
	start := time.Now().Add(-6 * time.Hour).UTC().Truncate(time.Second)
	quick := func(id int, config string, mutate func(*mlexp.FeatureConfig), r100 float64, at time.Duration) (string, error) {
		r := sample.QuickTestReport()
		r.Model = mlexp.Model{ID: m.id, Name: "Query Model"}
		r.FeatureConfig.ID = config
		if mutate != nil {
			mutate(&r.FeatureConfig)
		}
		q := &r.QuickTest
		q.ID = id
		q.Metrics.RecallAt100, q.Metrics.RecallAt50 = ptr(r100), ptr(r100-0.088)
		q.StartedAt = start.Add(at)
		q.FinishedAt = q.StartedAt.Add(8 * time.Minute)
		return logger.LogQuickTest(ctx, r)
	}
	noUserCity := func(c *mlexp.FeatureConfig) { c.CrossFeatures = c.CrossFeatures[:1] } // category × subcategory only
	if m.quick42, err = quick(3, "config-042", nil, 0.473, 0); err != nil {
		return m, err
	}
	if m.quick38, err = quick(1, "config-038", noUserCity, 0.461, time.Hour); err != nil {
		return m, err
	}
	if m.quick35, err = quick(1, "config-035", func(c *mlexp.FeatureConfig) {
		c.QueryTower[0].EmbeddingDim, c.CandidateTower[0].EmbeddingDim = 32, 32
		c.CrossFeatures = nil
	}, 0.420, 2*time.Hour); err != nil {
		return m, err
	}
	r := sample.QuickTestReport()
	r.Model = mlexp.Model{ID: m.id, Name: "Query Model"}
	r.FeatureConfig.ID = "config-044"
	r.FeatureConfig.QueryTower[0].EmbeddingDim = 256
	r.QuickTest.ID, r.QuickTest.Status, r.QuickTest.Metrics = 1, mlexp.StatusFailed, mlexp.Metrics{}
	r.QuickTest.Failure = &mlexp.Failure{Stage: "Transform", Reason: "OOM during Transform: user:256d (too large)"}
	r.QuickTest.StartedAt = start.Add(3 * time.Hour)
	r.QuickTest.FinishedAt = r.QuickTest.StartedAt.Add(3 * time.Minute)
	if m.failed, err = logger.LogQuickTest(ctx, r); err != nil {
		return m, err
	}
	f := sample.TrainingRunReport()
	f.Model = mlexp.Model{ID: m.id, Name: "Query Model"}
	f.FeatureConfig.ID = "config-038"
	noUserCity(&f.FeatureConfig)
	f.TrainingRun.ID = 45
	f.TrainingRun.Metrics.RecallAt100 = ptr(0.462)
	f.TrainingRun.StartedAt = start.Add(-48 * time.Hour)
	f.TrainingRun.FinishedAt = f.TrainingRun.StartedAt.Add(2*time.Hour + 58*time.Minute)
	if m.full38, err = logger.LogTrainingRun(ctx, f); err != nil {
		return m, err
	}
	if err := sample.Promote(ctx, client, m.full38); err != nil {
		return m, err
	}
	return m, nil
}

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
	out := mustQuery(t, "runs", "--model", m.id, "--sort", "recall_at_100")
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

	out = mustQuery(t, "runs", "--model", m.id, "--search", "config-035")
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

func TestQueryCompare(t *testing.T) {
	m := seedQueryModel(t)
	// Flags may come before, between or after the run ids.
	out := mustQuery(t, "compare", m.quick42, "--color", "never", m.full38)
	noESC(t, out)
	if miss := missing(out, "Compare Experiments", "Selected: config-042 (Quick Test #3) vs config-038 (Full Training #45)",
		"Baseline: config-038 (Full Training #45), the deployed run", "METRICS COMPARISON", "Recall@100", "★47.3%", "46.2%", "+1.1 pp",
		"Loss", "Duration", "8 min", "2h 58m", "Cost", "$1.42", "$38.50",
		"⚠ Note: Quick Test metrics are indicative (10% data, 2 epochs)", "CONFIGURATION DIFF", "Query Tower", "user_id:", "Candidate Tower",
		"Cross Features", "+ user_id × city:", "← NEW in config-042", "(same)", "Training", "RECOMMENDATION",
		"💡 config-042 shows +1.1 pp improvement in Recall@100", "Consider running Full Training with config-042 to confirm."); len(miss) > 0 {
		t.Errorf("compare lacks %q:\n%s", miss, out)
	}
	assertBoxes(t, out)

	out = mustQuery(t, "compare", "--json", "--baseline", m.quick35, m.quick42, m.quick35, m.failed)
	var c mlexp.Comparison
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("compare --json is not JSON: %v\n%s", err, out)
	}
	if c.BaselineID != m.quick35 || c.BaselineReason != mlexp.BaselineChosen || len(c.Runs) != 3 || c.Recommendation.Kind == "" {
		t.Errorf("compare --json = %+v", c)
	}
	out = mustQuery(t, "compare", m.quick35, m.quick42, m.quick38)
	if miss := missing(out, "(baseline)", "NEW in config-042, config-038", "changed in config-042, config-038"); len(miss) > 0 {
		t.Errorf("3-run compare lacks %q:\n%s", miss, out)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{m.quick42}, "compare: give 2 to 50 run ids, not 1"},
		{[]string{m.quick42, "0123456789abcdef0123456789abcdef"}, `RUN_ID: run "0123456789abcdef0123456789abcdef" does not exist in MLflow`},
		{[]string{m.quick42, m.quick42}, "RUN_ID: run"},
		{[]string{m.quick42, m.full38, "--baseline", m.quick35}, "--baseline: run"},
	} {
		_, _, err := runQuery(t, append([]string{"compare"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("compare %q: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}

func TestQueryModelsAndAttach(t *testing.T) {
	m := seedQueryModel(t)
	client, err := mlflow.NewClient(mlflowServer.URL)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("python-logged-%d", time.Now().UnixNano())
	expID, err := client.CreateExperiment(t.Context(), name, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	model := "attached-" + name
	out := mustQuery(t, "attach", name, "--model-id", model, "--model-name", "Attached Model", "--dataset-id", "ds-9", "--dataset-name", "Holdout Set")
	if want := fmt.Sprintf("MLflow experiment %s (%s) is now the experiment of model Attached Model (%s) on dataset Holdout Set (ds-9)", expID, name, model); !strings.Contains(out, want) {
		t.Errorf("attach printed %q, want %q", out, want)
	}

	out = mustQuery(t, "models")
	noESC(t, out)
	if miss := missing(out, "MODELS", "Model ID", model, "Attached Model", "ds-9", "Holdout Set", " "+expID+" │", "python-logged-", m.id, "Query Model"); len(miss) > 0 {
		t.Errorf("models lacks %q:\n%s", miss, out)
	}
	out = mustQuery(t, "models", "--json")
	var list struct{ Models []mlexp.ModelInfo }
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("models --json is not JSON: %v\n%s", err, out)
	}
	i := slices.IndexFunc(list.Models, func(x mlexp.ModelInfo) bool { return x.ID == model })
	if i < 0 || list.Models[i].Name != "Attached Model" || len(list.Models[i].Datasets) != 1 || list.Models[i].Datasets[0].ExperimentID != expID {
		t.Errorf("models --json lacks the attached model: %+v", list.Models)
	}

	// The attached experiment has no run yet: the screens say so instead of failing.
	out = mustQuery(t, "summary", "--model", model)
	if !strings.Contains(out, "No runs yet.") || !strings.Contains(out, "Holdout Set") {
		t.Errorf("summary of an empty experiment:\n%s", out)
	}
	out = mustQuery(t, "heatmap", "--model", model)
	if !strings.Contains(out, "No runs to plot.") {
		t.Errorf("heatmap of an empty experiment:\n%s", out)
	}
	// Several models: --model cannot be left out.
	_, _, err = runQuery(t, "heatmap")
	if err == nil || !strings.Contains(err.Error(), "--model is required: MLflow has experiments of") || !strings.Contains(err.Error(), model) {
		t.Errorf("heatmap without --model: %v", err)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"attach", "--model-id", "x", "--dataset-id", "y"}, "attach: give exactly one EXPERIMENT"},
		{[]string{"attach", name, "--dataset-id", "y"}, "attach: --model-id is required"},
		{[]string{"attach", name, "--model-id", "x"}, "attach: --dataset-id is required"},
		{[]string{"attach", "no-such-experiment-" + name, "--model-id", "x", "--dataset-id", "y"}, "EXPERIMENT: no MLflow experiment with id or name"},
		{[]string{"attach", name, "--model-id", `bad"id`, "--dataset-id", "y"}, "--model-id: must not contain quotes"},
	} {
		_, _, err := runQuery(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one containing %q", tc.args, err, tc.want)
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

func TestSplitQueryArgs(t *testing.T) {
	opts := compareOptions()
	for _, tc := range []struct {
		args, flags, positional []string
	}{
		{[]string{"a", "--baseline", "a", "b"}, []string{"--baseline", "a"}, []string{"a", "b"}},
		{[]string{"--json", "a", "b"}, []string{"--json=true"}, []string{"a", "b"}},
		{[]string{"a", "--json", "false", "b"}, []string{"--json=false"}, []string{"a", "b"}},
		{[]string{"-json=false", "--color=never", "a"}, []string{"-json=false", "--color=never"}, []string{"a"}},
		{[]string{"a", "--", "--json"}, nil, []string{"a", "--json"}},
		{[]string{"--bogus", "a"}, []string{"--bogus"}, []string{"a"}},
	} {
		flags, positional := splitQueryArgs(tc.args, opts)
		if !slices.Equal(flags, tc.flags) || !slices.Equal(positional, tc.positional) {
			t.Errorf("splitQueryArgs(%q) = %q, %q; want %q, %q", tc.args, flags, positional, tc.flags, tc.positional)
		}
	}
}
