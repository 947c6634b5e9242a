package insight

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// noiseRuns: A 0.47 0.46 0.48; B 0.45 0.47; C 0.44 (one run); D 0.40 0.41 0.40 0.41 0.40;
// plus runs that must not count.
func noiseRuns() []mlexp.Run {
	var rs runs
	for _, v := range []float64{0.47, 0.46, 0.48} {
		rs.quick("A", v)
	}
	rs.quick("B", 0.45)
	rs.quick("B", 0.47)
	rs.quick("C", 0.44)
	for _, v := range []float64{0.40, 0.41, 0.40, 0.41, 0.40} {
		rs.quick("D", v)
	}
	rs.quick("A", 0.99).Status = mlexp.RunFailed  // failed: never counts
	rs.quick("B", 0.99).Status = mlexp.RunRunning // not finished
	rs.quick("C", math.NaN())                     // no finite value
	rs.quick("C", math.Inf(1))
	rs.full("A", 0.30) // another run type
	return rs.list
}

func TestConfigNoiseByHand(t *testing.T) {
	n := ConfigNoise(noiseRuns(), mlexp.MetricRecallAt100, string(mlexp.QuickTestRun))
	ids := make([]string, len(n.Configs))
	for i, c := range n.Configs {
		ids[i] = c.ConfigID
	}
	if !slices.Equal(ids, []string{"A", "B", "C", "D"}) {
		t.Fatalf("configs %v, want best mean first A B C D", ids)
	}
	// Pooled over A, B, D: Σ(nᵢ−1)sᵢ² = 2·0.0001 + 1·0.0002 + 4·0.00003 = 0.00052 on 7 df.
	if n.PooledDF != 7 || !near(val(n.PooledSD), math.Sqrt(0.00052/7), 1e-12) || n.Replicated != 3 {
		t.Errorf("pooled SD %v on %d df over %d configs, want √(0.00052/7) on 7 over 3", val(n.PooledSD), n.PooledDF, n.Replicated)
	}
	for _, c := range []struct {
		id         string
		n          int
		mean, sd   float64 // sd NaN for one run
		used       float64
		source     string
		t          float64 // t(0.975, df) from a printed table
		tied, best bool
		p          float64 // NaN when untested
	}{
		// Half-width t·s/√n: A 4.303·0.01/√3; B 12.706·√0.0002/√2; C 2.365·s_p/1; D 2.776·√0.00003/√5.
		// p-values: scipy.stats.ttest_ind(equal_var=False) gives 0.4920962956395093 for A vs B and
		// 0.0027005574350476534 for A vs D; for A vs C (C's variance pooled, 7 df) Welch's
		// t = 2.8918561, df = 8.6181362, and 2·scipy.stats.t.sf gives 0.018638079636554877.
		{"A", 3, 0.47, 0.01, 0.01, SDOwn, 4.303, false, true, math.NaN()},
		{"B", 2, 0.46, math.Sqrt(0.0002), math.Sqrt(0.0002), SDOwn, 12.706, true, false, 0.4920962956395093},
		{"C", 1, 0.44, math.NaN(), math.Sqrt(0.00052 / 7), SDPooled, 2.365, false, false, 0.018638079636554877},
		{"D", 5, 0.404, math.Sqrt(0.00003), math.Sqrt(0.00003), SDOwn, 2.776, false, false, 0.0027005574350476534},
	} {
		got := n.Configs[slices.IndexFunc(n.Configs, func(s ConfigStats) bool { return s.ConfigID == c.id })]
		half := c.t * c.used / math.Sqrt(float64(c.n))
		if got.N != c.n || !near(float64(got.Mean), c.mean, 1e-12) || !near(val(got.SD), c.sd, 1e-12) ||
			!near(val(got.SDUsed), c.used, 1e-12) || got.SDSource != c.source {
			t.Errorf("%s: n %d mean %v sd %v used %v (%s), want %d %v %v %v (%s)", c.id, got.N, got.Mean, val(got.SD), val(got.SDUsed), got.SDSource,
				c.n, c.mean, c.sd, c.used, c.source)
		}
		tol := 0.0005 * c.used / math.Sqrt(float64(c.n)) // the table's t is rounded to ±0.0005
		if !near(val(got.CILow), c.mean-half, tol) || !near(val(got.CIHigh), c.mean+half, tol) {
			t.Errorf("%s: CI [%v, %v], want %v ± %v", c.id, val(got.CILow), val(got.CIHigh), c.mean, half)
		}
		if got.Tied != c.tied || got.Best != c.best || !near(val(got.PValue), c.p, 1e-6) {
			t.Errorf("%s: tied %v best %v p %v, want %v %v %v", c.id, got.Tied, got.Best, val(got.PValue), c.tied, c.best, c.p)
		}
		if c.id == "A" && !slices.Equal(got.RunIDs, []string{"r01", "r02", "r03"}) {
			t.Errorf("A's runs %v: the failed run counts", got.RunIDs)
		}
	}
	if n.Verdict != NoiseWithinNoise || !slices.Equal(n.Tied, []string{"B"}) || n.BestConfig != "A" {
		t.Errorf("verdict %s, tied %v, best %s", n.Verdict, n.Tied, n.BestConfig)
	}
	// σ² = (0.01² + 0.0002)/2 = 0.00015, Δ = 0.01: n = ⌈2·2.80159²·0.00015/0.0001⌉ = ⌈23.55⌉ = 24.
	a := n.Advice
	if a == nil || a.RunsPerConfig != 24 || !slices.Equal(a.More, []int{21, 22}) || !slices.Equal(a.Configs, []string{"A", "B"}) ||
		!near(float64(a.Gap), 0.01, 1e-12) || !near(float64(a.SD), math.Sqrt(0.00015), 1e-12) || a.Capped {
		t.Fatalf("advice %+v", a)
	}
	for _, s := range []string{"A leads, but is within noise of 1 other config", "closest: B, 1.0 pp behind, p = 0.492",
		"Run 21 more of A and 22 more of B", "before a full training"} {
		if !strings.Contains(n.Message, s) {
			t.Errorf("message %q lacks %q", n.Message, s)
		}
	}
}

