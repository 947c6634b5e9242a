package insight

import (
	"math"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

func TestQuickTestFidelityByHand(t *testing.T) {
	var rs runs
	rs.quick("A", 0.47)
	rs.quick("A", 0.45)
	rs.full("A", 0.45)
	rs.quick("B", 0.44)
	rs.full("B", 0.44)
	rs.full("B", 0.42)
	rs.quick("C", 0.43)
	rs.full("C", 0.44)
	rs.quick("D", 0.40)
	rs.full("D", 0.38)
	rs.quick("E", 0.50) // no full training: not paired
	rs.full("F", 0.50)  // no quick test: not paired
	rs.full("D", 0.99).Status = mlexp.RunFailed
	rs.quick("C", math.NaN())

	f := QuickTestFidelity(rs.list, mlexp.MetricRecallAt100)
	want := []struct {
		id          string
		quick, full float64
		qn, fn      int
	}{{"A", 0.46, 0.45, 2, 1}, {"B", 0.44, 0.43, 1, 2}, {"C", 0.43, 0.44, 1, 1}, {"D", 0.40, 0.38, 1, 1}}
	if f.N != len(want) || len(f.Pairs) != len(want) {
		t.Fatalf("%d pairs: %+v", f.N, f.Pairs)
	}
	for i, w := range want {
		p := f.Pairs[i]
		if p.ConfigID != w.id || !near(float64(p.Quick), w.quick, 1e-12) || !near(float64(p.Full), w.full, 1e-12) ||
			p.QuickN != w.qn || p.FullN != w.fn || !near(float64(p.Offset), w.full-w.quick, 1e-12) {
			t.Errorf("pair %d = %+v, want %+v", i, p, w)
		}
	}
	// Quick ranks D1 C2 B3 A4, full ranks D1 B2 C3 A4: Σd² = 2, ρ = 1 − 6·2/(4·15) = 0.8.
	// Pairs: only (B, C) is discordant of 6: τ = (5 − 1)/6.
	// Offsets −0.01, −0.01, +0.01, −0.02: mean −0.0075.
	if !near(val(f.Spearman), 0.8, 1e-12) || !near(val(f.KendallTauB), 4.0/6, 1e-12) || !near(val(f.MeanOffset), -0.0075, 1e-12) {
		t.Errorf("ρ %v τ %v offset %v", val(f.Spearman), val(f.KendallTauB), val(f.MeanOffset))
	}
	// ρ = 0.8 over 4 configs is no evidence: 4 of the 24 pairings reach ρ ≥ 0.8 (the identity
	// and the 3 adjacent swaps), so the exact two-sided p is 2·4/24 = 1/3 (scipy's
	// permutation_test agrees). The verdict was "reliable" before p-values were asked for.
	// Fisher z: atanh 0.8 ± 1.959964·√(1.32/1), through tanh.
	z, se := math.Atanh(0.8), math.Sqrt(1+0.32)
	if !near(val(f.SpearmanP), 1.0/3, 1e-12) || !f.SpearmanPExact ||
		!near(val(f.SpearmanCILow), math.Tanh(z-1.959963984540054*se), 1e-12) || !near(val(f.SpearmanCIHigh), math.Tanh(z+1.959963984540054*se), 1e-12) {
		t.Errorf("p %v (exact %v), CI %v to %v", val(f.SpearmanP), f.SpearmanPExact, val(f.SpearmanCILow), val(f.SpearmanCIHigh))
	}
	if f.Verdict != FidelityVerdictInconclusive || !f.SameWinner || f.QuickBest != "A" || f.FullBest != "A" ||
		!strings.HasPrefix(f.Message, "Too few configs to tell whether quick tests rank configs reliably (Spearman ρ = 0.80 (p = 0.333 exact, 95% CI -0.82 to 1.00), Kendall τ-b = 0.67 over 4 configs") ||
		!strings.Contains(f.Message, "lower on average") || !strings.Contains(f.Message, "even a perfect ranking needs 5") {
		t.Errorf("%s, winners %s/%s: %s", f.Verdict, f.QuickBest, f.FullBest, f.Message)
	}
	// B, C and D have a single run on one side at least; A has 2 quick tests and 1 full training.
	if f.SingleRunPairs != 4 || !f.Pairs[1].SingleRun || !strings.Contains(f.Message, "4 of the 4 pairs rest on a single run") {
		t.Errorf("single-run pairs %d: %s", f.SingleRunPairs, f.Message)
	}
}

// fidelityOf pairs quick values 1..n (as recall 0.4 + i/100) with the full values given as
// ranks, so that ρ is 1 − 6Σd²/(n(n²−1)) of the permutation.
func fidelityOf(fullRanks ...int) Fidelity {
	var rs runs
	for i, r := range fullRanks {
		id := string(rune('A' + i))
		rs.quick(id, 0.40+float64(i+1)/100)
		rs.full(id, 0.30+float64(r)/100)
	}
	return QuickTestFidelity(rs.list, mlexp.MetricRecallAt100)
}

func TestQuickTestFidelityVerdicts(t *testing.T) {
	for _, c := range []struct {
		name    string
		ranks   []int
		rho, p  float64 // p: scipy (permutation_test for n ≤ 9, else spearmanr)
		verdict string
		say     string
	}{
		// Σd² = 2 over 6: ρ = 1 − 12/210; the identity and 5 adjacent swaps reach it: p = 12/720.
		{"reliable", []int{2, 1, 3, 4, 5, 6}, 1 - 12.0/210, 1.0 / 60, FidelityVerdictReliable, "rank configs reliably here"},
		// A perfect ranking of 4 is still only p = 2/24.
		{"perfect but 4", []int{1, 2, 3, 4}, 1, 2.0 / 24, FidelityVerdictInconclusive, "Too few configs to tell"},
		// d = (2, 0, −2, 0, 0): Σd² = 8, ρ = 1 − 48/120 = 0.6, p = 0.35.
		{"moderate but 5", []int{3, 2, 1, 4, 5}, 0.6, 0.35, FidelityVerdictInconclusive, "p = 0.350 exact"},
		// 12 configs, Σd² = 110, ρ = 1 − 6·110/1716 = 0.6154: t on 10 df gives p = 0.0332.
		{"moderate", []int{2, 3, 1, 8, 6, 7, 12, 4, 11, 9, 5, 10}, 1 - 6*110.0/1716, 0.033169901090105904, FidelityVerdictModerate, "moderately reliably here"},
		// d = (3, 0, −2, −1, 0): Σd² = 14, ρ = 1 − 84/120 = 0.3.
		{"unreliable", []int{4, 2, 1, 3, 5}, 0.3, 0.6833333333333333, FidelityVerdictUnreliable, "unreliably here"},
		{"reversed", []int{3, 2, 1}, -1, 1.0 / 3, FidelityVerdictUnreliable, "do not pick a config on quick tests alone"},
		{"too few", []int{1, 2}, 1, 1, FidelityVerdictTooFew, "Only 2 configs have both"},
		{"one", []int{1}, math.NaN(), math.NaN(), FidelityVerdictTooFew, "Only 1 config has both"},
		{"none", nil, math.NaN(), math.NaN(), FidelityVerdictTooFew, "No config has both"},
		{"no spread", []int{2, 2, 2}, math.NaN(), math.NaN(), FidelityVerdictUndefined, "no ranking to compare"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := fidelityOf(c.ranks...)
			if !near(val(f.Spearman), c.rho, 1e-12) || !near(val(f.SpearmanP), c.p, 1e-9) || f.Verdict != c.verdict || !strings.Contains(f.Message, c.say) {
				t.Errorf("ρ %v p %v %s: %s", val(f.Spearman), val(f.SpearmanP), f.Verdict, f.Message)
			}
		})
	}
	// The thresholds are inclusive at their lower end; trusting quick tests needs p < 0.05.
	for _, c := range []struct {
		rho, p float64
		want   string
	}{{0.7, 0.01, FidelityVerdictReliable}, {0.6999, 0.01, FidelityVerdictModerate}, {0.4, 0.049, FidelityVerdictModerate},
		{0.3999, 0.01, FidelityVerdictUnreliable}, {0.95, 0.05, FidelityVerdictInconclusive}, {0.4, 0.2, FidelityVerdictInconclusive},
		{0.3, 0.5, FidelityVerdictUnreliable}} {
		if got, _ := fidelityVerdict(mlexp.MetricRecallAt100, 5, SpearmanTest{Rho: c.rho, P: c.p, Low: math.NaN()}, 0, 0); got != c.want {
			t.Errorf("ρ %v p %v: %s, want %s", c.rho, c.p, got, c.want)
		}
	}
	// The exact p and Fisher's interval can disagree near the edge: an interval that reaches
	// 0 is not evidence either (8 configs, ρ = 0.74, exact p = 0.046, interval -0.04 to 0.96).
	for _, c := range []struct {
		low  float64
		want string
	}{{-0.04, FidelityVerdictInconclusive}, {0.01, FidelityVerdictReliable}} {
		st := SpearmanTest{Rho: 0.74, P: 0.046, Exact: true, Low: c.low, High: 0.96}
		if got, msg := fidelityVerdict(mlexp.MetricRecallAt100, 8, st, 0, 0); got != c.want {
			t.Errorf("interval from %v: %s, want %s: %s", c.low, got, c.want, msg)
		}
	}
}

func TestQuickTestFidelityLoss(t *testing.T) {
	var rs runs
	for i, v := range []float64{0.30, 0.35, 0.40} { // A is best: lowest loss, quick and full
		id := string(rune('A' + i))
		rs.add(mlexp.QuickTestRun, id, mlexp.MetricLoss, v)
		rs.add(mlexp.FullTrainingRun, id, mlexp.MetricLoss, v-0.1)
	}
	f := QuickTestFidelity(rs.list, mlexp.MetricLoss)
	if f.QuickBest != "A" || f.FullBest != "A" || f.Pairs[0].ConfigID != "A" || !near(val(f.Spearman), 1, 1e-12) || !near(val(f.MeanOffset), -0.1, 1e-12) {
		t.Errorf("%+v", f)
	}
}
