package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/terminal"
	"github.com/mlexp-dev/mlexp/tracking"
)

// TestDeployRollbackAndBestCommands drives mlexp best, deploy, rollback and deployments
// against the real MLflow and a SQLite store in the data directory, the one serve uses.
func TestDeployRollbackAndBestCommands(t *testing.T) {
	ctx := context.Background()
	c, err := mlflow.NewClient(mlflowServer.URL)
	if err != nil {
		t.Fatal(err)
	}
	model := fmt.Sprintf("cli-deploy-%d", time.Now().UnixNano())
	lg := tracking.NewLogger(c, nil)
	training := func(id int, recall float64) string {
		r := sample.TrainingRunReport()
		r.Model = mlexp.Model{ID: model, Name: model}
		r.TrainingRun.ID, r.TrainingRun.ModelURI, r.TrainingRun.History = id, fmt.Sprintf("gs://m/%d", id), nil
		r.TrainingRun.Metrics.RecallAt100 = &recall
		run, err := lg.LogTrainingRun(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	a, b := training(1, 0.45), training(2, 0.47)
	q := sample.QuickTestReport()
	q.Model = mlexp.Model{ID: model, Name: model}
	quick, err := lg.LogQuickTest(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	vars := map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL, "MLEXP_DATA_DIR": dataDir, "USER": "carol"}
	run := func(args ...string) string {
		t.Helper()
		out, err := runLog(t, vars, nil, args...)
		if err != nil {
			t.Fatalf("mlexp %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	fails := func(want string, args ...string) {
		t.Helper()
		if out, err := runLog(t, vars, nil, args...); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("mlexp %s: %v (%s), want an error saying %q", strings.Join(args, " "), err, out, want)
		}
	}

	// Which run to deploy.
	var best struct {
		mlexp.Best
		Experiment mlexp.ExperimentRef `json:"experiment"`
	}
	if err := json.Unmarshal([]byte(run("best", model, "--json")), &best); err != nil || !best.Eligible || best.Run.RunID != b || best.RunnerUp.RunID != a {
		t.Fatalf("best --json: %+v, %v", best, err)
	}
	out := run("best", model, "--color", "never")
	for _, want := range []string{"★ config-042 Full Training #2", "47.0%", "gs://m/2", "+2.0 pp over the runner-up", "no run of the model is deployed",
		"Promote it: mlexp deploy " + b, "model_uri", "Ties: equal values"} {
		if !strings.Contains(out, want) {
			t.Errorf("best output lacks %q:\n%s", want, out)
		}
	}
	if out := run("best", model, "--min-value", "0.9", "--color", "never"); !strings.Contains(out, "no eligible run: of 3 runs") || !strings.Contains(out, "min_value removed 2") {
		t.Errorf("best --min-value 0.9:\n%s", out)
	}
	fails("--min-value", "best", model, "--min-value", "high")
	fails("--run-type", "best", model, "--run-type", "deployed")
	fails("--dataset-id", "best", model, "--dataset-id", "no-such-dataset")

	// Promote, promote, refuse, roll back.
	if out := run("deploy", a, "--note", "first"); !strings.Contains(out, "promoted run "+a) || !strings.Contains(out, "by carol") {
		t.Errorf("deploy a:\n%s", out)
	}
	out = run("deploy", "--by", "dave", b[:mlexp.MinRunIDPrefix], "--model", model) // the prefix the runs table shows

	if !strings.Contains(out, "replacing run "+a) || !strings.Contains(out, "by dave") || !strings.Contains(out, a+" is no longer marked deployed") {
		t.Errorf("deploy b:\n%s", out)
	}
	fails("no model to deploy", "deploy", quick)
	fails("does not exist", "deploy", "0123456789abcdef0123456789abcdef")
	fails("belongs to model "+model, "deploy", a, "--model", "another-model")
	fails("exactly one RUN_ID", "deploy")
	fails(`RUN_ID: "`+b[:7]+`" is neither a run id nor a prefix of one`, "deploy", b[:7], "--model", model)
	fails(`RUN_ID: no run of the model starts with "ffffffffe"`, "deploy", "ffffffffe", "--model", model)
	var rb struct {
		RunID      string           `json:"run_id"`
		Deployment mlexp.Deployment `json:"deployment"`
	}
	if err := json.Unmarshal([]byte(run("rollback", model, "--note", "oops", "--json")), &rb); err != nil ||
		rb.RunID != a || rb.Deployment.Action != mlexp.ActionRollback || rb.Deployment.PromotedBy != "carol" || rb.Deployment.PreviousRunID != b {
		t.Errorf("rollback --json: %+v, %v", rb, err)
	}
	out = run("deployments", model)
	for i, l := range strings.Split(out, "\n") {
		if w := terminal.StringWidth(l); w > 80 {
			t.Errorf("deployments: line %d is %d columns wide: %s", i+1, w, l)
		}
	}
	for _, want := range []string{"#3", "rollback", "#2", "by dave", "#1", `"first"`, `"oops"`} {
		if !strings.Contains(out, want) {
			t.Errorf("deployments lacks %q:\n%s", want, out)
		}
	}
	fails("no previous deployment", "rollback", "never-promoted-model")
	// deployments reads only mlexp's database: it needs no MLflow server.
	noMLflow, err := runLog(t, map[string]string{"MLEXP_DATA_DIR": dataDir}, nil, "deployments", model)
	if err != nil || noMLflow != out {
		t.Errorf("deployments without MLFLOW_TRACKING_URI: %v\n%s\nwant\n%s", err, noMLflow, out)
	}

	// The history is in the database serve uses, and MLflow agrees with it.
	db, err := sqlstore.Open(ctx, filepath.Join(dataDir, "mlexp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h, err := db.Deployments(ctx, model, 0)
	if err != nil || len(h) != 3 || h[0].RunID != a || h[1].RunID != b || h[1].PromotedBy != "dave" || h[2].Note != "first" {
		t.Errorf("history in the store: %+v, %v", h, err)
	}
	marks := func(when string, want map[string]string) {
		t.Helper()
		for id, w := range want {
			r, err := c.GetRun(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := r.Data.Tag(tracking.TagDeployed); v != w {
				t.Errorf("%s: run %s has is_deployed %q, want %q", when, id, v, w)
			}
		}
	}
	marks("after the rollback", map[string]string{a: "true", b: "false"})

	// Someone marks b deployed by hand in MLflow, and clears a: reconcile puts MLflow back
	// to the recorded truth, a, without recording anything.
	for id, v := range map[string]string{b: "true", a: "false"} {
		if err := c.SetTag(ctx, id, mlflow.Tag{Key: tracking.TagDeployed, Value: v}); err != nil {
			t.Fatal(err)
		}
	}
	out = run("reconcile", model)
	if !strings.Contains(out, "MLflow shows run "+a) || !strings.Contains(out, "deployment #3") || !strings.Contains(out, b+" is no longer marked deployed") {
		t.Errorf("reconcile:\n%s", out)
	}
	marks("after reconcile", map[string]string{a: "true", b: "false"})
	var rc struct {
		Current mlexp.Deployment `json:"current"`
		Cleared []string         `json:"cleared"`
	}
	if err := json.Unmarshal([]byte(run("reconcile", model, "--json")), &rc); err != nil || rc.Current.RunID != a || len(rc.Cleared) != 0 {
		t.Errorf("reconcile --json when MLflow agrees: %+v, %v", rc, err)
	}
	if h, err := db.Deployments(ctx, model, 0); err != nil || len(h) != 3 {
		t.Errorf("reconcile recorded something: %d entries, %v", len(h), err)
	}
	if out := run("reconcile", "never-promoted-model"); !strings.Contains(out, "no promotion is recorded yet") {
		t.Errorf("reconcile of a model without history:\n%s", out)
	}
	fails("exactly one MODEL_ID", "reconcile")
	fails("by: who promotes must be valid text of at most 8000 characters", "deploy", a, "--by", strings.Repeat("x", mlflow.MaxTagValueLength+1))
}

// TestPromotionMessageKeepsItsContext: the message of a refusal keeps what was wrapped
// around it, such as the run a rollback went back to.
func TestPromotionMessageKeepsItsContext(t *testing.T) {
	refusal := &mlexp.Error{Code: mlexp.ECONFLICT, Field: "run_id", Message: "run_id: run r1 is not FINISHED"}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{refusal, "run_id: run r1 is not FINISHED"},
		{fmt.Errorf("rolling back to run r1: %w", refusal), "rolling back to run r1: run_id: run r1 is not FINISHED"},
		{errors.New("disk full"), "disk full"},
		{fmt.Errorf("outer: %w", mlexp.Errorf(mlexp.EINTERNAL, "boom")), "outer: mlexp internal: boom"},
	} {
		if got := promotionMessage(tc.err); got != tc.want {
			t.Errorf("promotionMessage(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
