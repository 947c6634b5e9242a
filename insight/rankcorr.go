package insight

import (
	"math"
)

// SpearmanExactMax is the most pairs whose Spearman p-value is exact (all n! pairings
// enumerated, 362,880 for 9); above it the p-value is the t approximation.
const SpearmanExactMax = 9

// SpearmanTest is the two-sided test of Spearman's ρ = 0 and a 95% interval of ρ.
type SpearmanTest struct {
	Rho   float64 // NaN for fewer than two pairs or a constant side
	P     float64 // two-sided p-value; NaN when Rho is
	Exact bool    // P is the exact permutation p-value (n ≤ SpearmanExactMax)
	// Low and High are the 95% Fisher z interval with the Bonett–Wright variance; NaN for
	// fewer than 4 pairs or |ρ| = 1, where the z transform is infinite.
	Low, High float64
}

// SpearmanTestOf tests Spearman's ρ of x and y against 0, two-sided, and gives its interval.
//
//   - p-value, n ≤ SpearmanExactMax: exact, over every one of the n! pairings of the ranks
//     (ties keep their average ranks): p = min(1, 2·min(P(ρ* ≥ ρ), P(ρ* ≤ ρ))), as
//     scipy.stats.permutation_test(permutation_type="pairings") gives it.
//   - p-value, larger n: t = ρ·√((n − 2)/(1 − ρ²)) on n − 2 degrees of freedom, as
//     scipy.stats.spearmanr gives it.
//   - interval: z = atanh ρ ± z₀.₉₇₅·√((1 + ρ²/2)/(n − 3)), back through tanh (Fisher's z with
//     the variance of Bonett & Wright, 2000, Psychometrika 65:23–28), for n ≥ 4.
func SpearmanTestOf(x, y []float64) SpearmanTest {
	st := SpearmanTest{Rho: Spearman(x, y), P: math.NaN(), Low: math.NaN(), High: math.NaN()}
	n := len(x)
	if math.IsNaN(st.Rho) {
		return st
	}
	if n <= SpearmanExactMax {
		st.P, st.Exact = spearmanExactP(averageRanks(snapTies(x)), averageRanks(snapTies(y))), true
	} else {
		df := float64(n - 2)
		t := st.Rho * math.Sqrt(df/math.Max((1+st.Rho)*(1-st.Rho), 0))
		st.P = tTwoSidedP(t, df)
		if math.Abs(st.Rho) >= 1 {
			st.P = 0
		}
	}
	if n >= 4 && math.Abs(st.Rho) < 1 {
		z, se := math.Atanh(st.Rho), math.Sqrt((1+st.Rho*st.Rho/2)/float64(n-3))
		q := zQuantile(1 - Alpha/2)
		st.Low, st.High = math.Tanh(z-q*se), math.Tanh(z+q*se)
	}
	return st
}

// spearmanExactP is the exact two-sided permutation p-value of the rank vectors rx and ry
// (average ranks, so multiples of ½): every pairing of ry with rx is enumerated by Heap's
// algorithm. ρ of a pairing is an increasing function of S = Σ rx·ry, and 2rx, 2ry are
// integers, so S is compared exactly, in integers.
func spearmanExactP(rx, ry []float64) float64 {
	n := len(rx)
	a, b := make([]int64, n), make([]int64, n)
	var s int64
	for i := range rx {
		a[i], b[i] = int64(math.Round(2*rx[i])), int64(math.Round(2*ry[i]))
		s += a[i] * b[i]
	}
	observed := s
	var ge, le, total int64
	count := func() {
		total++
		if s >= observed {
			ge++
		}
		if s <= observed {
			le++
		}
	}
	count()
	c := make([]int, n) // Heap's algorithm, iterative: each step swaps two entries of b
	for i := 1; i < n; {
		if c[i] < i {
			j := 0
			if i%2 == 1 {
				j = c[i]
			}
			s += (a[i] - a[j]) * (b[j] - b[i]) // S after swapping b[i] and b[j]
			b[i], b[j] = b[j], b[i]
			count()
			c[i]++
			i = 1
		} else {
			c[i] = 0
			i++
		}
	}
	return math.Min(1, 2*float64(min(ge, le))/float64(total))
}
