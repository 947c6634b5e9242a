package insight

import (
	"fmt"
	"math"
	"slices"

	"github.com/mlexp-dev/mlexp"
)

// Thresholds of the fidelity verdict, on Spearman's ρ between quick and full means and the
// p-value and interval of its test (SpearmanTestOf). A verdict that trusts quick tests
// (reliable, moderate) needs evidence as well: p < Alpha and, when there is an interval, its
// lower bound above 0. With the exact test even a perfect ranking needs 5 configs for that
// (p = 2/5! ≈ 0.017; with 4, p = 2/4! ≈ 0.083).
const (
	FidelityMinPairs  = 3   // fewer configs with both kinds of run give no verdict
	FidelityReliable  = 0.7 // ρ ≥ 0.7 and p < 0.05: quick tests rank configs reliably
	FidelityModerate  = 0.4 // 0.4 ≤ ρ < 0.7 and p < 0.05: moderately; ρ < 0.4: unreliably
	fidelityPrecision = 2
)

// Verdicts of the fidelity section.
const (
	FidelityVerdictReliable   = "reliable"
	FidelityVerdictModerate   = "moderate"
	FidelityVerdictUnreliable = "unreliable"
	// FidelityVerdictInconclusive: ρ ≥ 0.4 but p ≥ 0.05, too few configs to tell.
	FidelityVerdictInconclusive = "inconclusive"
	FidelityVerdictTooFew       = "too_few_pairs" // fewer than FidelityMinPairs configs have both
	FidelityVerdictUndefined    = "undefined"     // every quick (or every full) mean is the same: no ranking to compare
)

// FidelityPair is one config with both quick tests and full trainings that count: the mean
// of each kind of run.
type FidelityPair struct {
	ConfigID   string       `json:"config_id"`
	ConfigName string       `json:"config_name"`
	Quick      mlexp.Number `json:"quick"` // mean of its quick tests
	QuickN     int          `json:"quick_n"`
	Full       mlexp.Number `json:"full"` // mean of its full trainings
	FullN      int          `json:"full_n"`
	Offset     mlexp.Number `json:"offset"` // full − quick
	// SingleRun marks a pair whose quick or full mean comes from a single run: its rank
	// carries that one run's noise.
	SingleRun bool `json:"single_run"`
}

// Fidelity says how well quick tests predict full trainings on this experiment.
type Fidelity struct {
	Pairs       []FidelityPair `json:"pairs"` // best quick mean first
	N           int            `json:"n"`
	Spearman    *mlexp.Number  `json:"spearman"`      // ρ of quick and full means; null below 2 pairs or without spread
	KendallTauB *mlexp.Number  `json:"kendall_tau_b"` // τ-b of the same
	// SpearmanP is the two-sided p-value of ρ = 0: exact (all pairings) for at most
	// SpearmanExactMax pairs (SpearmanPExact), else the t approximation; null with ρ.
	SpearmanP      *mlexp.Number `json:"spearman_p_value"`
	SpearmanPExact bool          `json:"spearman_p_exact"`
	// SpearmanCILow and SpearmanCIHigh are the 95% Fisher z interval of ρ (Bonett–Wright
	// variance); null below 4 pairs and at |ρ| = 1.
	SpearmanCILow  *mlexp.Number `json:"spearman_ci_low"`
	SpearmanCIHigh *mlexp.Number `json:"spearman_ci_high"`
	SingleRunPairs int           `json:"single_run_pairs"` // pairs with a single run on either side
	MeanOffset     *mlexp.Number `json:"mean_offset"`      // mean of full − quick, metric units; null without pairs
	QuickBest      string        `json:"quick_best,omitempty"`
	FullBest       string        `json:"full_best,omitempty"`
	SameWinner     bool          `json:"same_winner"` // the best quick mean and the best full mean are the same config
	Verdict        string        `json:"verdict"`
	Message        string        `json:"message"`
	Method         string        `json:"method"`
}

