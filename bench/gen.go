package main

import (
	"fmt"
	"math"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// The runs of the benchmark are shaped like the demo's, with a little more of everything, so
// that each has about 20 params, 8 metrics and 8 tags: a grid of 5 user × 4 product
// embedding sizes × 3 cross-feature sets (60 heatmap cells), replicated to n quick tests.
var (
	userDims    = []int{16, 32, 64, 128, 256}
	productDims = []int{16, 32, 64, 128}
	crossSets   = [][]mlexp.CrossFeature{
		nil,
		{{Features: []string{"category", "subcategory"}, Buckets: 1000}},
		{{Features: []string{"category", "subcategory"}, Buckets: 1000}, {Features: []string{"user_id", "city"}, Buckets: 5000}},
	}
	benchAnchor = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
)

// quickTest is the i-th (from 0) quick test of model m: deterministic, and different for
// every i.
func quickTest(m mlexp.Model, i int) mlexp.QuickTestReport {
	cells := len(userDims) * len(productDims) * len(crossSets)
	c := i % cells
	u, p, x := userDims[c%len(userDims)], productDims[(c/len(userDims))%len(productDims)], crossSets[c/(len(userDims)*len(productDims))]
	// A smooth recall surface with a small per-run wobble (no randomness: reproducible).
	r100 := 0.30 + 0.03*math.Log2(float64(u*p))/4 + 0.02*float64(len(x)) + 0.004*math.Sin(float64(i))
	f := func(v float64) *float64 { v = math.Round(v*1e4) / 1e4; return &v }
	start := benchAnchor.Add(-time.Duration(i) * time.Minute)
	return mlexp.QuickTestReport{
		Model:   m,
		Dataset: mlexp.Dataset{ID: "bench-dataset", Name: "Benchmark Data (synthetic)", Version: "1"},
		FeatureConfig: mlexp.FeatureConfig{
			ID:             fmt.Sprintf("config-%03d", c+1),
			QueryTower:     []mlexp.Feature{{Name: "user_id", EmbeddingDim: u}, {Name: "city", EmbeddingDim: 16}},
			CandidateTower: []mlexp.Feature{{Name: "product_id", EmbeddingDim: p}, {Name: "product_name", EmbeddingDim: 32}, {Name: "category", EmbeddingDim: 16}, {Name: "subcategory", EmbeddingDim: 16}},
			CrossFeatures:  x,
			Settings:       map[string]float64{"revenue_buckets": 10, "learning_rate": 0.001, "dropout": 0.1, "seed": float64(i % 97)},
		},
		QuickTest: mlexp.QuickTest{
			ID: i + 1, DataSamplePercent: 10, Epochs: 2, Status: mlexp.StatusCompleted, CostUSD: f(1 + 0.001*float64(i%500)),
			Metrics: mlexp.Metrics{
				Loss: f(1.2 - r100), RecallAt10: f(0.385 * r100), RecallAt50: f(0.81 * r100), RecallAt100: f(r100),
				Extra: map[string]float64{"ndcg_at_10": *f(0.2 * r100), "mrr": *f(0.15 * r100), "auc": *f(0.5 + r100)},
			},
			Timing: mlexp.Timing{StartedAt: start, FinishedAt: start.Add(7 * time.Minute)},
		},
	}
}

// syntheticRun is the i-th quick test as MLflow's runs/search returns it, for tests of
// memory without a server: the same params, metrics and tags as the logged ones.
func syntheticRun(i int) mlflow.Run {
	q := quickTest(mlexp.Model{ID: "bench-mem", Name: "bench-mem"}, i)
	run := mlflow.Run{Info: mlflow.RunInfo{RunID: fmt.Sprintf("%032x", i+1), RunName: fmt.Sprintf("%s Quick Test #%d", q.FeatureConfig.ID, q.QuickTest.ID),
		ExperimentID: "1", Status: mlflow.StatusFinished, StartTime: q.QuickTest.StartedAt.UnixMilli(), EndTime: q.QuickTest.FinishedAt.UnixMilli(),
		LifecycleStage: "active", ArtifactURI: fmt.Sprintf("mlflow-artifacts:/1/%032x/artifacts", i+1)}}
	for _, p := range params(q) {
		run.Data.Params = append(run.Data.Params, p)
	}
	end := q.QuickTest.FinishedAt.UnixMilli()
	add := func(k string, v float64) {
		run.Data.Metrics = append(run.Data.Metrics, mlflow.Metric{Key: k, Value: mlflow.Float(v), Timestamp: end, Step: 2})
	}
	q.QuickTest.Metrics.Each(add)
	add(mlexp.MetricCostUSD, *q.QuickTest.CostUSD)
	for _, t := range [][2]string{{"mlflow.runName", run.Info.RunName}, {tracking.TagDatasetID, q.Dataset.ID}, {tracking.TagDatasetVersion, "1"},
		{tracking.TagConfigID, q.FeatureConfig.ID}, {tracking.TagIdempotencyKey, tracking.QuickTestKey(q)}, {"mlflow.user", "bench"},
		{"mlflow.source.name", "mlexp"}, {"mlflow.source.type", "LOCAL"}} {
		run.Data.Tags = append(run.Data.Tags, mlflow.Tag{Key: t[0], Value: t[1]})
	}
	return run
}

// params are the params mlexp logs for a quick test (the order does not matter here).
func params(q mlexp.QuickTestReport) []mlflow.Param {
	c := q.FeatureConfig
	ps := []mlflow.Param{{Key: "run_type", Value: "quick_test"}, {Key: "config_id", Value: c.ID}, {Key: "data_sample_percent", Value: "10"}, {Key: "epochs", Value: "2"}}
	for _, f := range append(append([]mlexp.Feature(nil), c.QueryTower...), c.CandidateTower...) {
		ps = append(ps, mlflow.Param{Key: f.Name + "_embedding_dim", Value: fmt.Sprint(f.EmbeddingDim)})
	}
	ps = append(ps, mlflow.Param{Key: "query_tower", Value: "user_id,city"}, mlflow.Param{Key: "candidate_tower", Value: "product_id,product_name,category,subcategory"})
	cross := "none"
	for i, x := range c.CrossFeatures {
		if i == 0 {
			cross = x.Name()
		} else {
			cross += "," + x.Name()
		}
		ps = append(ps, mlflow.Param{Key: x.Name() + "_buckets", Value: fmt.Sprint(x.Buckets)})
	}
	ps = append(ps, mlflow.Param{Key: "cross_features", Value: cross})
	for k, v := range c.Settings {
		ps = append(ps, mlflow.Param{Key: k, Value: fmt.Sprint(v)})
	}
	return ps
}
