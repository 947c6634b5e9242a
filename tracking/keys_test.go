package tracking_test

import (
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// Idempotency keys are built from parts that may contain '/', the separator of the key:
// the probe found model "coll/x" on dataset "d" and model "coll" on dataset "x/d" sharing
// a key, so that the second result was refused as a changed copy of the first.
func TestIdempotencyKeysDoNotCollideThroughTheSeparator(t *testing.T) {
	type subject struct{ model, dataset, config string }
	for _, pair := range [][2]subject{
		{{"coll/x", "d", "c"}, {"coll", "x/d", "c"}},
		{{"m", "d/c", "1"}, {"m", "d", "c/1"}},
		{{"a%2Fb", "d", "c"}, {"a/b", "d", "c"}},
		{{"a%b", "d", "c"}, {"a%25b", "d", "c"}},
	} {
		var q [2]mlexp.QuickTestReport
		var f [2]mlexp.TrainingRunReport
		for i, s := range pair {
			q[i], f[i] = sample.QuickTestReport(), sample.TrainingRunReport()
			q[i].Model.ID, q[i].Dataset.ID, q[i].FeatureConfig.ID = s.model, s.dataset, s.config
			f[i].Model.ID, f[i].Dataset.ID, f[i].FeatureConfig.ID = s.model, s.dataset, s.config
		}
		if a, b := tracking.QuickTestKey(q[0]), tracking.QuickTestKey(q[1]); a == b {
			t.Errorf("quick tests of %v and %v share the key %q", pair[0], pair[1], a)
		}
		if a, b := tracking.TrainingRunKey(f[0]), tracking.TrainingRunKey(f[1]); a == b {
			t.Errorf("full trainings of %v and %v share the key %q", pair[0], pair[1], a)
		}
	}
}

// Keys of ids without '/' or '%' are what they always were, so that runs logged before
// keys were escaped are found again by them.
func TestKeysOfPlainIDsAreUnchanged(t *testing.T) {
	if k := tracking.QuickTestKey(sample.QuickTestReport()); k != "quick-test/model-7/dataset-001/config-042/3" {
		t.Errorf("quick test key = %q", k)
	}
	if k := tracking.TrainingRunKey(sample.TrainingRunReport()); k != "full-training/model-7/dataset-001/config-042/46" {
		t.Errorf("full training key = %q", k)
	}
}

// A run half-made before the upgrade, tagged with the key written the old way (parts
// joined by '/' unescaped), is finished by a retried delivery instead of made again.
func TestAHalfMadeRunKeyedTheOldWayIsResumed(t *testing.T) {
	r := sample.QuickTestReport()
	isolate(t, &r.Model, &r.Dataset)
	r.Model.ID = "team/" + r.Model.ID
	r.FeatureConfig.ID = "configs/042"
	l := newLogger(t)
	c := client(t, srv.URL)
	first, err := l.LogQuickTest(ctx(t), r)
	if err != nil {
		t.Fatal(err)
	}
	old := "quick-test/" + r.Model.ID + "/" + r.Dataset.ID + "/" + r.FeatureConfig.ID + "/3"
	if old == tracking.QuickTestKey(r) {
		t.Fatal("the key of ids with '/' is written the old way")
	}
	if err := c.SetTag(ctx(t), first, mlflow.Tag{Key: tracking.TagIdempotencyKey, Value: old}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateRun(ctx(t), mlflow.UpdateRunRequest{RunID: first, Status: mlflow.StatusRunning}); err != nil {
		t.Fatal(err)
	}
	again, err := newLogger(t).LogQuickTest(ctx(t), r)
	if err != nil || again != first {
		t.Fatalf("retried delivery = %s, %v; want the half-made %s", again, err, first)
	}
	run, _ := c.GetRun(ctx(t), first)
	if run.Info.Status != mlflow.StatusFinished {
		t.Errorf("resumed run is %s, want FINISHED", run.Info.Status)
	}
	runs, _ := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{run.Info.ExperimentID}})
	if len(runs) != 1 {
		t.Errorf("%d runs in the experiment, want 1", len(runs))
	}
}
