package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

// pythonGrid logs, with MLflow's official Python client and not through mlexp, a small grid
// of runs in the spec's shape: four quick tests over two embedding sizes and two cross
// settings (one config twice), a full training marked deployed, and a failed quick test.
// It returns the model id and the run ids by name.
func pythonGrid(t *testing.T) (string, map[string]string) {
	t.Helper()
	model := fmt.Sprintf("py-model-%d", time.Now().UnixNano())
	experiment := model + "-Q4 2024 Training Data"
	start := int64(1_764_000_000_000)
	var specs []map[string]any
	add := func(name, runType, config, user, prod, crosses string, recall float64, status string, tags map[string]string) {
		i := int64(len(specs))
		params := map[string]string{"run_type": runType, "config_id": config, "epochs": "2", "data_sample_percent": "10",
			"user_id_embedding_dim": user, "product_id_embedding_dim": prod, "cross_features": crosses,
			"query_tower": "user_id,city", "candidate_tower": "product_id,category,subcategory", "city_embedding_dim": "16"}
		if strings.Contains(crosses, "user_id_x_city") {
			params["user_id_x_city_buckets"] = "5000"
		}
		if runType == "full_training" {
			params["epochs"], params["data_sample_percent"], params["batch_size"] = "20", "100", "8192"
		}
		history := map[string]any{}
		if !math.IsNaN(recall) {
			at := start + i*3_600_000 + 480_000
			history["recall_at_100"] = []map[string]any{{"step": 0, "timestamp": at, "value": recall}}
			history["loss"] = []map[string]any{{"step": 0, "timestamp": at, "value": 1 - recall}}
		}
		allTags := map[string]string{"dataset_id": "dataset-001", "feature_config_id": config}
		for k, v := range tags {
			allTags[k] = v
		}
		specs = append(specs, map[string]any{"experiment": experiment, "run_name": name, "status": status,
			"start_time": start + i*3_600_000, "end_time": start + i*3_600_000 + 480_000, "params": params, "tags": allTags, "history": history,
			"experiment_tags": map[string]string{"ml_model_id": model, "ml_model_name": model, "dataset_id": "dataset-001", "dataset_name": "Q4 2024 Training Data"}})
	}
	add("config-001 Quick Test #1", "quick_test", "config-001", "32", "32", "none", 0.382, "FINISHED", nil)
	add("config-002 Quick Test #2", "quick_test", "config-002", "64", "64", "none", 0.441, "FINISHED", nil)
	add("config-003 Quick Test #3", "quick_test", "config-003", "64", "64", "category_x_subcategory,user_id_x_city", 0.473, "FINISHED", nil)
	add("config-003 Quick Test #4", "quick_test", "config-003", "64", "64", "user_id_x_city,category_x_subcategory", 0.465, "FINISHED", nil)
	add("config-002 Full Training #45", "full_training", "config-002", "64", "64", "none", 0.461, "FINISHED", map[string]string{"is_deployed": "true"})
	add("config-004 Quick Test #5", "quick_test", "config-004", "256", "64", "none", math.NaN(), "FAILED",
		map[string]string{"failure_stage": "Transform", "failure_reason": "OOM during Transform"})
	in, _ := json.Marshal(specs)
	out, err := mlflowServer.RunPython("log_run.py", in)
	if err != nil {
		t.Fatal(err)
	}
	var logged struct {
		RunIDs []string `json:"run_ids"`
	}
	if err := json.Unmarshal(out, &logged); err != nil || len(logged.RunIDs) != len(specs) {
		t.Fatalf("python logged %s (%v)", out, err)
	}
	ids := map[string]string{}
	for i, s := range specs {
		ids[s["run_name"].(string)] = logged.RunIDs[i]
	}
	return model, ids
}

