package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	demodata "github.com/mlexp-dev/mlexp/demo"
	"github.com/mlexp-dev/mlexp/internal/mlmdtest"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// TestDemoLineage runs the demo as make demo does: `mlexp demo --mlmd-spec` writes the
// pipeline of its full trainings, which the ml-metadata library writes into a store. Every
// full training then has lineage, the deployed one a push, and comparing the oldest with
// another says that they were trained on different data spans.
func TestDemoLineage(t *testing.T) {
	dir := t.TempDir()
	spec, db := filepath.Join(dir, "mlmd-pipeline.json"), filepath.Join(dir, "mlmd.db")
	// A seed of its own: its own experiment, which TestDemoIsIdempotent does not count.
	const seed = 7
	if out, err := runDemo(t, dir, "--mlflow-tracking-uri", mlflowServer.URL, "--wait", "90s", "--seed", strconv.Itoa(seed), "--mlmd-spec", spec, "--mlmd-db", db); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	in, err := os.ReadFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	mlmdtest.Run(t, in)
	full := demoFullTrainings(t, seed)
	for _, r := range full {
		var l mlexp.Lineage
		if err := json.Unmarshal([]byte(mustQuery(t, "lineage", r.Info.RunID, "--json", "--mlmd-db", db)), &l); err != nil {
			t.Fatal(err)
		}
		pushed := slices.ContainsFunc(l.Nodes, func(n mlexp.LineageNode) bool { return n.Type == "PushedModel" })
		deployed, _ := r.Data.Tag("is_deployed")
		if l.LinkedBy != mlexp.LinkModelURI || pushed != (deployed == "true") {
			t.Errorf("lineage of %s (deployed %q): linked by %q, pushed %v", r.Info.RunName, deployed, l.LinkedBy, pushed)
		}
	}
	out := mustQuery(t, "compare", full[0].Info.RunID, full[1].Info.RunID, "--mlmd-db", db, "--width", "200", "--color", "never")
	if !strings.Contains(out, "Not a like-for-like comparison: the runs were trained on different data span (46 vs 47), vocabulary") {
		t.Errorf("comparing the oldest full training with another:\n%s", out)
	}
}

// demoFullTrainings returns the full trainings of the demo of seed, oldest first.
func demoFullTrainings(t *testing.T, seed uint64) []mlflow.Run {
	c, err := mlflow.NewClient(mlflowServer.URL)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := c.GetExperimentByName(t.Context(), demodata.ExperimentName(seed))
	if err != nil {
		t.Fatal(err)
	}
	runs, err := c.SearchRuns(t.Context(), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp.ID}, Filter: "params.run_type = 'full_training'", OrderBy: []string{"attributes.start_time ASC"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != len(demodata.Reports(seed).TrainingRuns) {
		t.Fatalf("%d full trainings in the demo", len(runs))
	}
	return runs
}
