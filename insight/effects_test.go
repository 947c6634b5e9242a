package insight

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// effectRuns: configs A–E over dim (numeric) and cross_features (categorical), with
// replicates in A and D, a run without dim, a constant param, and runs that must not count.
func effectRuns(metric string) []mlexp.Run {
	var rs runs
	add := func(config string, v float64, params ...string) {
		rs.add(mlexp.QuickTestRun, config, metric, v, append(params, "epochs", "2")...)
	}
	add("A", 0.40, "dim", "32", "cross_features", "none")
	add("A", 0.42, "dim", "32", "cross_features", "none")
	add("B", 0.43, "dim", "32", "cross_features", "a_x_b")
	add("C", 0.44, "dim", "64", "cross_features", "none")
	add("D", 0.47, "dim", "64", "cross_features", "a_x_b")
	add("D", 0.45, "dim", "64", "cross_features", "a_x_b")
	add("D", 0.49, "dim", "64", "cross_features", "a_x_b")
	add("E", 0.46, "dim", "128", "cross_features", "b_x_a") // the same cross, written the other way
	add("F", 0.30, "cross_features", "none")                // no dim
	rs.add(mlexp.QuickTestRun, "G", metric, 0.99, "dim", "256", "cross_features", "none").Status = mlexp.RunFailed
	rs.add(mlexp.FullTrainingRun, "A", metric, 0.10, "dim", "32", "cross_features", "none")
	return rs.list
}

func level(t *testing.T, e ParamEffect, value string) Level {
	t.Helper()
	for _, l := range e.Levels {
		if l.Value == value {
			return l
		}
	}
	t.Fatalf("%s has no level %q: %+v", e.Param, value, e.Levels)
	return Level{}
}

func TestEffectsByHand(t *testing.T) {
	effects := Effects(effectRuns(mlexp.MetricRecallAt100), mlexp.MetricRecallAt100)
	// cross_features has the larger range (7 pp against 4), but F's 30% spreads its "none"
	// level: ranked by ω², dim comes first (see the ANOVA below).
	if len(effects) != 2 || effects[0].Param != "dim" || effects[1].Param != "cross_features" {
		t.Fatalf("effects %+v, want dim then cross_features (epochs is constant, config_id and run_type are ids)", effects)
	}
	// Config means: A 0.41, B 0.43, C 0.44, D 0.47, E 0.46, F 0.30.
	dim, cross := effects[0], effects[1]
	for _, c := range []struct {
		e                  ParamEffect
		value              string
		n, runs            int
		mean, sd, min, max float64
	}{
		{cross, "none", 3, 4, (0.41 + 0.44 + 0.30) / 3, sdOf(0.41, 0.44, 0.30), 0.30, 0.44},
		{cross, "a_x_b", 3, 5, (0.43 + 0.47 + 0.46) / 3, sdOf(0.43, 0.47, 0.46), 0.43, 0.47},
		// Not the run mean (0.40 + 0.42 + 0.43)/3: each config weighs once.
		{dim, "32", 2, 3, 0.42, math.Sqrt(0.0002), 0.41, 0.43},
		{dim, "64", 2, 4, 0.455, math.Sqrt(0.00045), 0.44, 0.47},
		{dim, "128", 1, 1, 0.46, 0, 0.46, 0.46},
	} {
		l := level(t, c.e, c.value)
		if l.N != c.n || l.Runs != c.runs || !near(l.Mean, c.mean, 1e-12) || !near(l.SD, c.sd, 1e-12) || !near(l.Min, c.min, 1e-12) || !near(l.Max, c.max, 1e-12) {
			t.Errorf("%s=%s: %+v, want n %d runs %d mean %v sd %v [%v, %v]", c.e.Param, c.value, l, c.n, c.runs, c.mean, c.sd, c.min, c.max)
		}
	}
	if got := []string{dim.Levels[0].Value, dim.Levels[1].Value, dim.Levels[2].Value}; strings.Join(got, " ") != "32 64 128" {
		t.Errorf("dim levels in order %v, want numeric order", got)
	}
	if cross.Levels[0].Value != "none" || cross.Kind != KindCategorical || cross.Trend != nil || cross.Best != "a_x_b" ||
		!near(cross.Size, (0.43+0.47+0.46)/3-(0.41+0.44+0.30)/3, 1e-12) || cross.Missing != 0 {
		t.Errorf("cross_features: %+v", cross)
	}
	// Trend over the units (dim, config mean): ranks of dim 1.5 1.5 3.5 3.5 5, of the means 1 2 3 5 4.
	wantTrend := refPearson([]float64{1.5, 1.5, 3.5, 3.5, 5}, []float64{1, 2, 3, 5, 4})
	if dim.Kind != KindNumeric || dim.Best != "128" || !near(dim.Size, 0.04, 1e-12) || dim.Missing != 1 || !near(val(dim.Trend), wantTrend, 1e-12) {
		t.Errorf("dim: %+v, trend %v want %v", dim, val(dim.Trend), wantTrend)
	}
	// One-way ANOVA of the config means by level, by hand.
	// dim: 32 {0.41, 0.43}, 64 {0.44, 0.47}, 128 {0.46}; grand mean 0.442;
	// SSB = 2·0.022² + 2·0.013² + 0.018² = 0.00163, SSW = 2·0.01² + 2·0.015² = 0.00065 on 2 df.
	// cross: none {0.41, 0.44, 0.30}, a_x_b {0.43, 0.47, 0.46}; SSB = 6·0.035² = 0.00735,
	// SSW = 0.0326/3 + 0.0026/3 on 4 df.
	for _, c := range []struct {
		e        ParamEffect
		ssb, ssw float64
		dfB, dfW int
	}{{dim, 0.00163, 0.00065, 2, 2}, {cross, 0.00735, (0.0326 + 0.0026) / 3, 1, 4}} {
		msw := c.ssw / float64(c.dfW)
		f := c.ssb / float64(c.dfB) / msw
		if c.e.DFBetween != c.dfB || c.e.DFWithin != c.dfW || !near(val(c.e.F), f, 1e-9) || !near(val(c.e.EtaSquared), c.ssb/(c.ssb+c.ssw), 1e-9) ||
			!near(val(c.e.OmegaSquared), (c.ssb-float64(c.dfB)*msw)/(c.ssb+c.ssw+msw), 1e-9) || c.e.PValue == nil {
			t.Errorf("%s: F %v (%d, %d df) η² %v ω² %v", c.e.Param, val(c.e.F), c.e.DFBetween, c.e.DFWithin, val(c.e.EtaSquared), val(c.e.OmegaSquared))
		}
	}
}

