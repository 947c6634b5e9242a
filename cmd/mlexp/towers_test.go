package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// TestTowersCommand sets a model's tower mapping with `mlexp towers` against the real
// MLflow and the SQLite store serve uses, reads it back, and checks that bad input names
// the flag and an unknown model is refused.
func TestTowersCommand(t *testing.T) {
	c, err := mlflow.NewClient(mlflowServer.URL)
	if err != nil {
		t.Fatal(err)
	}
	model := fmt.Sprintf("cli-towers-%d", time.Now().UnixNano())
	q := sample.QuickTestReport()
	q.Model = mlexp.Model{ID: model, Name: model}
	if _, err := tracking.NewLogger(c, nil).LogQuickTest(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL, "MLEXP_DATA_DIR": t.TempDir(), "USER": "carol"}
	out, err := runLog(t, vars, nil, "towers", model)
	if err != nil || !strings.Contains(out, "Query Tower:     —") || !strings.Contains(out, "Not in a tower:  category, city, product_id") {
		t.Fatalf("no mapping yet: %v\n%s", err, out)
	}
	out, err = runLog(t, vars, nil, "towers", model, "--query-tower", "user_id, city", "--candidate-tower=product_id,product_name,category,subcategory")
	if err != nil || !strings.Contains(out, "Query Tower:     user_id, city") || strings.Contains(out, "Not in a tower") || !strings.Contains(out, "Set by carol") {
		t.Fatalf("set: %v\n%s", err, out)
	}
	out, err = runLog(t, vars, nil, "towers", model, "--json")
	var ans struct {
		ModelID        string   `json:"model_id"`
		QueryTower     []string `json:"query_tower"`
		CandidateTower []string `json:"candidate_tower"`
		UpdatedBy      string   `json:"updated_by"`
		Unplaced       []string `json:"unplaced"`
	}
	if err != nil || json.Unmarshal([]byte(out), &ans) != nil || ans.ModelID != model || len(ans.CandidateTower) != 4 || ans.UpdatedBy != "carol" || len(ans.Unplaced) != 0 {
		t.Errorf("--json: %v %+v\n%s", err, ans, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"towers", model, "--query-tower", "user_id", "--candidate-tower", "product_id,User"}, "--candidate-tower (candidate_tower[1])"},
		{[]string{"towers", model, "--query-tower", "user_id", "--candidate-tower", "user_id"}, "already in query_tower"},
		{[]string{"towers", "no-such-model-" + model, "--query-tower", "user_id"}, "no-such-model"},
		{[]string{"towers"}, "give exactly one MODEL_ID"},
	} {
		if _, err := runLog(t, vars, nil, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("mlexp %s: %v, want an error with %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}
