// Package sample holds valid example reports shaped like the spec's, for tests.
package sample

import (
	"time"

	"github.com/mlexp-dev/mlexp"
)

// FeatureConfig is the spec's config-042: user 64d, product 64d, two crosses.
func FeatureConfig() mlexp.FeatureConfig {
	return mlexp.FeatureConfig{
		ID:             "config-042",
		QueryTower:     []mlexp.Feature{{Name: "user_id", EmbeddingDim: 64}, {Name: "city", EmbeddingDim: 16}},
		CandidateTower: []mlexp.Feature{{Name: "product_id", EmbeddingDim: 64}, {Name: "product_name", EmbeddingDim: 32}, {Name: "category", EmbeddingDim: 16}, {Name: "subcategory", EmbeddingDim: 16}},
		CrossFeatures:  []mlexp.CrossFeature{{Features: []string{"category", "subcategory"}, Buckets: 1000}, {Features: []string{"user_id", "city"}, Buckets: 5000}},
		Settings:       map[string]float64{"revenue_buckets": 10},
	}
}

// QuickTestReport is the spec's "config-042 Quick Test #3".
func QuickTestReport() mlexp.QuickTestReport {
	start := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	return mlexp.QuickTestReport{
		Model:         mlexp.Model{ID: "model-7", Name: "retail-recs"},
		Dataset:       mlexp.Dataset{ID: "dataset-001", Name: "Q4 2024 Training Data", Version: "3"},
		FeatureConfig: FeatureConfig(),
		QuickTest: mlexp.QuickTest{
			ID: 3, DataSamplePercent: 10, Epochs: 2, Status: mlexp.StatusCompleted, CostUSD: new(1.42),
			Metrics: mlexp.Metrics{Loss: new(0.38), RecallAt10: new(0.182), RecallAt50: new(0.385), RecallAt100: new(0.473)},
			Timing:  mlexp.Timing{StartedAt: start, FinishedAt: start.Add(8 * time.Minute)},
		},
	}
}

// TrainingRunReport is the spec's "config-042 Full Training #46" with a 20-epoch history.
func TrainingRunReport() mlexp.TrainingRunReport {
	q := QuickTestReport()
	start := time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC)
	var hist []mlexp.EpochMetrics
	for e := 1; e <= 20; e++ {
		x := float64(e) / 20
		hist = append(hist, mlexp.EpochMetrics{Epoch: e, Metrics: mlexp.Metrics{Loss: new(0.9 - 0.6*x), RecallAt10: new(0.05 + 0.12*x), RecallAt50: new(0.15 + 0.24*x), RecallAt100: new(0.2 + 0.268*x)}})
	}
	return mlexp.TrainingRunReport{
		Model: q.Model, Dataset: q.Dataset, FeatureConfig: q.FeatureConfig,
		TrainingRun: mlexp.TrainingRun{
			ID: 46, Epochs: 20, BatchSize: 8192, Status: mlexp.StatusCompleted, CostUSD: new(38.5),
			Metrics:  mlexp.Metrics{Loss: new(0.28), RecallAt10: new(0.175), RecallAt50: new(0.392), RecallAt100: new(0.468)},
			History:  hist,
			ModelURI: "gs://retail-recs/models/46",
			Timing:   mlexp.Timing{StartedAt: start, FinishedAt: start.Add(3*time.Hour + 42*time.Minute)},
		},
	}
}