// TestEffectsRankDoesNotFavourManyLevels: a parameter of pure noise spread over six levels
// has a larger range of level means than a real two-level effect, but a negative ω².
func TestEffectsRankDoesNotFavourManyLevels(t *testing.T) {
	var rs runs
	noise := []float64{0.004, -0.006, 0.001, 0.007, -0.002, -0.005, 0.006, -0.004, 0.003, -0.001, 0.005, -0.007}
	for i, e := range noise {
		real := 0.40 + 0.004*float64(i%2) // the real effect: 0.4 pp
		rs.quick(string(rune('A'+i)), real+e, "real", []string{"a", "b"}[i%2], "buckets", []string{"5", "10", "20", "40", "80", "160"}[i/2])
	}
	effects := EffectsOf(rs.list, mlexp.MetricRecallAt100, string(mlexp.QuickTestRun))
	if len(effects) != 2 || effects[0].Param != "real" || effects[1].Size <= effects[0].Size || val(effects[1].OmegaSquared) >= 0 {
		t.Errorf("ranked %s (range %v, ω² %v) before %s (range %v, ω² %v)", effects[0].Param, effects[0].Size, val(effects[0].OmegaSquared),
			effects[1].Param, effects[1].Size, val(effects[1].OmegaSquared))
	}
}

// TestEffectsEmptyCrossesAreNone: "" and "none" are one level, no crosses.
func TestEffectsEmptyCrossesAreNone(t *testing.T) {
	var rs runs
	rs.quick("A", 0.40, "cross_features", "")
	rs.quick("B", 0.42, "cross_features", "none")
	rs.quick("C", 0.45, "cross_features", "a_x_b")
	e := EffectsOf(rs.list, mlexp.MetricRecallAt100, string(mlexp.QuickTestRun))
	if len(e) != 1 || len(e[0].Levels) != 2 || e[0].Levels[0].Value != "none" || e[0].Levels[0].N != 2 || e[0].Missing != 0 {
		t.Errorf("%+v", e)
	}
}

func sdOf(xs ...float64) float64 {
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	ss := 0.0
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return math.Sqrt(ss / float64(len(xs)-1))
}

func TestEffectsLossAndRunType(t *testing.T) {
	effects := Effects(effectRuns(mlexp.MetricLoss), mlexp.MetricLoss)
	if effects[1].Best != "none" || effects[0].Best != "32" || !near(effects[0].Size, 0.04, 1e-12) {
		t.Errorf("loss: best levels %s, %s (size %v), want the lowest means", effects[0].Best, effects[1].Best, effects[0].Size)
	}
	// Only full trainings: one run, one level each: no effect.
	if got := EffectsOf(effectRuns(mlexp.MetricRecallAt100), mlexp.MetricRecallAt100, string(mlexp.FullTrainingRun)); len(got) != 0 {
		t.Errorf("full trainings: %+v", got)
	}
	// All run types: run_type is never a param effect, but epochs (2 vs 20) would be.
	var rs runs
	rs.quick("A", 0.40, "epochs", "2")
	rs.full("A", 0.45, "epochs", "20")
	got := EffectsOf(rs.list, mlexp.MetricRecallAt100, mlexp.RunTypeAll)
	if len(got) != 1 || got[0].Param != "epochs" || got[0].Best != "20" {
		t.Errorf("all run types: %+v", got)
	}
}

func TestEffectsJSONHasNoNaN(t *testing.T) {
	e := ParamEffect{Param: "p", Kind: KindNumeric, Levels: []Level{{Value: "1", N: 1, Mean: 0.4, SD: math.NaN(), Min: math.Inf(-1), Max: 0.4}}, Size: math.NaN()}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"sd":null`, `"min":null`, `"size":null`, `"mean":0.4`, `"best_level":""`, `"levels":[{"value":"1","n":1`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("%s lacks %s", b, s)
		}
	}
}
