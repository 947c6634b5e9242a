package insight

import (
	"encoding/json"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/demo"
)

// nextRuns: the best cell is 128/64 without crosses (c3, revenue_buckets 10); its x
// neighbour 64/64 is tested, its y neighbour 128/64 × cat×subcat is not. Marginal means of
// revenue_buckets: 10 → (0.45 + 0.30) / 2 = 0.375, 20 → (0.38 + 0.42 + 0.41) / 3 ≈ 0.403.
func nextRuns() []mlexp.Run {
	return []mlexp.Run{
		configRun("r1", towerConfig("c1", 32, 32, 20), 0.38),
		configRun("r2", towerConfig("c2", 64, 64, 20), 0.42),
		configRun("r3", towerConfig("c3", 128, 64, 10), 0.44),
		configRun("r3b", towerConfig("c3", 128, 64, 10), 0.46),
		configRun("r4", towerConfig("c4", 32, 32, 10), 0.30),
		configRun("r5", towerConfig("c5", 64, 64, 20, "category_x_subcategory:1000"), 0.41),
	}
}

func mustNext(t *testing.T, runs []mlexp.Run, q NextQuery) *Next {
	t.Helper()
	n, err := NextConfigs(runs, q)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(n)
	if err != nil || strings.Contains(string(b), "NaN") {
		t.Fatalf("json: %v %s", err, b)
	}
	return n
}

// checkSuggestion checks that s is the quick test of want (its id aside) on 10% for 2 epochs.
func checkSuggestion(t *testing.T, s Suggestion, kind string, want mlexp.FeatureConfig) {
	t.Helper()
	if s.Kind != kind || s.FeatureConfig == nil {
		t.Fatalf("suggestion %+v, want kind %s with a config", s, kind)
	}
	want.ID, want.Name = s.FeatureConfig.ID, s.FeatureConfig.Name
	if !reflect.DeepEqual(*s.FeatureConfig, want) {
		t.Errorf("config = %+v\nwant     %+v", *s.FeatureConfig, want)
	}
	if err := s.FeatureConfig.Validate("feature_config"); err != nil {
		t.Error(err)
	}
	if p := refParams(*s.FeatureConfig, 10, 2, mlexp.QuickTestRun); !maps.Equal(s.Params, p) {
		t.Errorf("params = %v\nwant     %v", s.Params, p)
	}
	if s.QuickTest != (QuickTestSettings{10, 2}) {
		t.Errorf("quick test settings = %+v", s.QuickTest)
	}
}

func TestNextConfigsByHand(t *testing.T) {
	for _, metric := range []string{mlexp.MetricRecallAt100, mlexp.MetricLoss} {
		n := mustNext(t, nextRuns(), NextQuery{Metric: metric})
		if n.Best == nil || n.Best.X != "128/64" || n.Best.Y != "none" || n.BaseRunID != "r3b" || n.BaseConfig != "c3" {
			t.Fatalf("%s: best %+v base %s", metric, n.Best, n.BaseRunID)
		}
		if len(n.Suggestions) != 2 {
			t.Fatalf("%s: %d suggestions: %+v", metric, len(n.Suggestions), n.Suggestions)
		}
		nb, ef := n.Suggestions[0], n.Suggestions[1]
		// The untested neighbour: c3 with the cross, its buckets taken from c5.
		checkSuggestion(t, nb, SuggestNeighbour, towerConfig("", 128, 64, 10, "category_x_subcategory:1000"))
		if nb.X != "128/64" || nb.Y != "category_x_subcategory" || !strings.Contains(nb.Reason, "untested neighbour") ||
			!slices.Equal(nb.Changes, []ParamChange{{"category_x_subcategory_buckets", "", "1000"}, {"cross_features", "none", "category_x_subcategory"}}) {
			t.Errorf("%s: neighbour %+v", metric, nb)
		}
		// revenue_buckets 20 (c1, c2, c5) beats c3's 10 (c3, c4) on config means; the
		// cross effect would suggest the neighbour again and is dropped.
		checkSuggestion(t, ef, SuggestEffect, towerConfig("", 128, 64, 20))
		gain, unit := ((0.38+0.42+0.41)/3-(0.45+0.30)/2)*100, "pp"
		if metric == mlexp.MetricLoss {
			gain, unit = gain/100, ""
		}
		numIs(t, metric+" expected gain", ef.ExpectedGain, gain)
		if ef.Unit != unit || !strings.HasPrefix(ef.Reason, "revenue_buckets=20 has the best marginal mean") ||
			!slices.Equal(ef.Changes, []ParamChange{{"revenue_buckets", "10", "20"}}) {
			t.Errorf("%s: effect %+v", metric, ef)
		}
		if nb.FeatureConfig.ID == ef.FeatureConfig.ID || !strings.HasPrefix(nb.FeatureConfig.ID, "c3-next-") {
			t.Errorf("ids %s and %s", nb.FeatureConfig.ID, ef.FeatureConfig.ID)
		}
	}
}

