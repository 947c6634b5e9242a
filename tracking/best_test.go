package tracking_test

import (
	"log/slog"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

func TestSelectBestOverMLflow(t *testing.T) {
	f := newFleet(t)
	model := f.report.Model.ID
	a := f.training(1, 0.45)
	b := f.training(2, 0.47)
	f.training(3, 0.49, func(r *mlexp.TrainingRunReport) { r.TrainingRun.ModelURI = "" }) // best, but nothing to deploy
	nan := f.training(4, 0.50)
	// NaN logged over it, at a later step: MLflow reports NaN as its latest value.
	if err := f.c.LogBatch(ctx(t), nan, []mlflow.Metric{{Key: "recall_at_100", Value: mlflow.Float(math.NaN()), Timestamp: time.Now().UnixMilli(), Step: 99}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	q := sample.QuickTestReport()
	q.Model, q.Dataset = f.report.Model, f.report.Dataset
	q.QuickTest.Metrics.RecallAt100 = new(0.6)
	if _, err := f.logger.LogQuickTest(ctx(t), q); err != nil {
		t.Fatal(err)
	}
	reader := tracking.NewReader(f.c, time.Minute, time.Now, slog.New(slog.DiscardHandler))
	_, ds, err := reader.Experiment(ctx(t), model, "")
	if err != nil {
		t.Fatal(err)
	}
	set, err := reader.Runs(ctx(t), ds.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	p := tracking.NewPromoter(f.c, openStore(t, filepath.Join(t.TempDir(), "mlexp.db")), time.Now)
	if _, err := p.Promote(ctx(t), mlexp.PromoteRequest{RunID: a, By: "ana"}); err != nil {
		t.Fatal(err)
	}
	best, err := p.SelectBest(ctx(t), model, set.Runs, mlexp.BestQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if !best.Eligible || best.Run.RunID != b || best.Run.ModelURI != "gs://retail-recs/models/2" || best.Run.DatasetVersion != f.report.Dataset.Version ||
		best.RunnerUp == nil || best.RunnerUp.RunID != a || !best.RunnerUp.IsDeployed {
		t.Fatalf("best %+v, runner-up %+v", best.Run, best.RunnerUp)
	}
	if best.Deployed == nil || best.Deployed.RunID != a || best.OverDeployed == nil || best.OverDeployed.Text != "+2.0 pp" {
		t.Errorf("deployed %+v, margin %+v", best.Deployed, best.OverDeployed)
	}
	removed := map[string]int{}
	for _, g := range best.Gates {
		removed[g.Gate] = g.Removed
	}
	if removed[mlexp.GateRunType] != 1 || removed[mlexp.GateMetric] != 1 || removed[mlexp.GateModelURI] != 1 {
		t.Errorf("gates %+v", best.Gates)
	}
	none, err := p.SelectBest(ctx(t), model, set.Runs, mlexp.BestQuery{MinValue: new(0.48)})
	if err != nil || none.Eligible || none.Run != nil || none.Reason == "" {
		t.Errorf("nothing above 0.48 with a model: %+v, %v", none, err)
	}
	if _, err := p.SelectBest(ctx(t), model, set.Runs, mlexp.BestQuery{RunType: "deployed"}); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("bad run type: %v", err)
	}
}
