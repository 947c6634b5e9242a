package mlexp_test

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

var summaryNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// summaryTestRun is a finished run of config that started ago before summaryNow and took took.
func summaryTestRun(id, config string, typ mlexp.RunType, ago, took time.Duration, recall, loss float64) mlexp.Run {
	start := summaryNow.Add(-ago)
	return mlexp.Run{ID: id, Name: config + " " + typ.Label() + " #" + id, Type: typ, ConfigID: config, ConfigName: config,
		Status: mlexp.RunFinished, Start: start, End: start.Add(took),
		Params:  mlexp.NewParams(map[string]string{"run_type": string(typ), "user_id_embedding_dim": "64", "product_id_embedding_dim": "64", "cross_features": "category_x_subcategory"}),
		Metrics: mlexp.NewMetricValues(map[string]float64{"recall_at_100": recall, "loss": loss})}
}

// spec's dashboard: a quick-test winner, the deployed full training, a failed quick test.
func summaryRuns() []mlexp.Run {
	qt := summaryTestRun("3", "config-042", mlexp.QuickTestRun, 2*time.Hour, 8*time.Minute, 0.473, 0.38)
	cost := 1.42
	qt.CostUSD = &cost
	ft := summaryTestRun("46", "config-042", mlexp.FullTrainingRun, 5*time.Hour, 3*time.Hour+42*time.Minute, 0.468, 0.28)
	ft.Deployed = true
	failed := summaryTestRun("1", "config-044", mlexp.QuickTestRun, 26*time.Hour, 0, 0, 0)
	failed.Status, failed.End, failed.Metrics = mlexp.RunFailed, time.Time{}, mlexp.NewMetricValues(map[string]float64{})
	failed.Params = failed.Params.With("user_id_embedding_dim", "256")
	failed.Failure = &mlexp.Failure{Stage: "Transform", Reason: "OOM during Transform: user:256d (too large)"}
	old := summaryTestRun("9", "config-038", mlexp.QuickTestRun, 72*time.Hour, 7*time.Minute, 0.461, 0.40)
	nan := summaryTestRun("10", "config-050", mlexp.QuickTestRun, 80*time.Hour, 7*time.Minute, math.NaN(), math.NaN())
	return []mlexp.Run{old, failed, ft, nan, qt}
}

func mustSummarize(t *testing.T, runs []mlexp.Run, metric string, recent int) *mlexp.Summary {
	t.Helper()
	s, err := mlexp.Summarize(runs, metric, summaryNow, recent)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSummarizeCountsBestAndDeployed(t *testing.T) {
	s := mustSummarize(t, summaryRuns(), "", 0)
	if s.Metric != "recall_at_100" || s.Total != 5 || s.QuickTests != 4 || s.FullTrainings != 1 || s.Failed != 1 {
		t.Errorf("counts = %+v", s)
	}
	if s.Best == nil || s.Best.RunID != "3" || s.Best.ConfigName != "config-042" || s.Best.ValueText != "47.3%" || s.Best.RunType != mlexp.QuickTestRun {
		t.Errorf("best = %+v, want the quick test at 47.3%%", s.Best)
	}
	if s.Deployed == nil || s.Deployed.RunID != "46" || s.Deployed.ValueText != "46.8%" || s.Deployed.IsBest {
		t.Errorf("deployed = %+v, want run 46 at 46.8%%, not the best", s.Deployed)
	}
}

func TestSummarizeMinimisesLossAndSkipsNaNAndFailures(t *testing.T) {
	runs := summaryRuns()
	runs[3].Metrics = runs[3].Metrics.With("loss", -1) // NaN recall, but the lowest loss
	runs[3].Status = mlexp.RunFailed
	runs[0].Metrics = runs[0].Metrics.With("loss", math.NaN())
	s := mustSummarize(t, runs, "loss", 0)
	if s.Direction != "min" || s.Best == nil || s.Best.RunID != "46" || !s.Best.IsDeployed {
		t.Errorf("best loss = %+v, want the deployed run 46 (0.28)", s.Best)
	}
	if s.Deployed == nil || !s.Deployed.IsBest {
		t.Errorf("deployed = %+v, want marked best", s.Deployed)
	}
	all := summaryRuns()
	for i := range all {
		all[i].Metrics = all[i].Metrics.With("recall_at_100", math.NaN())
	}
	if s := mustSummarize(t, all, "recall_at_100", 0); s.Best != nil {
		t.Errorf("best = %+v with every value NaN, want nil", s.Best)
	}
}

func TestSummarizeRecentRuns(t *testing.T) {
	s := mustSummarize(t, summaryRuns(), "recall_at_100", 3)
	var ids []string
	for _, r := range s.Recent {
		ids = append(ids, r.RunID)
	}
	if !slices.Equal(ids, []string{"3", "46", "1"}) {
		t.Fatalf("recent = %v, want the 3 most recent, newest first", ids)
	}
	qt, ft, failed := s.Recent[0], s.Recent[1], s.Recent[2]
	if qt.TimeAgo != "2 hours ago" || qt.Duration != "8 min" || *qt.DurationSeconds != 480 || qt.Cost != "$1.42" ||
		qt.ValueText != "47.3%" || qt.ConfigSummary != "user:64d prod:64d +1 cross" || !qt.IsBest || qt.Note != "" {
		t.Errorf("quick test card = %+v", qt)
	}
	if ft.Duration != "3h 42m" || ft.Cost != "—" || ft.CostUSD != nil || !ft.IsDeployed || ft.Note != "Promoted for deployment" {
		t.Errorf("deployed card = %+v", ft)
	}
	if failed.TimeAgo != "1 day ago" || failed.ValueText != "Failed" || failed.Value != nil || !failed.Failed ||
		failed.FailureReason != "OOM during Transform: user:256d (too large)" || failed.DurationSeconds != nil || failed.Duration != "—" {
		t.Errorf("failed card = %+v", failed)
	}
	if s := mustSummarize(t, summaryRuns(), "recall_at_100", 0); len(s.Recent) != 5 {
		t.Errorf("default recent gave %d runs, want all 5", len(s.Recent))
	}
}

func TestSummarizeEmptyExperiment(t *testing.T) {
	s := mustSummarize(t, nil, "recall_at_100", 10)
	if s.Total != 0 || s.QuickTests != 0 || s.Best != nil || s.Deployed != nil || len(s.Recent) != 0 {
		t.Errorf("empty summary = %+v", s)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"best":null`) || !strings.Contains(string(b), `"recent":[]`) {
		t.Errorf("JSON %s", b)
	}
}

func TestSummarizeNaNIsNullInJSON(t *testing.T) {
	runs := summaryRuns()
	runs[2].Metrics = runs[2].Metrics.With("recall_at_100", math.NaN()) // the deployed run
	s := mustSummarize(t, runs, "recall_at_100", 0)
	if s.Deployed == nil || s.Deployed.Value != nil || s.Deployed.ValueText != "—" {
		t.Errorf("deployed without a value = %+v", s.Deployed)
	}
	if _, err := json.Marshal(s); err != nil {
		t.Fatal(err)
	}
}

func TestSummarizeUnknownMetric(t *testing.T) {
	_, err := mlexp.Summarize(summaryRuns(), "recall_at_7", summaryNow, 0)
	var e *mlexp.Error
	if !errors.As(err, &e) || e.Code != mlexp.EINVALID || e.Field != "metric" || e.Details["valid"] == nil {
		t.Errorf("err = %v, want EINVALID on metric listing the valid ones", err)
	}
}
