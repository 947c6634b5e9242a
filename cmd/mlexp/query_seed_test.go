package main

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// queryModel is a model seeded once in the real MLflow for the query tests: three quick
// tests of different configs, a failed one, and a full training of config-038, deployed.
type queryModel struct {
	id                                string
	quick42, quick38, quick35, failed string // run ids
	full38                            string
}

var (
	seedOnce sync.Once
	seeded   queryModel
	seedErr  error
)

// seedQueryModel logs the runs of the query tests' model (once per test binary).
func seedQueryModel(t *testing.T) queryModel {
	t.Helper()
	seedOnce.Do(func() { seeded, seedErr = seedRuns(context.Background()) })
	if seedErr != nil {
		t.Fatalf("seeding MLflow: %v", seedErr)
	}
	return seeded
}

func seedRuns(ctx context.Context) (queryModel, error) {
	m := queryModel{id: fmt.Sprintf("query-model-%d", time.Now().UnixNano())}
	client, err := mlflow.NewClient(mlflowServer.URL)
	if err != nil {
		return m, err
	}
	logger := tracking.NewLogger(client, nil)
	start := time.Now().Add(-6 * time.Hour).UTC().Truncate(time.Second)
	quick := func(id int, config string, mutate func(*mlexp.FeatureConfig), r100 float64, at time.Duration) (string, error) {
		r := sample.QuickTestReport()
		r.Model = mlexp.Model{ID: m.id, Name: "Query Model"}
		r.FeatureConfig.ID = config
		if mutate != nil {
			mutate(&r.FeatureConfig)
		}
		q := &r.QuickTest
		q.ID = id
		q.Metrics.RecallAt100, q.Metrics.RecallAt50 = new(r100), new(r100-0.088)
		q.StartedAt = start.Add(at)
		q.FinishedAt = q.StartedAt.Add(8 * time.Minute)
		return logger.LogQuickTest(ctx, r)
	}
	noUserCity := func(c *mlexp.FeatureConfig) { c.CrossFeatures = c.CrossFeatures[:1] } // category × subcategory only
	if m.quick42, err = quick(3, "config-042", nil, 0.473, 0); err != nil {
		return m, err
	}
	if m.quick38, err = quick(1, "config-038", noUserCity, 0.461, time.Hour); err != nil {
		return m, err
	}
	if m.quick35, err = quick(1, "config-035", func(c *mlexp.FeatureConfig) {
		c.QueryTower[0].EmbeddingDim, c.CandidateTower[0].EmbeddingDim = 32, 32
		c.CrossFeatures = nil
	}, 0.420, 2*time.Hour); err != nil {
		return m, err
	}
	r := sample.QuickTestReport()
	r.Model = mlexp.Model{ID: m.id, Name: "Query Model"}
	r.FeatureConfig.ID = "config-044"
	r.FeatureConfig.QueryTower[0].EmbeddingDim = 256
	r.QuickTest.ID, r.QuickTest.Status, r.QuickTest.Metrics = 1, mlexp.StatusFailed, mlexp.Metrics{}
	r.QuickTest.Failure = &mlexp.Failure{Stage: "Transform", Reason: "OOM during Transform: user:256d (too large)"}
	r.QuickTest.StartedAt = start.Add(3 * time.Hour)
	r.QuickTest.FinishedAt = r.QuickTest.StartedAt.Add(3 * time.Minute)
	if m.failed, err = logger.LogQuickTest(ctx, r); err != nil {
		return m, err
	}
	f := sample.TrainingRunReport()
	f.Model = mlexp.Model{ID: m.id, Name: "Query Model"}
	f.FeatureConfig.ID = "config-038"
	noUserCity(&f.FeatureConfig)
	f.TrainingRun.ID = 45
	f.TrainingRun.Metrics.RecallAt100 = new(0.462)
	f.TrainingRun.StartedAt = start.Add(-48 * time.Hour)
	f.TrainingRun.FinishedAt = f.TrainingRun.StartedAt.Add(2*time.Hour + 58*time.Minute)
	if m.full38, err = logger.LogTrainingRun(ctx, f); err != nil {
		return m, err
	}
	if err := sample.Promote(ctx, client, m.full38); err != nil {
		return m, err
	}
	return m, nil
}
