package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// TestDeployMovesTheConfiguredAlias drives deploy, deployments and reconcile with a
// configured alias and registered model, and an alias moved by hand in MLflow.
func TestDeployMovesTheConfiguredAlias(t *testing.T) {
	ctx := context.Background()
	c, err := mlflow.NewClient(mlflowServer.URL)
	if err != nil {
		t.Fatal(err)
	}
	model := fmt.Sprintf("cli-alias-%d", time.Now().UnixNano())
	name := "Registered " + model
	lg := tracking.NewLogger(c, nil)
	training := func(id int) string {
		r := sample.TrainingRunReport()
		r.Model = mlexp.Model{ID: model, Name: model}
		r.TrainingRun.ID, r.TrainingRun.ModelURI, r.TrainingRun.History = id, fmt.Sprintf("gs://m/%d", id), nil
		run, err := lg.LogTrainingRun(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	a, b := training(1), training(2)
	vars := map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL, "MLEXP_DATA_DIR": t.TempDir(), "USER": "carol",
		"MLEXP_REGISTRY_ALIAS": "prod", "MLEXP_REGISTERED_MODELS": "other=Other, " + model + "=" + name}
	run := func(args ...string) string {
		t.Helper()
		out, err := runLog(t, vars, nil, args...)
		if err != nil {
			t.Fatalf("mlexp %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	alias := func(want string) {
		t.Helper()
		if v, err := c.GetModelVersionByAlias(ctx, name, "prod"); err != nil || v == nil || v.Version != want {
			t.Errorf("models:/%s@prod is %+v (%v), want version %s", name, v, err, want)
		}
	}
	if out := run("deploy", a); !strings.Contains(out, "models:/"+name+"@prod is version 1") {
		t.Errorf("deploy a:\n%s", out)
	}
	if out := run("deploy", b); !strings.Contains(out, "is version 2 (was version 1)") {
		t.Errorf("deploy b:\n%s", out)
	}
	alias("2")
	// Someone moves the alias in MLflow's UI: deployments shows it, reconcile puts it back.
	if err := c.SetRegisteredModelAlias(ctx, name, "prod", "1"); err != nil {
		t.Fatal(err)
	}
	if out := run("deployments", model, "--width", "300"); !strings.Contains(out, "! models:/"+name+"@prod names version 1 (run "+a+")") || !strings.Contains(out, "version 2") {
		t.Errorf("deployments after the alias was moved:\n%s", out)
	}
	run("reconcile", model)
	alias("2")
	if out := run("deployments", model); strings.Contains(out, "!") {
		t.Errorf("deployments after reconcile still warns:\n%s", out)
	}
	// Or the history adopts the move.
	if err := c.SetRegisteredModelAlias(ctx, name, "prod", "1"); err != nil {
		t.Fatal(err)
	}
	if out := run("reconcile", model, "--adopt", "--by", "dave"); !strings.Contains(out, "adopted from the registry alias run "+a) || !strings.Contains(out, "deployment #3 by dave") {
		t.Errorf("reconcile --adopt:\n%s", out)
	}
	alias("1")
	if out := run("deployments", model); !strings.Contains(out, "#3") || !strings.Contains(out, "adopt") || strings.Contains(out, "!") {
		t.Errorf("deployments after adopting:\n%s", out)
	}
	for _, bad := range []map[string]string{{"MLEXP_REGISTRY_ALIAS": "a/b"}, {"MLEXP_REGISTERED_MODELS": "no-name"}} {
		v := map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL, "MLEXP_DATA_DIR": t.TempDir()}
		for k, x := range bad {
			v[k] = x
		}
		if _, err := runLog(t, v, nil, "deployments", model); err == nil {
			t.Errorf("deployments with %v succeeded", bad)
		}
	}
}