func TestNextConfigsNeverSuggestsATestedConfig(t *testing.T) {
	// A failed run in the neighbour cell makes it tested, and its config (which the cross
	// effect would suggest) too; a full training of c3 with revenue_buckets 20 makes that
	// config tested whatever its type.
	runs := nextRuns()
	failed := configRun("bad", towerConfig("c6", 128, 64, 10, "category_x_subcategory:1000"), 0)
	failed.Status, failed.Metrics = mlexp.RunFailed, mlexp.MetricValues{}
	full := configRun("full", towerConfig("c7", 128, 64, 20), 0.43)
	full.Type = mlexp.FullTrainingRun
	full.Params = full.Params.With("run_type", "full_training").With("epochs", "20").With("data_sample_percent", "100")
	n := mustNext(t, append(runs, failed, full), NextQuery{})
	for _, s := range n.Suggestions {
		if s.Y != "none" || s.FeatureConfig.Settings["revenue_buckets"] == 20 {
			t.Errorf("suggested a tested config: %+v", s)
		}
	}
	if len(n.Suggestions) == 0 && n.Note == "" {
		t.Error("no suggestions and no note")
	}
	// The limit caps the list, neighbours first.
	n = mustNext(t, nextRuns(), NextQuery{Limit: 1})
	if len(n.Suggestions) != 1 || n.Suggestions[0].Kind != SuggestNeighbour {
		t.Errorf("limit 1: %+v", n.Suggestions)
	}
}

func TestNextConfigsErrorsAndEmpty(t *testing.T) {
	if _, err := NextConfigs(nextRuns(), NextQuery{XAxis: "nope"}); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("unknown axis: %v", err)
	}
	if _, err := NextConfigs(nextRuns(), NextQuery{Limit: MaxNextLimit + 1}); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("limit: %v", err)
	}
	runs := nextRuns()
	for i := range runs {
		runs[i].Metrics = mlexp.NewMetricValues(map[string]float64{mlexp.MetricRecallAt100: math.NaN()})
	}
	n := mustNext(t, runs, NextQuery{})
	if n.Best != nil || len(n.Suggestions) != 0 || n.Note == "" {
		t.Errorf("NaN metrics: %+v", n)
	}
}

// TestNextConfigsOnTheDemo removes the runs of one tested neighbour of the demo's best
// cell: that cell must come back as a suggestion whose config is the removed one's.
func TestNextConfigsOnTheDemo(t *testing.T) {
	runs := demoRuns(demo.DefaultSeed)
	first := mustNext(t, runs, NextQuery{})
	if first.Best == nil {
		t.Fatal("no best cell")
	}
	for _, s := range first.Suggestions { // the demo's grid around its best cell is complete
		if s.Kind == SuggestNeighbour {
			t.Errorf("neighbour suggested in a complete grid: %+v", s)
		}
	}
	q := first.Query
	h := mlexp.BuildHeatmap(runs, q.heatmapQuery())
	xi := slices.Index(h.XAxis.Values, h.Best.X)
	x := h.XAxis.Values[xi-1] // the best demo cell is never the smallest model
	// Every run of the cell's config goes, its full trainings too: a config that had a full
	// training is tested.
	cell := h.Cell(x, h.Best.Y).RunIDs
	id := runs[slices.IndexFunc(runs, func(r mlexp.Run) bool { return r.ID == cell[0] })].ConfigID
	var cfg mlexp.FeatureConfig
	for _, rep := range demo.Reports(demo.DefaultSeed).QuickTests {
		if rep.FeatureConfig.ID == id {
			cfg = rep.FeatureConfig
		}
	}
	kept := slices.DeleteFunc(slices.Clone(runs), func(r mlexp.Run) bool { return r.ConfigID == id })
	if len(runs)-len(kept) < len(cell) {
		t.Fatalf("removed %d runs of %s, want at least the %d of the cell", len(runs)-len(kept), id, len(cell))
	}
	n := mustNext(t, kept, NextQuery{})
	if n.Best.X != h.Best.X || n.Best.Y != h.Best.Y {
		t.Fatalf("best moved from %s/%s to %s/%s", h.Best.X, h.Best.Y, n.Best.X, n.Best.Y)
	}
	i := slices.IndexFunc(n.Suggestions, func(s Suggestion) bool { return s.Kind == SuggestNeighbour && s.X == x && s.Y == h.Best.Y })
	if i < 0 {
		t.Fatalf("removed cell %s × %s not suggested: %+v", x, h.Best.Y, n.Suggestions)
	}
	s := n.Suggestions[i]
	checkSuggestion(t, s, SuggestNeighbour, cfg)
	for _, s := range n.Suggestions {
		if s.FeatureConfig != nil && s.FeatureConfig.QueryTower[0].EmbeddingDim == 256 {
			t.Errorf("suggested the failed 256-d user embedding: %+v", s)
		}
	}
}
