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
	if f.Verdict != FidelityVerdictReliable || !f.SameWinner || f.QuickBest != "A" || f.FullBest != "A" ||
		!strings.HasPrefix(f.Message, "Quick tests rank configs reliably here (Spearman ρ = 0.80, Kendall τ-b = 0.67 over 4 configs") ||
		!strings.Contains(f.Message, "lower on average") {
		t.Errorf("%s, winners %s/%s: %s", f.Verdict, f.QuickBest, f.FullBest, f.Message)
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
		rho     float64
		verdict string
		say     string
	}{
		// d = (2, 0, −2, 0, 0): Σd² = 8, ρ = 1 − 48/120 = 0.6.
		{"moderate", []int{3, 2, 1, 4, 5}, 0.6, FidelityVerdictModerate, "moderately reliably here"},
		// d = (3, 0, −2, −1, 0): Σd² = 14, ρ = 1 − 84/120 = 0.3.
		{"unreliable", []int{4, 2, 1, 3, 5}, 0.3, FidelityVerdictUnreliable, "unreliably here"},
		{"reversed", []int{3, 2, 1}, -1, FidelityVerdictUnreliable, "do not pick a config on quick tests alone"},
		{"too few", []int{1, 2}, 1, FidelityVerdictTooFew, "Only 2 configs have both"},
		{"one", []int{1}, math.NaN(), FidelityVerdictTooFew, "Only 1 config has both"},
		{"none", nil, math.NaN(), FidelityVerdictTooFew, "No config has both"},
		{"no spread", []int{2, 2, 2}, math.NaN(), FidelityVerdictUndefined, "no ranking to compare"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := fidelityOf(c.ranks...)
			if !near(val(f.Spearman), c.rho, 1e-12) || f.Verdict != c.verdict || !strings.Contains(f.Message, c.say) {
				t.Errorf("ρ %v %s: %s", val(f.Spearman), f.Verdict, f.Message)
			}
		})
	}
	// The thresholds are inclusive at their lower end.
	for _, c := range []struct {
		rho  float64
		want string
	}{{0.7, FidelityVerdictReliable}, {0.6999, FidelityVerdictModerate}, {0.4, FidelityVerdictModerate}, {0.3999, FidelityVerdictUnreliable}} {
		if got, _ := fidelityVerdict(mlexp.MetricRecallAt100, 3, c.rho, 0, 0); got != c.want {
			t.Errorf("ρ %v: %s, want %s", c.rho, got, c.want)
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