func TestConfigNoiseVerdicts(t *testing.T) {
	const r100 = mlexp.MetricRecallAt100
	t.Run("clear winner", func(t *testing.T) {
		var rs runs
		for _, v := range []float64{0.47, 0.471, 0.469} {
			rs.quick("A", v)
		}
		for _, v := range []float64{0.44, 0.441, 0.439} {
			rs.quick("B", v)
		}
		n := ConfigNoise(rs.list, r100, string(mlexp.QuickTestRun))
		if n.Verdict != NoiseClearWinner || n.Advice != nil || len(n.Tied) != 0 ||
			!strings.Contains(n.Message, "Run a Full Training of A to confirm") {
			t.Errorf("%s %+v: %s", n.Verdict, n.Advice, n.Message)
		}
	})
	t.Run("no replicates", func(t *testing.T) {
		var rs runs
		rs.quick("A", 0.47)
		rs.quick("B", 0.46)
		n := ConfigNoise(rs.list, r100, string(mlexp.QuickTestRun))
		if n.Verdict != NoiseUnknown || n.PooledSD != nil || n.Configs[0].CILow != nil || n.Configs[1].PValue != nil || n.Configs[1].Tied ||
			!strings.Contains(n.Message, "noise is unknown") || !strings.Contains(n.Message, "A leads B by 1.0 pp") {
			t.Errorf("%s: %+v: %s", n.Verdict, n.Configs, n.Message)
		}
	})
	t.Run("too few", func(t *testing.T) {
		var rs runs
		rs.quick("A", 0.47)
		rs.quick("A", 0.48)
		if n := ConfigNoise(rs.list, r100, string(mlexp.QuickTestRun)); n.Verdict != NoiseInsufficientData || n.BestConfig != "A" {
			t.Errorf("%s %s", n.Verdict, n.BestConfig)
		}
		if n := ConfigNoise(nil, r100, mlexp.RunTypeAll); n.Verdict != NoiseInsufficientData || len(n.Configs) != 0 {
			t.Errorf("no runs: %s", n.Verdict)
		}
	})
	t.Run("equal means without spread are tied", func(t *testing.T) {
		var rs runs
		rs.quick("A", 0.47)
		rs.quick("A", 0.47)
		rs.quick("B", 0.47)
		rs.quick("B", 0.47)
		n := ConfigNoise(rs.list, r100, string(mlexp.QuickTestRun))
		if n.Verdict != NoiseWithinNoise || !n.Configs[1].Tied || val(n.Configs[1].PValue) != 1 || !n.Advice.Capped ||
			!strings.Contains(n.Message, "treat them as equivalent") {
			t.Errorf("%s %+v: %s", n.Verdict, n.Configs, n.Message)
		}
	})
	t.Run("loss: lower is better", func(t *testing.T) {
		var rs runs
		for _, v := range []float64{0.30, 0.31, 0.29} {
			rs.add(mlexp.FullTrainingRun, "A", mlexp.MetricLoss, v)
		}
		for _, v := range []float64{0.50, 0.51, 0.49} {
			rs.add(mlexp.FullTrainingRun, "B", mlexp.MetricLoss, v)
		}
		n := ConfigNoise(rs.list, mlexp.MetricLoss, string(mlexp.FullTrainingRun))
		if n.BestConfig != "A" || n.Verdict != NoiseClearWinner || !strings.Contains(n.Message, "A is the one to promote") {
			t.Errorf("best %s, %s: %s", n.BestConfig, n.Verdict, n.Message)
		}
	})
}

// TestConfigNoiseEqualMeansPreferMoreRuns: a loss of 0.41 in one run and the mean of 0.40
// and 0.42 (0.41000000000000003 in floating point) are the same mean; the config with more
// runs ranks first.
func TestConfigNoiseEqualMeansPreferMoreRuns(t *testing.T) {
	var rs runs
	rs.add(mlexp.QuickTestRun, "one", mlexp.MetricLoss, 0.41)
	rs.add(mlexp.QuickTestRun, "two", mlexp.MetricLoss, 0.40)
	rs.add(mlexp.QuickTestRun, "two", mlexp.MetricLoss, 0.42)
	if n := ConfigNoise(rs.list, mlexp.MetricLoss, string(mlexp.QuickTestRun)); n.BestConfig != "two" {
		t.Errorf("best %q, want two: equal means, more runs", n.BestConfig)
	}
}
