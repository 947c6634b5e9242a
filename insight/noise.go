package insight

import (
	"math"
	"slices"

	"github.com/mlexp-dev/mlexp"
)

// MaxReplicates caps the replicate advice: a gap that needs more runs than this per config
// is too small to matter, and the advice says so instead of asking for them.
const MaxReplicates = 50

// Verdicts of the noise section.
const (
	NoiseClearWinner      = "clear_winner"      // the best config beats every other beyond noise
	NoiseWithinNoise      = "within_noise"      // at least one config is tied with the best
	NoiseUnknown          = "noise_unknown"     // no config has repeated runs that differ: noise cannot be estimated
	NoiseInsufficientData = "insufficient_data" // fewer than two configs have a value
)

// SD sources of a ConfigStats.
const (
	SDOwn    = "own"    // the config's own runs: n − 1 df above SmallSample runs, else larger than the pooled SD, on its df
	SDPooled = "pooled" // the pooled within-config SD (one run, identical runs, or a smaller SD of its own at n ≤ SmallSample)
)

// PAdjustHolm is the multiple-comparison adjustment of the noise section's tests.
const PAdjustHolm = "holm"

// ConfigStats is what the counting runs of one config say about its metric.
type ConfigStats struct {
	ConfigID   string        `json:"config_id"`
	ConfigName string        `json:"config_name"`
	N          int           `json:"n"`
	RunIDs     []string      `json:"run_ids"`
	Mean       mlexp.Number  `json:"mean"`
	SD         *mlexp.Number `json:"sd"`        // own sample SD; null for a single run
	SDUsed     *mlexp.Number `json:"sd_used"`   // the SD of the interval and test (see newEstimate); null if none is known
	SDSource   string        `json:"sd_source"` // own, pooled, or "" when no SD is known
	DF         *mlexp.Number `json:"df"`        // degrees of freedom of the interval and test
	CILow      *mlexp.Number `json:"ci_low"`    // 95% interval of the mean: mean ± t(0.975, df)·SDUsed/√n
	CIHigh     *mlexp.Number `json:"ci_high"`
	Best       bool          `json:"best"`
	Tied       bool          `json:"tied_with_best"` // the test does not tell it from the best (Holm-adjusted p ≥ 0.05)
	PValue     *mlexp.Number `json:"p_value"`        // Welch's test against the best, unadjusted; null for the best or untestable
	PAdjusted  *mlexp.Number `json:"p_adjusted"`     // PValue adjusted by Holm over every config tested against the best
	// MeanShrunk is the mean shrunk towards the grand mean (empirical Bayes, see Noise);
	// null when the noise or too few configs do not allow it.
	MeanShrunk *mlexp.Number `json:"mean_shrunk"`
}

// ReplicateAdvice is how many runs per config would tell the best config from its closest
// tied rival with a two-sided t-test at 5% and 80% power (RunsPerConfig).
type ReplicateAdvice struct {
	Configs       []string     `json:"configs"`         // the best config and its closest tied rival
	Gap           mlexp.Number `json:"gap"`             // Δ, the difference of their means, metric units
	SD            mlexp.Number `json:"sd"`              // σ = √((σ₁² + σ₂²)/2) of their SDs used
	RunsPerConfig int          `json:"runs_per_config"` // n of RunsPerConfig, at most MaxReplicates
	More          []int        `json:"more"`            // more runs each of Configs needs to reach it; 0 and 0 for equal means
	Capped        bool         `json:"capped"`          // n exceeds MaxReplicates: practically equivalent
	EqualMeans    bool         `json:"equal_means"`     // Δ is 0: no number of runs separates them
}

// Noise is the noise-aware ranking of configs.
type Noise struct {
	RunType    string           `json:"run_type"`
	Configs    []ConfigStats    `json:"configs"` // best mean first
	BestConfig string           `json:"best_config,omitempty"`
	Tied       []string         `json:"tied"`       // config ids tied with the best, best excluded
	Replicated int              `json:"replicated"` // configs with two runs or more
	PooledSD   *mlexp.Number    `json:"pooled_sd"`  // √(Σ(nᵢ−1)sᵢ² / Σ(nᵢ−1)) over replicated configs whose runs differ
	PooledDF   int              `json:"pooled_df"`  // Σ(nᵢ−1)
	PAdjust    string           `json:"p_adjust"`   // the multiple-comparison adjustment: holm
	Advice     *ReplicateAdvice `json:"replicates"` // set when the best is within noise
	// GrandMean and BetweenSD are the μ and τ of the empirical-Bayes shrinkage; BestShrunk
	// is the config with the best shrunken mean (it may differ from BestConfig). Null and
	// "" without shrinkage.
	GrandMean  *mlexp.Number `json:"grand_mean"`
	BetweenSD  *mlexp.Number `json:"between_sd"`
	BestShrunk string        `json:"best_shrunk,omitempty"`
	Verdict    string        `json:"verdict"`
	Message    string        `json:"message"`
	Method     string        `json:"method"`
}

