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
	pooled := math.Sqrt(0.00052 / 7)
	if n.PooledDF != 7 || !near(val(n.PooledSD), pooled, 1e-12) || n.Replicated != 3 || n.PAdjust != PAdjustHolm {
		t.Errorf("pooled SD %v on %d df over %d configs, want √(0.00052/7) on 7 over 3", val(n.PooledSD), n.PooledDF, n.Replicated)
	}
	for _, c := range []struct {
		id         string
		n          int
		mean, sd   float64 // sd NaN for one run
		used       float64
		source     string
		tied, best bool
		p, adj     float64 // NaN when untested
	}{
		// Every config has at most 5 runs: the SD used is the larger of its own and the pooled
		// 0.0086, on the pooled 7 df (t₀.₉₇₅ = 2.365). A's 0.01 and B's 0.0141 are larger than
		// the pooled SD; C has one run and D's 0.0055 is smaller: they use the pooled SD.
		// p: Welch's test on those SDs and df (scipy.stats.t.sf: A vs B t = 0.866 on 11.2 df,
		// A vs C t = 2.892 on 12.23 df, A vs D t = 9.507 on 12.21 df); Holm multiplies the
		// smallest by 3, the next by 2 (statsmodels' multipletests).
		{"A", 3, 0.47, 0.01, 0.01, SDOwn, false, true, math.NaN(), math.NaN()},
		{"B", 2, 0.46, math.Sqrt(0.0002), math.Sqrt(0.0002), SDOwn, true, false, 0.40464637674564885, 0.40464637674564885},
		{"C", 1, 0.44, math.NaN(), pooled, SDPooled, false, false, 0.013301400458840007, 0.026602800917680015},
		{"D", 5, 0.404, math.Sqrt(0.00003), pooled, SDPooled, false, false, 5.378669286316147e-07, 1.6136007858948442e-06},
	} {
		got := n.Configs[slices.IndexFunc(n.Configs, func(s ConfigStats) bool { return s.ConfigID == c.id })]
		half := 2.364624251592784 * c.used / math.Sqrt(float64(c.n)) // scipy.stats.t.ppf(0.975, 7)
		if got.N != c.n || !near(float64(got.Mean), c.mean, 1e-12) || !near(val(got.SD), c.sd, 1e-12) ||
			!near(val(got.SDUsed), c.used, 1e-12) || got.SDSource != c.source || val(got.DF) != 7 {
			t.Errorf("%s: n %d mean %v sd %v used %v (%s, %v df), want %d %v %v %v (%s, 7 df)", c.id, got.N, got.Mean, val(got.SD), val(got.SDUsed),
				got.SDSource, val(got.DF), c.n, c.mean, c.sd, c.used, c.source)
		}
		if !near(val(got.CILow), c.mean-half, 1e-12) || !near(val(got.CIHigh), c.mean+half, 1e-12) {
			t.Errorf("%s: CI [%v, %v], want %v ± %v", c.id, val(got.CILow), val(got.CIHigh), c.mean, half)
		}
		if got.Tied != c.tied || got.Best != c.best || !near(val(got.PValue), c.p, 1e-9) || !near(val(got.PAdjusted), c.adj, 1e-9) {
			t.Errorf("%s: tied %v best %v p %v adjusted %v, want %v %v %v %v", c.id, got.Tied, got.Best, val(got.PValue), val(got.PAdjusted),
				c.tied, c.best, c.p, c.adj)
		}
		if c.id == "A" && !slices.Equal(got.RunIDs, []string{"r01", "r02", "r03"}) {
			t.Errorf("A's runs %v: the failed run counts", got.RunIDs)
		}
		if got.MeanShrunk == nil || (c.best && !(float64(*got.MeanShrunk) < c.mean)) {
			t.Errorf("%s: shrunken mean %v: the best must move down towards the grand mean", c.id, val(got.MeanShrunk))
		}
	}
	if n.Verdict != NoiseWithinNoise || !slices.Equal(n.Tied, []string{"B"}) || n.BestConfig != "A" || n.BestShrunk != "A" || n.GrandMean == nil {
		t.Errorf("verdict %s, tied %v, best %s, shrunk best %s", n.Verdict, n.Tied, n.BestConfig, n.BestShrunk)
	}
	// σ² = (0.01² + 0.0002)/2 = 0.00015, Δ = 0.01: statsmodels' TTestIndPower().solve_power(
	// 0.01/√0.00015, alpha=0.05, power=0.8) = 24.545 → 25 runs each (the normal
	// approximation, ⌈2·2.80159²·0.00015/0.0001⌉ = 24, under-powers by one).
	a := n.Advice
	if a == nil || a.RunsPerConfig != 25 || !slices.Equal(a.More, []int{22, 23}) || !slices.Equal(a.Configs, []string{"A", "B"}) ||
		!near(float64(a.Gap), 0.01, 1e-12) || !near(float64(a.SD), math.Sqrt(0.00015), 1e-12) || a.Capped || a.EqualMeans {
		t.Fatalf("advice %+v", a)
	}
	for _, s := range []string{"A leads, but is within noise of 1 other config", "closest: B, 1.0 pp behind, p = 0.405, Holm-adjusted 0.405",
		"Run 22 more of A and 23 more of B", "before a full training", "Shrunk towards the grand mean (empirical Bayes), A is expected at"} {
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

// TestConfigNoiseIdenticalRunsAndEqualMeans: identical replicates are no estimate of noise,
// and equal means are never separated by more runs.
func TestConfigNoiseIdenticalRunsAndEqualMeans(t *testing.T) {
	const r100 = mlexp.MetricRecallAt100
	t.Run("identical replicates say nothing of noise", func(t *testing.T) {
		var rs runs
		rs.quick("A", 0.47)
		rs.quick("A", 0.47)
		rs.quick("B", 0.46)
		rs.quick("B", 0.46)
		n := ConfigNoise(rs.list, r100, string(mlexp.QuickTestRun))
		if n.Verdict != NoiseUnknown || n.PooledSD != nil || n.Configs[0].CILow != nil || n.Configs[1].Tied ||
			!strings.Contains(n.Message, "The repeated runs of every config are identical") {
			t.Errorf("%s %+v: %s", n.Verdict, n.Configs, n.Message)
		}
	})
	t.Run("identical replicates borrow the pooled SD", func(t *testing.T) {
		var rs runs
		for range 6 {
			rs.quick("A", 0.47) // six identical runs: more than SmallSample, but no spread
		}
		rs.quick("B", 0.46)
		rs.quick("B", 0.48)
		rs.quick("C", 0.45)
		rs.quick("C", 0.47)
		n := ConfigNoise(rs.list, r100, string(mlexp.QuickTestRun))
		if n.PooledDF != 2 || !near(val(n.PooledSD), math.Sqrt(0.0002), 1e-12) {
			t.Errorf("pooled SD %v on %d df: A's identical runs count", val(n.PooledSD), n.PooledDF)
		}
		for _, c := range n.Configs {
			if c.CILow == nil || *c.CILow == *c.CIHigh || c.SDSource != SDPooled {
				t.Errorf("%s (n %d, sd %v): interval [%v, %v] from %q, want the pooled SD's", c.ConfigID, c.N, val(c.SD), val(c.CILow), val(c.CIHigh), c.SDSource)
			}
		}
	})
	t.Run("equal means: no number of runs separates them", func(t *testing.T) {
		var rs runs
		for _, v := range []float64{0.46, 0.48} { // mean 0.47
			rs.quick("A", v)
		}
		for _, v := range []float64{0.4301, 0.4402, 0.4203} { // mean 0.43019999999999997
			rs.quick("B", v+0.04)
		}
		rs.quick("C", 0.4702)
		n := ConfigNoise(rs.list, r100, string(mlexp.QuickTestRun))
		if n.BestConfig != "B" { // the means tie: more runs first
			t.Errorf("best %s, want B", n.BestConfig)
		}
		a := n.Advice
		if n.Verdict != NoiseWithinNoise || a == nil || !a.EqualMeans || !slices.Equal(a.More, []int{0, 0}) || a.Gap != 0 ||
			!strings.Contains(n.Message, "Their means are equal: no number of runs separates them") || strings.Contains(n.Message, "more of") {
			t.Errorf("%s %+v: %s", n.Verdict, a, n.Message)
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
