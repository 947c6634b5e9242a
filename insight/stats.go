package insight

import (
	"math"
	"slices"

	"github.com/mlexp-dev/mlexp"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Confidence is the confidence level of every interval and test of the package: 95%
// intervals, two-sided tests at the 5% level.
const Confidence = 0.95

// Alpha is the significance level of the tests: 1 − Confidence.
const Alpha = 1 - Confidence

// Power is the power the replicate advice plans for.
const Power = 0.8

// tQuantile is the p quantile of Student's t with df degrees of freedom (df may be
// fractional, as Welch's is); NaN for df ≤ 0 or NaN.
func tQuantile(p, df float64) float64 {
	if !(df > 0) {
		return math.NaN()
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(p)
}

// tTwoSidedP is the two-sided p-value of the statistic t under Student's t with df degrees
// of freedom.
func tTwoSidedP(t, df float64) float64 {
	if math.IsNaN(t) || !(df > 0) {
		return math.NaN()
	}
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(t))
}

// zQuantile is the p quantile of the standard normal distribution.
func zQuantile(p float64) float64 { return distuv.UnitNormal.Quantile(p) }

// averageRanks ranks xs from 1 (smallest) to n; tied values share the mean of the ranks
// they span, so 10, 20, 20, 30 rank 1, 2.5, 2.5, 4.
func averageRanks(xs []float64) []float64 {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(xs[a], xs[b]) })
	ranks := make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && xs[idx[j+1]] == xs[idx[i]] {
			j++
		}
		r := float64(i+j)/2 + 1 // positions i..j hold ranks i+1..j+1
		for k := i; k <= j; k++ {
			ranks[idx[k]] = r
		}
		i = j + 1
	}
	return ranks
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Spearman is Spearman's rank correlation ρ of x and y: Pearson's correlation of their
// average ranks, so ties are handled exactly; values within TieTolerance tie. NaN for fewer
// than two pairs or when either side is constant.
func Spearman(x, y []float64) float64 {
	if len(x) != len(y) || len(x) < 2 {
		return math.NaN()
	}
	return pearson(averageRanks(snapTies(x)), averageRanks(snapTies(y)))
}

func pearson(x, y []float64) float64 {
	if stat.Variance(x, nil) == 0 || stat.Variance(y, nil) == 0 {
		return math.NaN()
	}
	return stat.Correlation(x, y, nil)
}

// KendallTauB is Kendall's τ-b of x and y, which corrects for ties on either side:
//
//	τ_b = (C − D) / √((n₀ − n₁)(n₀ − n₂))
//
// with C and D the concordant and discordant pairs, n₀ = n(n−1)/2, and n₁, n₂ the pairs
// tied in x and in y; values within TieTolerance tie. NaN for fewer than two pairs or when
// either side is constant.
func KendallTauB(x, y []float64) float64 {
	n := len(x)
	if n != len(y) || n < 2 {
		return math.NaN()
	}
	x, y = snapTies(x), snapTies(y)
	var c, d, tx, ty float64
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			sx, sy := cmpFloat(x[i], x[j]), cmpFloat(y[i], y[j])
			switch {
			case sx == 0 && sy == 0:
				tx++
				ty++
			case sx == 0:
				tx++
			case sy == 0:
				ty++
			case sx == sy:
				c++
			default:
				d++
			}
		}
	}
	n0 := float64(n*(n-1)) / 2
	den := math.Sqrt((n0 - tx) * (n0 - ty))
	if den == 0 {
		return math.NaN()
	}
	return (c - d) / den
}

// num is v as a JSON number that is null when v is NaN or infinite.
func num(v float64) *mlexp.Number {
	if !finite(v) {
		return nil
	}
	n := mlexp.Number(v)
	return &n
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return mlexp.IsFinite(v) }
