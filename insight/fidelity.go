package insight

import (
	"fmt"
	"math"
	"slices"

	"github.com/mlexp-dev/mlexp"
)

// Thresholds of the fidelity verdict, on Spearman's ρ between quick and full means.
const (
	FidelityMinPairs  = 3   // fewer configs with both kinds of run give no verdict
	FidelityReliable  = 0.7 // ρ ≥ 0.7: quick tests rank configs reliably
	FidelityModerate  = 0.4 // 0.4 ≤ ρ < 0.7: moderately; below: unreliably
	fidelityPrecision = 2
)

// Verdicts of the fidelity section.
const (
	FidelityVerdictReliable   = "reliable"
	FidelityVerdictModerate   = "moderate"
	FidelityVerdictUnreliable = "unreliable"
	FidelityVerdictTooFew     = "too_few_pairs" // fewer than FidelityMinPairs configs have both
	FidelityVerdictUndefined  = "undefined"     // every quick (or every full) mean is the same: no ranking to compare
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
}

// Fidelity says how well quick tests predict full trainings on this experiment.
type Fidelity struct {
	Pairs       []FidelityPair `json:"pairs"` // best quick mean first
	N           int            `json:"n"`
	Spearman    *mlexp.Number  `json:"spearman"`      // ρ of quick and full means; null below 2 pairs or without spread
	KendallTauB *mlexp.Number  `json:"kendall_tau_b"` // τ-b of the same
	MeanOffset  *mlexp.Number  `json:"mean_offset"`   // mean of full − quick, metric units; null without pairs
	QuickBest   string         `json:"quick_best,omitempty"`
	FullBest    string         `json:"full_best,omitempty"`
	SameWinner  bool           `json:"same_winner"` // the best quick mean and the best full mean are the same config
	Verdict     string         `json:"verdict"`
	Message     string         `json:"message"`
	Method      string         `json:"method"`
}

// FidelityMethod describes the fidelity section's method in words.
var FidelityMethod = fmt.Sprintf("Configs with at least one quick test and one full training that count are paired: the mean of their quick tests "+
	"against the mean of their full trainings. Spearman's ρ is Pearson's correlation of the average ranks (ties share their mean rank); "+
	"Kendall's τ-b corrects for ties on either side; the offset is full − quick, averaged over pairs. Verdict on ρ with at least %d pairs: "+
	"ρ ≥ %.1f reliable, %.1f ≤ ρ < %.1f moderate, below %.1f unreliable.", FidelityMinPairs, FidelityReliable, FidelityModerate, FidelityReliable, FidelityModerate)

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
			Full: mlexp.Number(fm), FullN: len(fg.values), Offset: mlexp.Number(fm - qm)})
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
	offset := 0.0
	bestFull := 0
	for i, p := range f.Pairs {
		xs[i], ys[i] = float64(p.Quick), float64(p.Full)
		offset += float64(p.Offset)
		if better(metric, ys[i], ys[bestFull]) {
			bestFull = i
		}
	}
	f.MeanOffset = num(offset / float64(f.N))
	f.QuickBest, f.FullBest = f.Pairs[0].ConfigID, f.Pairs[bestFull].ConfigID
	f.SameWinner = f.QuickBest == f.FullBest
	rho, tau := Spearman(xs, ys), KendallTauB(xs, ys)
	f.Spearman, f.KendallTauB = num(rho), num(tau)
	f.Verdict, f.Message = fidelityVerdict(metric, f.N, rho, tau, offset/float64(f.N))
	return f
}

func fidelityVerdict(metric string, n int, rho, tau, offset float64) (string, string) {
	label := mlexp.MetricLabel(metric)
	if n < FidelityMinPairs {
		return FidelityVerdictTooFew, fmt.Sprintf("Only %d config%s both quick tests and full trainings with %s; at least %d are needed to judge whether quick tests rank configs reliably.",
			n, plural(n, " has", "s have"), label, FidelityMinPairs)
	}
	if math.IsNaN(rho) {
		return FidelityVerdictUndefined, fmt.Sprintf("The %d paired configs do not differ in their quick or their full %s, so there is no ranking to compare.", n, label)
	}
	stats := fmt.Sprintf("Spearman ρ = %.*f, Kendall τ-b = %.*f over %d configs; full trainings score %s on average",
		fidelityPrecision, rho, fidelityPrecision, tau, n, offsetText(metric, offset))
	switch {
	case rho >= FidelityReliable:
		return FidelityVerdictReliable, "Quick tests rank configs reliably here (" + stats + ")."
	case rho >= FidelityModerate:
		return FidelityVerdictModerate, "Quick tests rank configs moderately reliably here (" + stats + "): confirm close calls with a full training."
	}
	return FidelityVerdictUnreliable, "Quick tests rank configs unreliably here (" + stats + "): do not pick a config on quick tests alone."
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