// FidelityMethod describes the fidelity section's method in words.
var FidelityMethod = fmt.Sprintf("Configs with at least one quick test and one full training that count are paired: the mean of their quick tests "+
	"against the mean of their full trainings. Spearman's ρ is Pearson's correlation of the average ranks (values within 1e-9 relative tie and share their mean rank); "+
	"Kendall's τ-b corrects for ties on either side; the offset is full − quick, averaged over pairs. "+
	"The p-value of ρ = 0 is two-sided: exact over all pairings up to %d pairs (scipy.stats.permutation_test), else Student's t on n − 2 df (scipy.stats.spearmanr); "+
	"the 95%% interval is Fisher's z with the Bonett–Wright variance (1 + ρ²/2)/(n − 3). Verdict with at least %d pairs: "+
	"ρ ≥ %.1f reliable and %.1f ≤ ρ < %.1f moderate, both only with p < 0.05 and an interval above 0; ρ ≥ %.1f without that evidence inconclusive (too few configs to tell); ρ < %.1f unreliable.",
	SpearmanExactMax, FidelityMinPairs, FidelityReliable, FidelityModerate, FidelityReliable, FidelityModerate, FidelityModerate)

// QuickTestFidelity pairs, per config, the mean of metric over its quick tests with the mean
// over its full trainings, and measures how well the first ranks configs as the second does.
func QuickTestFidelity(runs []mlexp.Run, metric string) Fidelity {
	f := Fidelity{Pairs: []FidelityPair{}, Method: FidelityMethod}
	quick := groupByConfig(counted(runs, metric, string(mlexp.QuickTestRun)))
	full := map[string]*group{}
	for _, g := range groupByConfig(counted(runs, metric, string(mlexp.FullTrainingRun))) {
		full[g.key] = g
	}
	for _, q := range quick {
		fg := full[q.key]
		if fg == nil || q.id == "" { // a run without a config pairs with nothing
			continue
		}
		qm, _ := meanSD(q.values)
		fm, _ := meanSD(fg.values)
		f.Pairs = append(f.Pairs, FidelityPair{ConfigID: q.id, ConfigName: q.name, Quick: mlexp.Number(qm), QuickN: len(q.values),
			Full: mlexp.Number(fm), FullN: len(fg.values), Offset: mlexp.Number(fm - qm), SingleRun: len(q.values) == 1 || len(fg.values) == 1})
	}
	slices.SortStableFunc(f.Pairs, func(a, b FidelityPair) int {
		if better(metric, float64(a.Quick), float64(b.Quick)) {
			return -1
		}
		if better(metric, float64(b.Quick), float64(a.Quick)) {
			return 1
		}
		return mlexp.NaturalCompare(a.ConfigID, b.ConfigID)
	})
	f.N = len(f.Pairs)
	if f.N == 0 {
		f.Verdict = FidelityVerdictTooFew
		f.Message = "No config has both a quick test and a full training with " + mlexp.MetricLabel(metric) + ", so the fidelity of quick tests cannot be measured here."
		return f
	}
	xs, ys := make([]float64, f.N), make([]float64, f.N)
	bestFull := 0
	offsets := make([]float64, f.N)
	for i, p := range f.Pairs {
		xs[i], ys[i], offsets[i] = float64(p.Quick), float64(p.Full), float64(p.Offset)
		if p.SingleRun {
			f.SingleRunPairs++
		}
		if better(metric, ys[i], ys[bestFull]) {
			bestFull = i
		}
	}
	offset := meanOf(offsets)
	f.MeanOffset = num(offset)
	f.QuickBest, f.FullBest = f.Pairs[0].ConfigID, f.Pairs[bestFull].ConfigID
	f.SameWinner = f.QuickBest == f.FullBest
	st, tau := SpearmanTestOf(xs, ys), KendallTauB(xs, ys)
	f.Spearman, f.KendallTauB = num(st.Rho), num(tau)
	f.SpearmanP, f.SpearmanPExact = num(st.P), st.Exact && !math.IsNaN(st.P)
	f.SpearmanCILow, f.SpearmanCIHigh = num(st.Low), num(st.High)
	f.Verdict, f.Message = fidelityVerdict(metric, f.N, st, tau, offset)
	if f.SingleRunPairs > 0 && f.N >= FidelityMinPairs {
		f.Message += fmt.Sprintf(" %d of the %d pairs rest%s on a single run (quick or full): %s that run's noise.",
			f.SingleRunPairs, f.N, plural(f.SingleRunPairs, "s", ""), plural(f.SingleRunPairs, "its rank carries", "their ranks carry"))
	}
	return f
}

