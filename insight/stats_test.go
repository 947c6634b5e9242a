package insight

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol
}

// refRanks ranks by counting, not by sorting: rank = 1 + #smaller + (#equal − 1)/2.
func refRanks(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		smaller, equal := 0, 0
		for _, y := range xs {
			if y < x {
				smaller++
			} else if y == x {
				equal++
			}
		}
		out[i] = 1 + float64(smaller) + float64(equal-1)/2
	}
	return out
}

// refPearson is the textbook formula Σdx·dy / √(Σdx²·Σdy²).
func refPearson(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

// refTauB is τ-b from the sign products over all ordered pairs: Σ sign(xi−xj)·sign(yi−yj)
// divided by √(Σ sign(xi−xj)² · Σ sign(yi−yj)²).
func refTauB(x, y []float64) float64 {
	sign := func(v float64) float64 {
		switch {
		case v > 0:
			return 1
		case v < 0:
			return -1
		}
		return 0
	}
	var num, dx, dy float64
	for i := range x {
		for j := range x {
			a, b := sign(x[i]-x[j]), sign(y[i]-y[j])
			num += a * b
			dx += a * a
			dy += b * b
		}
	}
	return num / math.Sqrt(dx*dy)
}

func TestRankCorrelationsByHand(t *testing.T) {
	for _, c := range []struct {
		name      string
		x, y      []float64
		rho, tauB float64
	}{
		// Ranks of x: 1, 2.5, 2.5, 4, 5; of y: 1, 4, 2.5, 2.5, 5. Deviations from 3 give
		// Σdx·dy = 7.25 and Σdx² = Σdy² = 9.5: ρ = 7.25/9.5. Pairs: C = 7, D = 1, one tie in
		// x (2,2) and one in y (2,2), n₀ = 10: τ-b = 6/√(9·9) = 2/3. scipy.stats agrees
		// (spearmanr 0.7631578947368421, kendalltau 0.6666666666666666).
		{"ties on both sides", []float64{1, 2, 2, 3, 4}, []float64{1, 3, 2, 2, 5}, 7.25 / 9.5, 2.0 / 3},
		// No ties: ρ = 1 − 6Σd²/(n(n²−1)) with ranks (1,2,4,3) vs (1,2,3,4): Σd² = 2, ρ = 0.8;
		// C = 5, D = 1: τ = 4/6.
		{"no ties", []float64{0.41, 0.43, 0.45, 0.44}, []float64{0.40, 0.425, 0.44, 0.445}, 1 - 6*2.0/(4*15), 4.0 / 6},
		{"reversed", []float64{1, 2, 3}, []float64{3, 2, 1}, -1, -1},
		{"constant side", []float64{1, 1, 1}, []float64{1, 2, 3}, math.NaN(), math.NaN()},
		{"one pair", []float64{1}, []float64{2}, math.NaN(), math.NaN()},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Spearman(c.x, c.y); !near(got, c.rho, 1e-12) {
				t.Errorf("Spearman = %v, want %v", got, c.rho)
			}
			if got := KendallTauB(c.x, c.y); !near(got, c.tauB, 1e-12) {
				t.Errorf("KendallTauB = %v, want %v", got, c.tauB)
			}
		})
	}
}

// TestRankCorrelationsAgainstReference checks both against the naive references above on
// random inputs with many ties (values drawn from 5 levels).
func TestRankCorrelationsAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 200; k++ {
		n := 2 + r.IntN(12)
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], y[i] = float64(r.IntN(5)), float64(r.IntN(5))+0.5*x[i]
		}
		wantRho := refPearson(refRanks(x), refRanks(y))
		if got := Spearman(x, y); !near(got, wantRho, 1e-9) && !(math.IsNaN(got) && math.IsNaN(wantRho)) {
			t.Fatalf("Spearman(%v, %v) = %v, want %v", x, y, got, wantRho)
		}
		if got, want := KendallTauB(x, y), refTauB(x, y); !near(got, want, 1e-9) {
			t.Fatalf("KendallTauB(%v, %v) = %v, want %v", x, y, got, want)
		}
	}
}

func TestAverageRanks(t *testing.T) {
	got := averageRanks([]float64{30, 10, 20, 20})
	want := []float64{4, 1, 2.5, 2.5}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("averageRanks = %v, want %v", got, want)
		}
	}
}

// TestTQuantilesMatchTables checks Student's t quantiles against printed tables.
func TestTQuantilesMatchTables(t *testing.T) {
	for _, c := range []struct{ df, want float64 }{{1, 12.706}, {2, 4.303}, {4, 2.776}, {10, 2.228}, {30, 2.042}} {
		if got := tQuantile(0.975, c.df); !near(got, c.want, 0.0005) {
			t.Errorf("t(0.975, %v) = %v, want %v", c.df, got, c.want)
		}
	}
	if !math.IsNaN(tQuantile(0.975, 0)) {
		t.Error("t with 0 degrees of freedom is not NaN")
	}
	// z(0.975) + z(0.8) = 1.95996 + 0.84162.
	if got := zQuantile(0.975) + zQuantile(0.8); !near(got, 2.80159, 0.00001) {
		t.Errorf("z sum = %v", got)
	}
}

func TestRunsPerConfig(t *testing.T) {
	for _, c := range []struct {
		sd, gap float64
		want    int
	}{
		// ⌈statsmodels' TTestIndPower().solve_power(Δ/σ, alpha=0.05, power=0.8)⌉: 25.52 → 26
		// (the normal approximation 2·2.80159²·0.005²/0.004² = 24.53 gave 25).
		{0.005, 0.004, 26},
		// 16.71 → 17 (the normal approximation gave 16).
		{0.01, 0.01, 17},
		// A large gap still needs 2 runs to estimate noise at all.
		{0.001, 0.1, 2},
		// A gap of 0.0001 with SD 0.005 would take about 39,000 runs: capped.
		{0.005, 0.0001, MaxReplicates + 1},
		{0.005, 0, MaxReplicates + 1},
		{0.005, 1e-15, MaxReplicates + 1}, // a gap of rounding error is no gap
		{0, 0.01, MaxReplicates + 1},
	} {
		if got := RunsPerConfig(c.sd, c.gap); got != c.want {
			t.Errorf("RunsPerConfig(%v, %v) = %d, want %d", c.sd, c.gap, got, c.want)
		}
	}
}

var nanValue = math.NaN()
