package insight

import (
	"cmp"
	"fmt"
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
	NoiseUnknown          = "noise_unknown"     // no config has repeated runs: noise cannot be estimated
	NoiseInsufficientData = "insufficient_data" // fewer than two configs have a value
)

// SD sources of a ConfigStats.
const (
	SDOwn    = "own"    // the config's own runs (n ≥ 2), n − 1 degrees of freedom
	SDPooled = "pooled" // a single run: the pooled within-config SD of the replicated configs
)

// ConfigStats is what the counting runs of one config say about its metric.
type ConfigStats struct {
	ConfigID   string        `json:"config_id"`
	ConfigName string        `json:"config_name"`
	N          int           `json:"n"`
	RunIDs     []string      `json:"run_ids"`
	Mean       mlexp.Number  `json:"mean"`
	SD         *mlexp.Number `json:"sd"`        // own sample SD; null for a single run
	SDUsed     *mlexp.Number `json:"sd_used"`   // the SD of the interval and test: own, else pooled; null if neither
	SDSource   string        `json:"sd_source"` // own, pooled, or "" when no SD is known
	DF         *mlexp.Number `json:"df"`        // degrees of freedom of SDUsed
	CILow      *mlexp.Number `json:"ci_low"`    // 95% interval of the mean: mean ± t(0.975, df)·SDUsed/√n
	CIHigh     *mlexp.Number `json:"ci_high"`
	Best       bool          `json:"best"`
	Tied       bool          `json:"tied_with_best"` // the test does not tell it from the best (p ≥ 0.05)
	PValue     *mlexp.Number `json:"p_value"`        // Welch's test against the best; null for the best or untestable
}

// ReplicateAdvice is how many runs per config would tell the best config from its closest
// tied rival: n = ⌈2·(z₀.₉₇₅ + z₀.₈)²·σ²/Δ²⌉ for a two-sided test at 5% with 80% power.
type ReplicateAdvice struct {
	Configs       []string     `json:"configs"`         // the best config and its closest tied rival
	Gap           mlexp.Number `json:"gap"`             // Δ, the difference of their means, metric units
	SD            mlexp.Number `json:"sd"`              // σ = √((σ₁² + σ₂²)/2) of their SDs used
	RunsPerConfig int          `json:"runs_per_config"` // n of the formula, at most MaxReplicates
	More          []int        `json:"more"`            // more runs each of Configs needs to reach it
	Capped        bool         `json:"capped"`          // n exceeds MaxReplicates: practically equivalent
}

// Noise is the noise-aware ranking of configs.
type Noise struct {
	RunType    string           `json:"run_type"`
	Configs    []ConfigStats    `json:"configs"` // best mean first
	BestConfig string           `json:"best_config,omitempty"`
	Tied       []string         `json:"tied"`       // config ids tied with the best, best excluded
	Replicated int              `json:"replicated"` // configs with two runs or more
	PooledSD   *mlexp.Number    `json:"pooled_sd"`  // √(Σ(nᵢ−1)sᵢ² / Σ(nᵢ−1)) over replicated configs
	PooledDF   int              `json:"pooled_df"`  // Σ(nᵢ−1)
	Advice     *ReplicateAdvice `json:"replicates"` // set when the best is within noise
	Verdict    string           `json:"verdict"`
	Message    string           `json:"message"`
	Method     string           `json:"method"`
}

// NoiseMethod describes the noise section's method in words.
const NoiseMethod = "Runs of one config are repeats. Each config shows n, mean, sample SD and a 95% interval mean ± t(0.975, df)·s/√n " +
	"with df = n − 1; a config with one run borrows the pooled within-config SD of the replicated configs (df = Σ(nᵢ − 1)). " +
	"A config is tied with the best when Welch's two-sided t-test of their means does not reject equality at the 5% level (p ≥ 0.05), " +
	"with Welch–Satterthwaite degrees of freedom; no correction for multiple comparisons. When the best has a tie, " +
	"n = ⌈2(z₀.₉₇₅ + z₀.₈)²σ²/Δ²⌉ runs per config would tell it from its closest rival (5% level, 80% power)."

