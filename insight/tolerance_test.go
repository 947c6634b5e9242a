package insight

import (
	"math"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

func TestFsumIsCompensated(t *testing.T) {
	// Plain summation loses the 1s against 1e16; compensated summation keeps them.
	if got := fsum([]float64{1e16, 1, 1, -1e16}); got != 2 {
		t.Errorf("fsum = %v, want 2", got)
	}
	if got := fsum([]float64{0.1, 0.2, 0.3}); got != 0.6 {
		t.Errorf("fsum(0.1, 0.2, 0.3) = %v, want 0.6 (the plain sum is 0.6000000000000001)", got)
	}
	if got := fsum([]float64{math.Inf(1), 1}); !math.IsInf(got, 1) {
		t.Errorf("fsum with +Inf = %v", got)
	}
	m, sd := meanSD([]float64{0.47, 0.46, 0.48})
	if !near(m, 0.47, 1e-15) || !near(sd, 0.01, 1e-15) {
		t.Errorf("meanSD = %v, %v", m, sd)
	}
}

// TestTiesWithinTolerance: the mean of 0.4301, 0.4402 and 0.4203 is 0.43019999999999997 in
// floating point, even summed exactly; it ties with 0.4302.
func TestTiesWithinTolerance(t *testing.T) {
	m := meanOf([]float64{0.4301, 0.4402, 0.4203})
	if m == 0.4302 || !sameValue(m, 0.4302) || better(mlexp.MetricRecallAt100, 0.4302, m) || better(mlexp.MetricLoss, m, 0.4302) {
		t.Errorf("mean %v does not tie with 0.4302", m)
	}
	if sameValue(0.4302, 0.4303) || !better(mlexp.MetricRecallAt100, 0.4303, 0.4302) {
		t.Error("a real difference of 0.0001 ties")
	}
	got := averageRanks(snapTies([]float64{0.4302, m, 0.41, 0.45}))
	if want := []float64{2.5, 2.5, 1, 4}; !equalFloats(got, want) {
		t.Errorf("ranks %v, want %v", got, want)
	}
}

// TestMirroredMetricGivesSameCorrelations: recall and loss = 1 − recall rank configs in
// opposite orders on both sides, so ρ and τ-b are the same, ties included.
func TestMirroredMetricGivesSameCorrelations(t *testing.T) {
	quick := map[string][]float64{"A": {0.4301, 0.4402, 0.4203}, "B": {0.4302}, "C": {0.4411, 0.4390}, "D": {0.4105}, "E": {0.4500, 0.4498}}
	full := map[string][]float64{"A": {0.4512}, "B": {0.4490}, "C": {0.4490}, "D": {0.4302}, "E": {0.4603}}
	var rec, loss runs
	for _, id := range []string{"A", "B", "C", "D", "E"} {
		for _, v := range quick[id] {
			rec.add(mlexp.QuickTestRun, id, mlexp.MetricRecallAt100, v)
			loss.add(mlexp.QuickTestRun, id, mlexp.MetricLoss, 1-v)
		}
		for _, v := range full[id] {
			rec.add(mlexp.FullTrainingRun, id, mlexp.MetricRecallAt100, v)
			loss.add(mlexp.FullTrainingRun, id, mlexp.MetricLoss, 1-v)
		}
	}
	r := QuickTestFidelity(rec.list, mlexp.MetricRecallAt100)
	l := QuickTestFidelity(loss.list, mlexp.MetricLoss)
	if r.Spearman == nil || l.Spearman == nil || !near(val(r.Spearman), val(l.Spearman), 1e-12) || !near(val(r.KendallTauB), val(l.KendallTauB), 1e-12) {
		t.Errorf("recall ρ %v τ %v, loss ρ %v τ %v: a mirrored metric changes the correlations", val(r.Spearman), val(r.KendallTauB), val(l.Spearman), val(l.KendallTauB))
	}
	// Quick ranks (ascending recall) D1 A2.5 B2.5 C4 E5; full D1 B2.5 C2.5 A4 E5:
	// ρ = Pearson of the ranks, τ-b from C = 7, D = 1, one tie on each side.
	wantRho := refPearson([]float64{2.5, 2.5, 4, 1, 5}, []float64{4, 2.5, 2.5, 1, 5})
	if !near(val(r.Spearman), wantRho, 1e-12) || !near(val(r.KendallTauB), 6.0/9, 1e-12) {
		t.Errorf("ρ %v τ %v, want %v and 2/3", val(r.Spearman), val(r.KendallTauB), wantRho)
	}
	if r.QuickBest != "E" || l.QuickBest != "E" {
		t.Errorf("quick winners %s and %s", r.QuickBest, l.QuickBest)
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
