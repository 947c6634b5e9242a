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
	if len(effects) != 2 || effects[0].Param != "cross_features" || effects[1].Param != "dim" {
		t.Fatalf("effects %+v, want cross_features then dim (epochs is constant, config_id and run_type are ids)", effects)
	}
	// Config means: A 0.41, B 0.43, C 0.44, D 0.47, E 0.46, F 0.30.
	cross, dim := effects[0], effects[1]
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
	if effects[0].Best != "none" || effects[1].Best != "32" || !near(effects[1].Size, 0.04, 1e-12) {
		t.Errorf("loss: best levels %s, %s (size %v), want the lowest means", effects[0].Best, effects[1].Best, effects[1].Size)
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