// ConfigNoise ranks the configs of the runs of runType (all for every type) by their mean
// of metric, with a 95% interval each, marks the configs tied with the best by Welch's
// t-test at the 5% level, and advises replicates when the best is within noise.
func ConfigNoise(runs []mlexp.Run, metric, runType string) Noise {
	n := Noise{RunType: runType, Configs: []ConfigStats{}, Tied: []string{}, Method: NoiseMethod}
	groups := groupByConfig(counted(runs, metric, runType))
	pooled, df := pooledSD(groups)
	n.PooledDF, n.PooledSD = df, num(pooled)
	for _, g := range groups {
		if len(g.values) >= 2 {
			n.Replicated++
		}
	}
	est := make([]estimate, len(groups))
	for i, g := range groups {
		est[i] = newEstimate(g, pooled, n.PooledDF)
	}
	slices.SortStableFunc(est, func(a, b estimate) int {
		if better(metric, a.mean, b.mean) { // means that tie (TieTolerance) are equal
			return -1
		}
		if better(metric, b.mean, a.mean) {
			return 1
		}
		return cmp.Compare(b.n, a.n) // more runs first among equal means
	})
	for i := range est {
		c := est[i].stats()
		if i == 0 {
			c.Best = true
		} else if p := welchP(est[0], est[i]); !math.IsNaN(p) {
			c.PValue = num(p)
			c.Tied = p >= Alpha
		}
		if c.Tied {
			n.Tied = append(n.Tied, c.ConfigID)
		}
		n.Configs = append(n.Configs, c)
	}
	n.judge(metric, est)
	return n
}

// pooledSD is the pooled within-config SD of the groups with two runs or more,
// √(Σ(nᵢ−1)sᵢ² / Σ(nᵢ−1)), and its degrees of freedom Σ(nᵢ−1); NaN and 0 without any.
func pooledSD(groups []*group) (float64, int) {
	var ss float64
	df := 0
	for _, g := range groups {
		if len(g.values) >= 2 {
			_, sd := meanSD(g.values)
			ss += float64(len(g.values)-1) * sd * sd
			df += len(g.values) - 1
		}
	}
	if df == 0 {
		return math.NaN(), 0
	}
	return math.Sqrt(ss / float64(df)), df
}

// estimate is a config's mean and the variance estimate its interval and tests use.
type estimate struct {
	g        *group
	n        int
	mean, sd float64 // sd: own sample SD, NaN for one run
	used, df float64 // SD used and its degrees of freedom; NaN and 0 if none
	source   string
}

func newEstimate(g *group, pooled float64, pooledDF int) estimate {
	e := estimate{g: g, n: len(g.values), used: math.NaN()}
	e.mean, e.sd = meanSD(g.values)
	switch {
	case e.n >= 2:
		e.used, e.df, e.source = e.sd, float64(e.n-1), SDOwn
	case pooledDF > 0:
		e.used, e.df, e.source = pooled, float64(pooledDF), SDPooled
	}
	return e
}

func (e estimate) stats() ConfigStats {
	c := ConfigStats{ConfigID: e.g.id, ConfigName: e.g.name, N: e.n, RunIDs: e.g.runIDs, Mean: mlexp.Number(e.mean),
		SD: num(e.sd), SDUsed: num(e.used), SDSource: e.source}
	if c.ConfigID == "" {
		c.ConfigID = e.g.key
	}
	if e.df > 0 {
		c.DF = num(e.df)
		half := tQuantile(1-Alpha/2, e.df) * e.used / math.Sqrt(float64(e.n))
		c.CILow, c.CIHigh = num(e.mean-half), num(e.mean+half)
	}
	return c
}

// welchP is the two-sided p-value of Welch's t-test of a.mean = b.mean, each side's variance
// of the mean being used²/n with df degrees of freedom; NaN when either has no variance
// estimate. Two configs without any spread are tied only when their means are equal.
func welchP(a, b estimate) float64 {
	if a.df <= 0 || b.df <= 0 {
		return math.NaN()
	}
	va, vb := a.used*a.used/float64(a.n), b.used*b.used/float64(b.n)
	if va+vb == 0 {
		if a.mean == b.mean {
			return 1
		}
		return 0
	}
	t := (a.mean - b.mean) / math.Sqrt(va+vb)
	df := (va + vb) * (va + vb) / (va*va/a.df + vb*vb/b.df)
	return tTwoSidedP(t, df)
}

