package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/terminal"
)

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

	// 80 columns: each name under its id, ids whole. Other tests' models share this MLflow:
	// a model id too long for 80 columns beside its dataset id is kept whole all the same.
	var all struct{ Models []mlexp.ModelInfo }
	if err := json.Unmarshal([]byte(mustQuery(t, "models", "--json")), &all); err != nil {
		t.Fatal(err)
	}
	ids, datasets := 0, 0
	for _, m := range all.Models {
		ids = max(ids, terminal.StringWidth(m.ID))
		for _, d := range m.Datasets {
			datasets = max(datasets, terminal.StringWidth(d.ID))
		}
	}
	width := max(80, ids+datasets+7) // │ id │ dataset id │: the narrowest table with whole ids
	out = mustQuery(t, "models")
	noESC(t, out)
	for i, l := range strings.Split(out, "\n") {
		if w := terminal.StringWidth(l); w > width {
			t.Errorf("models: line %d is %d columns wide, want at most %d: %s", i+1, w, width, l)
		}
	}
	if miss := missing(out, "MODELS", "│ Model ", model, "Attached Model", "ds-9", "Holdout Set", "python-logged-", m.id, "Query Model"); len(miss) > 0 {
		t.Errorf("models lacks %q:\n%s", miss, out)
	}
	out = mustQuery(t, "models", "--width", "200")
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
