package tracking_test

import (
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// TestInfinityFromAnSQLStore logs +Inf and -Inf into MLflow's SQLite store, which keeps them
// as ±1.797e308, and checks that they are read back as ±Inf, so that such a run is never
// selected as the best one (defect 15 of the hardening issue).
func TestInfinityFromAnSQLStore(t *testing.T) {
	f := newFleet(t)
	good := f.training(1, 0.45)
	diverged := f.training(2, 0.46)
	now := time.Now().UnixMilli()
	if err := f.c.LogBatch(ctx(t), diverged, []mlflow.Metric{
		{Key: "recall_at_100", Value: mlflow.Float(math.Inf(1)), Timestamp: now, Step: 99},
		{Key: "loss", Value: mlflow.Float(math.Inf(-1)), Timestamp: now, Step: 99},
	}, nil, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := f.c.GetRun(ctx(t), diverged)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range raw.Data.Metrics {
		if m.Key == "recall_at_100" && math.IsInf(float64(m.Value), 0) {
			t.Logf("this MLflow store keeps +Inf as it is")
		}
	}
	reader := tracking.NewReader(f.c, time.Minute, time.Now, slog.New(slog.DiscardHandler))
	_, ds, err := reader.Experiment(ctx(t), f.report.Model.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	set, err := reader.Runs(ctx(t), ds.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range set.Runs {
		if r.ID == diverged && (!math.IsInf(r.Metrics.Value("recall_at_100"), 1) || !math.IsInf(r.Metrics.Value("loss"), -1)) {
			t.Errorf("read back recall %g and loss %g, want +Inf and -Inf", r.Metrics.Value("recall_at_100"), r.Metrics.Value("loss"))
		}
	}
	best, err := tracking.NewSelector(f.c).SelectBest(ctx(t), f.report.Model.ID, set.Runs, mlexp.BestQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if best.Run == nil || best.Run.RunID != good {
		t.Errorf("best run %+v, want the finite one %s", best.Run, good)
	}
}