// RunsPerConfig is n = ⌈2·(z_{1−α/2} + z_{power})²·σ²/Δ²⌉, the runs per config that a
// two-sided test at level α = 0.05 needs to detect a gap Δ with 80% power when each run
// has SD σ. It returns MaxReplicates+1 for a gap of zero or n above the cap.
func RunsPerConfig(sd, gap float64) int {
	z := zQuantile(1-Alpha/2) + zQuantile(Power)
	if gap == 0 || !finite(gap) || !finite(sd) {
		return MaxReplicates + 1
	}
	n := math.Ceil(2 * z * z * sd * sd / (gap * gap))
	if n > MaxReplicates {
		return MaxReplicates + 1
	}
	return max(int(n), 2)
}

// judge sets the verdict, the message and the replicate advice.
func (n *Noise) judge(metric string, est []estimate) {
	label := mlexp.MetricLabel(metric)
	if len(est) == 0 {
		n.Verdict, n.Message = NoiseInsufficientData, "No finished run has "+label+"."
		return
	}
	best := est[0]
	n.BestConfig = n.Configs[0].ConfigID
	if len(est) == 1 {
		n.Verdict, n.Message = NoiseInsufficientData, "Only "+best.g.name+" has "+label+"; there is nothing to rank it against."
		return
	}
	before := "before a full training"
	if n.RunType != string(mlexp.QuickTestRun) {
		before = "before promoting either"
	}
	if n.Replicated == 0 {
		n.Verdict = NoiseUnknown
		n.Message = fmt.Sprintf("No config has repeated runs, so run-to-run noise is unknown: %s leads %s by %s without a margin of error. "+
			"Repeat both (at least 2 runs each) %s.", best.g.name, est[1].g.name, gapText(metric, best.mean-est[1].mean), before)
		return
	}
	if len(n.Tied) == 0 {
		n.Verdict = NoiseClearWinner
		then := "Run a Full Training of " + best.g.name + " to confirm."
		if n.RunType != string(mlexp.QuickTestRun) {
			then = best.g.name + " is the one to promote."
		}
		n.Message = fmt.Sprintf("%s leads every other config beyond noise (Welch's t-test at the 5%% level; closest: %s, %s behind, p = %s). %s",
			best.g.name, est[1].g.name, gapText(metric, best.mean-est[1].mean), pText(n.Configs[1].PValue), then)
		return
	}
	n.Verdict = NoiseWithinNoise
	ri := slices.IndexFunc(n.Configs, func(c ConfigStats) bool { return c.Tied })
	rival := est[ri]
	sd := math.Sqrt((best.used*best.used + rival.used*rival.used) / 2)
	gap := math.Abs(best.mean - rival.mean)
	a := &ReplicateAdvice{Configs: []string{n.Configs[0].ConfigID, n.Configs[ri].ConfigID}, Gap: mlexp.Number(gap), SD: mlexp.Number(sd),
		RunsPerConfig: RunsPerConfig(sd, gap)}
	if a.RunsPerConfig > MaxReplicates {
		a.Capped, a.RunsPerConfig = true, MaxReplicates
	}
	a.More = []int{max(0, a.RunsPerConfig-best.n), max(0, a.RunsPerConfig-rival.n)}
	n.Advice = a
	others := "1 other config"
	if len(n.Tied) > 1 {
		others = fmt.Sprintf("%d other configs", len(n.Tied))
	}
	msg := fmt.Sprintf("%s leads, but is within noise of %s (closest: %s, %s behind, p = %s). ", best.g.name, others, rival.g.name,
		gapText(metric, gap), pText(n.Configs[ri].PValue))
	if a.Capped {
		msg += fmt.Sprintf("Telling them apart would take more than %d runs each: treat them as equivalent and choose on cost %s.", MaxReplicates, before)
	} else {
		msg += fmt.Sprintf("Run %d more of %s and %d more of %s (%d each gives 80%% power at the 5%% level) %s.",
			a.More[0], best.g.name, a.More[1], rival.g.name, a.RunsPerConfig, before)
	}
	n.Message = msg
}

// gapText writes a difference in the metric's unit: "0.8 pp" for fractions.
func gapText(metric string, d float64) string {
	d = math.Abs(d)
	if mlexp.IsFraction(metric) {
		if d*100 < 0.1 {
			return fmt.Sprintf("%.2f pp", d*100)
		}
		return fmt.Sprintf("%.1f pp", d*100)
	}
	return fmt.Sprintf("%.3g", d)
}

func pText(p *mlexp.Number) string {
	if p == nil {
		return "n/a"
	}
	if *p < 0.001 {
		return "< 0.001"
	}
	return fmt.Sprintf("%.3f", float64(*p))
}