func fidelityVerdict(metric string, n int, st SpearmanTest, tau, offset float64) (string, string) {
	label := mlexp.MetricLabel(metric)
	if n < FidelityMinPairs {
		return FidelityVerdictTooFew, fmt.Sprintf("Only %d config%s both quick tests and full trainings with %s; at least %d are needed to judge whether quick tests rank configs reliably.",
			n, plural(n, " has", "s have"), label, FidelityMinPairs)
	}
	rho := st.Rho
	if math.IsNaN(rho) {
		return FidelityVerdictUndefined, fmt.Sprintf("The %d paired configs do not differ in their quick or their full %s, so there is no ranking to compare.", n, label)
	}
	stats := fmt.Sprintf("Spearman ρ = %.*f (p = %s, %s), Kendall τ-b = %.*f over %d configs; full trainings score %s on average",
		fidelityPrecision, rho, pValueText(st), ciText(n, st), fidelityPrecision, tau, n, offsetText(metric, offset))
	// Evidence that quick tests rank configs: p < 0.05 and, when there is an interval, its
	// lower bound above 0 (the exact test and Fisher's z can disagree near the edge).
	significant := st.P < Alpha && (math.IsNaN(st.Low) || st.Low > 0)
	switch {
	case rho >= FidelityReliable && significant:
		return FidelityVerdictReliable, "Quick tests rank configs reliably here (" + stats + ")."
	case rho >= FidelityModerate && significant:
		return FidelityVerdictModerate, "Quick tests rank configs moderately reliably here (" + stats + "): confirm close calls with a full training."
	case rho >= FidelityModerate:
		return FidelityVerdictInconclusive, "Too few configs to tell whether quick tests rank configs reliably (" + stats +
			"): a ranking this close arises by chance too often (p ≥ 0.05, or an interval that reaches 0). Full-train more configs before trusting quick tests" + fewText(n) + "."
	}
	return FidelityVerdictUnreliable, "Quick tests rank configs unreliably here (" + stats + "): do not pick a config on quick tests alone."
}

// fewText is why a small n cannot convince: below 5 pairs not even a perfect ranking is
// significant.
func fewText(n int) string {
	if n < 5 {
		return "; even a perfect ranking needs 5 to be told from chance"
	}
	return ""
}

// pValueText writes the p-value of ρ and how it was computed: "0.083 exact".
func pValueText(st SpearmanTest) string {
	p := num(st.P)
	if st.Exact {
		return pText(p) + " exact"
	}
	return pText(p)
}

// ciText writes the 95% interval of ρ: "95% CI 0.12 to 0.97", or why there is none.
func ciText(n int, st SpearmanTest) string {
	switch {
	case n < 4:
		return "no 95% CI below 4 configs"
	case math.IsNaN(st.Low):
		return "no 95% CI at |ρ| = 1"
	}
	return fmt.Sprintf("95%% CI %.*f to %.*f", fidelityPrecision, st.Low, fidelityPrecision, st.High)
}

// offsetText writes a signed offset: "0.4 pp lower", "0.02 higher".
func offsetText(metric string, d float64) string {
	dir := "higher"
	if d < 0 {
		dir = "lower"
	}
	if d == 0 {
		return "the same"
	}
	return gapText(metric, d) + " " + dir
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
