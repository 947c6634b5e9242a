package insight

import (
	"math"
	"slices"

	"github.com/mlexp-dev/mlexp"
)

// TieTolerance is the relative tolerance within which two values of a metric (run values,
// config means, level means) are the same value: a and b tie when |a − b| ≤ TieTolerance ×
// the largest magnitude among the values compared. A mean is a rounded quotient of a
// rounded sum, so the mean of 0.4301, 0.4402 and 0.4203 is 0.43019999999999997, not
// 0.4302; the tolerance makes it tie with a config whose mean is 0.4302, and so a metric
// and its mirror image (loss = 1 − recall) give the same ranks, ties and correlations.
// Metrics are logged with far fewer than 9 significant digits, so no real difference is
// merged.
const TieTolerance = 1e-9

// fsum is the sum of xs by Neumaier's compensated (Kahan–Babuška) summation: the rounding
// error of every addition is carried along and added back at the end, so the result is the
// exact sum rounded once for any realistic input (as Python's math.fsum). A sum that
// overflows or meets an infinity is the plain sum.
func fsum(xs []float64) float64 {
	var k ksum
	for _, x := range xs {
		k.add(x)
	}
	return k.sum()
}

// ksum is a running compensated sum (see fsum); its zero value is an empty sum.
type ksum struct{ s, c float64 }

func (k *ksum) add(x float64) {
	t := k.s + x
	if math.Abs(k.s) >= math.Abs(x) {
		k.c += (k.s - t) + x
	} else {
		k.c += (x - t) + k.s
	}
	k.s = t
}

func (k ksum) sum() float64 {
	if !finite(k.s) || !finite(k.c) {
		return k.s
	}
	return k.s + k.c
}

// meanOf is the mean of xs with compensated summation; NaN for none.
func meanOf(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return fsum(xs) / float64(len(xs))
}

// meanSD is the mean and the sample standard deviation (n − 1 in the denominator) of xs,
// both summed with compensation (the SD by the corrected two-pass formula); the SD is NaN
// for fewer than two values, and both are NaN for none.
func meanSD(xs []float64) (mean, sd float64) {
	switch len(xs) {
	case 0:
		return math.NaN(), math.NaN()
	case 1:
		return xs[0], math.NaN()
	}
	mean = meanOf(xs)
	var d, d2 ksum
	for _, x := range xs {
		d.add(x - mean)
		d2.add((x - mean) * (x - mean))
	}
	sum := d.sum()
	ss := d2.sum() - sum*sum/float64(len(xs))
	return mean, math.Sqrt(math.Max(ss, 0) / float64(len(xs)-1))
}

// sameValue reports whether a and b are the same value within TieTolerance of the larger.
func sameValue(a, b float64) bool {
	return a == b || math.Abs(a-b) <= TieTolerance*math.Max(math.Abs(a), math.Abs(b))
}

// better reports whether a is better than b on metric by more than TieTolerance: values
// that tie are neither better nor worse.
func better(metric string, a, b float64) bool {
	return !sameValue(a, b) && mlexp.Better(metric, a, b)
}

// snapTies returns a copy of xs in which values that tie are made equal: sorted, each run
// of values within TieTolerance × max|x| of its first value takes that first value. Exact
// comparisons of the copy (ranks, concordance) then judge ties with the tolerance. NaN
// values are left as they are.
func snapTies(xs []float64) []float64 {
	out := slices.Clone(xs)
	scale := 0.0
	idx := make([]int, 0, len(xs))
	for i, x := range xs {
		if !math.IsNaN(x) {
			idx = append(idx, i)
			scale = math.Max(scale, math.Abs(x))
		}
	}
	tol := TieTolerance * scale
	slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(xs[a], xs[b]) })
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && xs[idx[j]]-xs[idx[i]] <= tol {
			out[idx[j]] = xs[idx[i]]
			j++
		}
		i = j
	}
	return out
}