// NoiseMethod describes the noise section's method in words.
const NoiseMethod = "Runs of one config are repeats. Each config shows n, mean, sample SD and a 95% interval mean ± t(0.975, df)·s/√n. " +
	"With at most 5 runs s is the larger of the config's own SD and the pooled within-config SD (√(Σ(nᵢ − 1)sᵢ²/Σ(nᵢ − 1)) over configs whose runs differ), on the pooled df; " +
	"with more runs, its own SD on n − 1 df. Identical runs are no estimate of noise: they borrow the pooled SD, and no interval has zero width. " +
	"Every config is tested against the best by Welch's two-sided t-test (Welch–Satterthwaite df); the p-values are adjusted by Holm's method " +
	"(family-wise error 5%), and a config is tied with the best when its adjusted p ≥ 0.05. Means are shrunk towards the grand mean " +
	"(empirical Bayes, DerSimonian–Laird τ²) to show how much of the winner's lead may be luck. When the best has a tie, the runs per config that a " +
	"two-sided t-test at 5% with 80% power needs for their gap come from the noncentral t distribution (statsmodels' TTestIndPower)."

// ConfigNoise ranks the configs of the runs of runType (all for every type) by their mean
// of metric, with a 95% interval each, marks the configs tied with the best by Welch's
// t-test with Holm's adjustment at the 5% level, shrinks the means (empirical Bayes), and
// advises replicates when the best is within noise.
func ConfigNoise(runs []mlexp.Run, metric, runType string) Noise {
	n := Noise{RunType: runType, Configs: []ConfigStats{}, Tied: []string{}, PAdjust: PAdjustHolm, Method: NoiseMethod}
	groups := groupByConfig(counted(runs, metric, runType))
	est, pooled, df := estimates(groups)
	n.PooledDF, n.PooledSD = df, num(pooled)
	for _, g := range groups {
		if len(g.values) >= 2 {
			n.Replicated++
		}
	}
	rankEstimates(metric, est)
	ps := make([]float64, len(est))
	for i := range est {
		ps[i] = math.NaN() // the best is not tested against itself
		if i > 0 {
			ps[i] = welchP(est[0], est[i])
		}
	}
	adjusted := holm(ps)
	sh := shrinkMeans(est)
	for i := range est {
		c := est[i].stats()
		c.Best = i == 0
		c.PValue, c.PAdjusted = num(ps[i]), num(adjusted[i])
		c.Tied = !c.Best && c.PAdjusted != nil && float64(*c.PAdjusted) >= Alpha
		if c.Tied {
			n.Tied = append(n.Tied, c.ConfigID)
		}
		if sh.ok {
			c.MeanShrunk = num(sh.shrunk[i])
		}
		n.Configs = append(n.Configs, c)
	}
	if sh.ok {
		n.GrandMean, n.BetweenSD = num(sh.mu), num(math.Sqrt(sh.tau2))
		n.BestShrunk = n.Configs[bestIndex(metric, sh.shrunk)].ConfigID
	}
	var measured map[string][]float64 // the full trainings of each config, for a quick-test winner
	if runType == string(mlexp.QuickTestRun) {
		measured = resultsByConfig(runs, metric).full
	}
	n.judge(metric, est, measured)
	return n
}

// estimates are the estimates of groups with the pooled SD of them all, and that SD and its
// degrees of freedom.
func estimates(groups []*group) ([]estimate, float64, int) {
	pooled, df := pooledSD(groups)
	est := make([]estimate, len(groups))
	for i, g := range groups {
		est[i] = newEstimate(g, pooled, df)
	}
	return est, pooled, df
}

// rankEstimates sorts est best mean first; among means that tie, more runs first.
func rankEstimates(metric string, est []estimate) {
	slices.SortStableFunc(est, func(a, b estimate) int {
		switch {
		case better(metric, a.mean, b.mean):
			return -1
		case better(metric, b.mean, a.mean):
			return 1
		}
		return b.n - a.n
	})
}

// bestIndex is the index of the best of vs, the first among values that tie.
func bestIndex(metric string, vs []float64) int {
	best := 0
	for i, v := range vs {
		if better(metric, v, vs[best]) {
			best = i
		}
	}
	return best
}
