package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	demodata "github.com/mlexp-dev/mlexp/demo"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// runDemo runs `mlexp demo args...` with its data in dataDir and returns its stdout.
func runDemo(t *testing.T, dataDir string, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), append([]string{"mlexp", "demo"}, args...),
		envOf(map[string]string{"MLEXP_DATA_DIR": dataDir}), &stdout, &stderr)
	if stderr.Len() > 0 {
		t.Logf("stderr of demo:\n%s", stderr.String())
	}
	return stdout.String(), err
}

// TestDemoIsIdempotent runs the demo three times: the second time with a new database (a new
// outbox), so that only MLflow-side idempotency keeps it from logging the runs again; the
// third time with the first database, whose items are all delivered already.
func TestDemoIsIdempotent(t *testing.T) {
	set := demodata.Reports(demodata.DefaultSeed)
	total := len(set.QuickTests) + len(set.TrainingRuns)
	first := t.TempDir()
	for i, dir := range []string{first, t.TempDir(), first} {
		start := time.Now()
		out, err := runDemo(t, dir, "--mlflow-tracking-uri", mlflowServer.URL, "--wait", "90s")
		if err != nil {
			t.Fatalf("demo #%d: %v\n%s", i+1, err, out)
		}
		t.Logf("demo #%d took %s:\n%s", i+1, time.Since(start).Round(time.Millisecond), out)
		wantNew := 0
		if i == 0 {
			wantNew = total
		}
		if m := missing(out,
			fmt.Sprintf("%d quick tests (1 failed) and %d full trainings", len(set.QuickTests), len(set.TrainingRuns)),
			fmt.Sprintf("%d were new, %d were already there", wantNew, total-wantNew),
			mlflowServer.URL+"/#/experiments/",
		); len(m) > 0 {
			t.Errorf("demo #%d printed no %q:\n%s", i+1, m, out)
		}
		checkDemoExperiment(t, set)
	}
}

// checkDemoExperiment checks the demo experiment in MLflow against set.
func checkDemoExperiment(t *testing.T, set demodata.Set) {
	t.Helper()
	c, err := mlflow.NewClient(mlflowServer.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	exp, err := c.GetExperimentByName(ctx, demodata.ExperimentName(demodata.DefaultSeed))
	if err != nil {
		t.Fatal(err)
	}
	runs, err := c.SearchRuns(ctx, mlflow.SearchRunsRequest{ExperimentIDs: []string{exp.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(set.QuickTests) + len(set.TrainingRuns); len(runs) != want {
		t.Fatalf("the demo experiment has %d runs, want %d", len(runs), want)
	}
	d := set.TrainingRuns[set.Deployed]
	wantDeployed := fmt.Sprintf("%s Full Training #%d", d.FeatureConfig.DisplayName(), d.TrainingRun.ID)
	var deployed, failed []string
	var full []mlflow.Run
	keys := map[string]bool{}
	for _, r := range runs {
		if v, _ := r.Data.Tag(tracking.TagDeployed); v == "true" {
			deployed = append(deployed, r.Info.RunName)
		}
		if r.Info.Status == mlflow.StatusFailed {
			stage, _ := r.Data.Tag(tracking.TagFailureStage)
			failed = append(failed, stage)
		} else if r.Info.Status != mlflow.StatusFinished {
			t.Errorf("run %s is %s", r.Info.RunName, r.Info.Status)
		}
		if v, _ := r.Data.Param("run_type"); v == string(mlexp.FullTrainingRun) {
			full = append(full, r)
		}
		k, _ := r.Data.Tag(tracking.TagIdempotencyKey)
		keys[k] = true
	}
	if len(keys) != len(runs) {
		t.Errorf("%d runs carry %d distinct idempotency keys", len(runs), len(keys))
	}
	if !slices.Equal(deployed, []string{wantDeployed}) {
		t.Errorf("deployed runs %q, want only %q", deployed, wantDeployed)
	}
	if !slices.Equal(failed, []string{"Transform"}) {
		t.Errorf("failed runs with failure_stage %q, want one in Transform", failed)
	}
	if len(full) != len(set.TrainingRuns) {
		t.Errorf("%d full trainings, want %d", len(full), len(set.TrainingRuns))
	}
	for _, r := range full {
		files, err := c.ListArtifacts(ctx, r.Info.ArtifactURI, "")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(files, func(f mlflow.FileInfo) bool { return f.Path == tracking.CurvesArtifact }) {
			t.Errorf("%s has no %s: %+v", r.Info.RunName, tracking.CurvesArtifact, files)
		}
	}
}

// TestDemoWithMLflowDown queues the results when MLflow does not answer and says so; a later
// demo against a live MLflow delivers them.
func TestDemoWithMLflowDown(t *testing.T) {
	dir := t.TempDir()
	down := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	_, err := runDemo(t, dir, "--mlflow-tracking-uri", down, "--seed", "7")
	if err == nil {
		t.Fatal("demo succeeded without MLflow")
	}
	if m := missing(err.Error(), "MLflow at "+down+" is not available", "stay queued in the database", "`mlexp serve`"); len(m) > 0 {
		t.Errorf("error %q lacks %q", err, m)
	}

	out, err := runDemo(t, dir, "--mlflow-tracking-uri", mlflowServer.URL, "--seed", "7")
	if err != nil {
		t.Fatalf("demo after MLflow is back: %v", err)
	}
	if !strings.Contains(out, `"`+demodata.ExperimentName(7)+`"`) {
		t.Errorf("demo of seed 7 printed:\n%s", out)
	}
}

func TestDemoFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--seed", "x"}, `--seed="x": not a seed`},
		{[]string{"--wait", "0s"}, `--wait="0s": not a positive duration`},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{nil, "no MLflow tracking server"},
	} {
		_, err := runDemo(t, t.TempDir(), tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("demo %q: %v, want an error with %q", tc.args, err, tc.want)
		}
	}
	out, err := runDemo(t, t.TempDir(), "--help")
	if err != nil || missing(strings.Join(strings.Fields(out), " "), "Usage: mlexp demo", "--seed N", "--wait DURATION", "--mlflow-tracking-uri URL", "Demo Data (synthetic)") != nil {
		t.Errorf("demo --help: %v\n%s", err, out)
	}
}
