package insight

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/demo"
)

// Helpers of the next, pareto and triage tests.

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// refParams writes the params a quick test of cfg logs, following tracking/naming.go
// independently of mlexp.FeatureConfig.Params.
func refParams(cfg mlexp.FeatureConfig, samplePercent float64, epochs int, runType mlexp.RunType) map[string]string {
	p := map[string]string{"run_type": string(runType), "config_id": cfg.ID,
		"data_sample_percent": strconv.FormatFloat(samplePercent, 'f', -1, 64), "epochs": strconv.Itoa(epochs)}
	var q, c, x []string
	for _, f := range cfg.QueryTower {
		q = append(q, f.Name)
		p[f.Name+"_embedding_dim"] = strconv.Itoa(f.EmbeddingDim)
	}
	for _, f := range cfg.CandidateTower {
		c = append(c, f.Name)
		p[f.Name+"_embedding_dim"] = strconv.Itoa(f.EmbeddingDim)
	}
	for _, cr := range cfg.CrossFeatures {
		name := strings.Join(cr.Features, "_x_")
		x = append(x, name)
		p[name+"_buckets"] = strconv.Itoa(cr.Buckets)
	}
	p["query_tower"], p["candidate_tower"] = strings.Join(q, ","), strings.Join(c, ",")
	p["cross_features"] = "none"
	if len(x) > 0 {
		p["cross_features"] = strings.Join(x, ",")
	}
	for k, v := range cfg.Settings {
		p[k] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return p
}

// towerConfig is a config with the demo's towers: user and product dims, crosses given as
// "a_x_b:buckets", revenue_buckets rb.
func towerConfig(id string, user, product int, rb float64, crosses ...string) mlexp.FeatureConfig {
	cfg := mlexp.FeatureConfig{ID: id,
		QueryTower:     []mlexp.Feature{{Name: "user_id", EmbeddingDim: user}, {Name: "city", EmbeddingDim: 16}},
		CandidateTower: []mlexp.Feature{{Name: "product_id", EmbeddingDim: product}, {Name: "category", EmbeddingDim: 16}},
		Settings:       map[string]float64{"revenue_buckets": rb}}
	for _, c := range crosses {
		name, b, _ := strings.Cut(c, ":")
		n, _ := strconv.Atoi(b)
		cfg.CrossFeatures = append(cfg.CrossFeatures, mlexp.CrossFeature{Features: strings.Split(name, "_x_"), Buckets: n})
	}
	return cfg
}

// configRun is a finished quick test of cfg with recall_at_100 = r100 and loss = 1 − r100.
func configRun(id string, cfg mlexp.FeatureConfig, r100 float64) mlexp.Run {
	return mlexp.Run{ID: id, Name: cfg.ID + " Quick Test", Type: mlexp.QuickTestRun, ConfigID: cfg.ID, Status: mlexp.RunFinished,
		Start: t0, End: t0.Add(8 * time.Minute), Params: mlexp.NewParams(refParams(cfg, 10, 2, mlexp.QuickTestRun)),
		Metrics: mlexp.NewMetricValues(map[string]float64{mlexp.MetricRecallAt100: r100, mlexp.MetricLoss: 1 - r100})}
}

// simpleRun is a run of config with one metric value, a cost (nil: unknown) and a duration.
func simpleRun(id string, typ mlexp.RunType, config, status string, metric string, v float64, cost *float64, d time.Duration) mlexp.Run {
	return mlexp.Run{ID: id, Type: typ, ConfigID: config, Status: status, Start: t0, End: t0.Add(d), CostUSD: cost,
		Params: mlexp.NewParams(map[string]string{"config_id": config}), Metrics: mlexp.NewMetricValues(map[string]float64{metric: v})}
}

// demoRuns are the runs of the demo experiment of seed, as the reader would read them.
func demoRuns(seed uint64) []mlexp.Run {
	set := demo.Reports(seed)
	var out []mlexp.Run
	for _, q := range set.QuickTests {
		qt := q.QuickTest
		r := mlexp.Run{ID: fmt.Sprintf("qt-%d", qt.ID), Name: fmt.Sprintf("%s Quick Test #%d", q.FeatureConfig.DisplayName(), qt.ID),
			Type: mlexp.QuickTestRun, ConfigID: q.FeatureConfig.ID, ConfigName: q.FeatureConfig.DisplayName(), Status: mlexp.RunFinished,
			Start: qt.StartedAt, End: qt.FinishedAt, CostUSD: qt.CostUSD, Failure: qt.Failure,
			Params: mlexp.NewParams(refParams(q.FeatureConfig, qt.DataSamplePercent, qt.Epochs, mlexp.QuickTestRun)), Metrics: mlexp.NewMetricValues(map[string]float64{})}
		if qt.Status == mlexp.StatusFailed {
			r.Status = mlexp.RunFailed
		}
		qt.Metrics.Each(func(k string, v float64) { r.Metrics = r.Metrics.With(k, v) })
		out = append(out, r)
	}
	for i, tr := range set.TrainingRuns {
		t := tr.TrainingRun
		p := refParams(tr.FeatureConfig, 100, t.Epochs, mlexp.FullTrainingRun)
		p["batch_size"], p["training_run_id"] = strconv.Itoa(t.BatchSize), strconv.Itoa(t.ID)
		r := mlexp.Run{ID: fmt.Sprintf("ft-%d", t.ID), Name: fmt.Sprintf("%s Full Training #%d", tr.FeatureConfig.DisplayName(), t.ID),
			Type: mlexp.FullTrainingRun, ConfigID: tr.FeatureConfig.ID, ConfigName: tr.FeatureConfig.DisplayName(), Status: mlexp.RunFinished,
			Start: t.StartedAt, End: t.FinishedAt, CostUSD: t.CostUSD, Deployed: i == set.Deployed, Params: mlexp.NewParams(p), Metrics: mlexp.NewMetricValues(map[string]float64{})}
		t.Metrics.Each(func(k string, v float64) { r.Metrics = r.Metrics.With(k, v) })
		out = append(out, r)
	}
	return out
}

func closeTo(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// numIs checks that n is set and close to want.
func numIs(t *testing.T, what string, n *mlexp.Number, want float64) {
	t.Helper()
	if n == nil || !closeTo(float64(*n), want) {
		t.Errorf("%s = %v, want %v", what, n, want)
	}
}