func getData(t *testing.T, url string, into any) {
	t.Helper()
	status, _, a := mustAPI(t, http.MethodGet, url, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %+v", url, status, a.Error)
	}
	if err := json.Unmarshal(a.Data, into); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// TestRunsLoggedByPythonInEveryEndpoint checks that runs logged by MLflow's own client in
// the spec's shape read correctly in every query endpoint.
func TestRunsLoggedByPythonInEveryEndpoint(t *testing.T) {
	model, ids := pythonGrid(t)
	s := MustStartServe(t, map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL})
	base := s.URL + "/api/models/" + model + "/experiments"

	var models struct {
		Models []struct {
			ID       string `json:"model_id"`
			Datasets []struct {
				ID string `json:"dataset_id"`
			} `json:"datasets"`
		} `json:"models"`
	}
	getData(t, s.URL+"/api/models/", &models)
	found := false
	for _, m := range models.Models {
		found = found || m.ID == model && len(m.Datasets) == 1 && m.Datasets[0].ID == "dataset-001"
	}
	if !found {
		t.Errorf("GET /api/models/ does not list %s with its dataset", model)
	}

	var sum struct {
		QuickTests, FullTrainings, Failed int
		Best                              struct {
			RunID string  `json:"run_id"`
			Value float64 `json:"value"`
		}
		Deployed struct {
			RunID string  `json:"run_id"`
			Value float64 `json:"value"`
		}
	}
	getData(t, base+"/", &sum)
	if sum.Best.RunID != ids["config-003 Quick Test #3"] || sum.Best.Value != 0.473 || sum.Deployed.RunID != ids["config-002 Full Training #45"] {
		t.Errorf("summary = %+v", sum)
	}

	var hm struct {
		XAxis struct{ Values []string } `json:"x_axis"`
		YAxis struct{ Values []string } `json:"y_axis"`
		Cells []struct {
			X, Y     string
			Value    *float64
			N        int
			Failed   int
			Best     bool
			Deployed bool
			RunID    string `json:"run_id"`
		}
	}
	getData(t, base+"/heatmap/?agg=mean", &hm)
	if strings.Join(hm.XAxis.Values, " ") != "32/32 64/64 256/64" || strings.Join(hm.YAxis.Values, " ") != "none category_x_subcategory,city_x_user_id" {
		t.Errorf("heatmap axes %v × %v", hm.XAxis.Values, hm.YAxis.Values)
	}
	cells := map[string]int{}
	for i, c := range hm.Cells {
		cells[c.X+"|"+c.Y] = i
	}
	crossed := hm.Cells[cells["64/64|category_x_subcategory,city_x_user_id"]]
	if crossed.N != 2 || crossed.Value == nil || math.Abs(*crossed.Value-0.469) > 1e-9 || !crossed.Best {
		t.Errorf("the cell of the twice-run config, whose crosses were written in two orders: %+v", crossed)
	}
	if c := hm.Cells[cells["64/64|none"]]; c.N != 2 || !c.Deployed {
		t.Errorf("the deployed cell: %+v", c)
	}
	if c := hm.Cells[cells["256/64|none"]]; c.Value != nil || c.Failed != 1 {
		t.Errorf("the failed config's cell: %+v", c)
	}
	if c := hm.Cells[cells["32/32|category_x_subcategory,city_x_user_id"]]; c.Value != nil || c.N != 0 {
		t.Errorf("an empty cell: %+v", c)
	}

	var page struct {
		Total int
		Runs  []struct {
			Name string `json:"run_name"`
		}
	}
	getData(t, base+"/runs/?type=quick_test&sort=recall_at_100&order=asc", &page)
	if page.Total != 5 || page.Runs[0].Name != "config-001 Quick Test #1" || page.Runs[4].Name != "config-004 Quick Test #5" {
		t.Errorf("quick tests by recall ascending, the failed one (no recall) last: %+v", page)
	}

	status, _, a := mustAPI(t, http.MethodPost, s.URL+"/api/experiments/compare/", map[string]any{
		"run_ids": []string{ids["config-003 Quick Test #3"], ids["config-002 Full Training #45"]}})
	var cmp struct {
		BaselineID string `json:"baseline_id"`
		ConfigDiff []struct {
			Name    string
			Entries []struct {
				Item  string
				Marks []string
			}
		} `json:"config_diff"`
		Recommendation struct{ Kind string }
	}
	if status != http.StatusOK || json.Unmarshal(a.Data, &cmp) != nil {
		t.Fatalf("compare: %d %+v", status, a.Error)
	}
	if cmp.BaselineID != ids["config-002 Full Training #45"] || cmp.Recommendation.Kind != "run_full_training" {
		t.Errorf("compare: baseline %s, recommendation %s", cmp.BaselineID, cmp.Recommendation.Kind)
	}
	newCross := false
	for _, g := range cmp.ConfigDiff {
		for _, e := range g.Entries {
			newCross = newCross || strings.Contains(e.Item, "user_id") && strings.Contains(e.Item, "city") && e.Marks[0] == "new"
		}
	}
	if !newCross {
		t.Errorf("compare: the user_id × city cross is not NEW in config-003: %+v", cmp.ConfigDiff)
	}

	var links map[string]string
	getData(t, s.URL+"/api/experiments/mlflow-url/?run_id="+ids["config-001 Quick Test #1"], &links)
	if !strings.HasPrefix(links["run_url"], mlflowServer.URL+"/#/experiments/") || !strings.HasSuffix(links["run_url"], ids["config-001 Quick Test #1"]) {
		t.Errorf("mlflow-url: %v", links)
	}

	code, csv := MustGet(t, base+"/runs/?format=csv")
	if code != http.StatusOK || strings.Count(csv, "\n") != 7 || !strings.Contains(csv, "OOM during Transform") {
		t.Errorf("CSV export (%d):\n%s", code, csv)
	}
}

// TestRunsLoggedByPythonInEveryCommand checks the terminal commands on runs logged by MLflow's
// own client.
func TestRunsLoggedByPythonInEveryCommand(t *testing.T) {
	model, ids := pythonGrid(t)
	vars := map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL}
	run := func(args ...string) string {
		t.Helper()
		out, err := runLog(t, vars, nil, args...)
		if err != nil {
			t.Fatalf("mlexp %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	if out := run("summary", "--model", model, "--color", "never"); !strings.Contains(out, "47.3%") || !strings.Contains(out, "46.1%") {
		t.Errorf("summary does not show the best (47.3%%) and deployed (46.1%%) values:\n%s", out)
	}
	out := run("heatmap", "--model", model, "--agg", "mean", "--color", "never")
	for _, want := range []string{"★46.9%", "●", "user:256", "(failed)", "cat × subcat + user × city"} {
		if !strings.Contains(out, want) {
			t.Errorf("heatmap lacks %q:\n%s", want, out)
		}
	}
	var hm struct {
		Cells []struct{ N int }
	}
	if err := json.Unmarshal([]byte(run("heatmap", "--model", model, "--json")), &hm); err != nil || len(hm.Cells) != 6 {
		t.Errorf("heatmap --json: %d cells, %v", len(hm.Cells), err)
	}
	if out := run("runs", "--model", model, "--type", "full_training", "--color", "never", "--width", "120"); !strings.Contains(out, "config-002 #45") || !strings.Contains(out, ids["config-002 Full Training #45"]) || strings.Contains(out, "config-001") {
		t.Errorf("runs --type full_training:\n%s", out)
	}
	out = run("compare", ids["config-003 Quick Test #3"], ids["config-002 Full Training #45"], "--color", "never")
	if !strings.Contains(out, "NEW") || !strings.Contains(out, "+1.2 pp") {
		t.Errorf("compare does not show the NEW cross or the +1.2 pp:\n%s", out)
	}
}
