package insight

import (
	"math"
	"slices"
)

// holm adjusts the p-values ps of a family of tests by Holm's step-down method (Holm, 1979,
// Scandinavian Journal of Statistics 6:65–70), which controls the family-wise error rate:
// with the m p-values sorted, the i-th smallest (from 1) becomes max over j ≤ i of
// min(1, (m − j + 1)·p₍ⱼ₎), as statsmodels.stats.multitest.multipletests(method="holm")
// gives it. NaN p-values are not tests: they stay NaN and do not count in m.
func holm(ps []float64) []float64 {
	out := make([]float64, len(ps))
	idx := make([]int, 0, len(ps))
	for i, p := range ps {
		out[i] = math.NaN()
		if !math.IsNaN(p) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(ps[a], ps[b]) })
	m, running := len(idx), 0.0
	for j, i := range idx {
		running = math.Max(running, math.Min(1, float64(m-j)*ps[i]))
		out[i] = running
	}
	return out
}
