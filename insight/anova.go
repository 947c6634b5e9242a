package insight

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// anova is a one-way analysis of variance.
type anova struct {
	f, p            float64 // F = MSB/MSW and its upper-tail p-value; NaN without within-group df
	dfB, dfW        int     // k − 1 and N − k
	eta2, omega2    float64 // effect sizes; NaN without within-group df or without any variance
	ssb, ssw, total float64
}

// oneWayANOVA is the one-way ANOVA of groups, as scipy.stats.f_oneway gives F and p:
// SSB = Σ nⱼ(m̄ⱼ − m̄)², SSW = ΣΣ(y − m̄ⱼ)², F = (SSB/(k − 1)) / (SSW/(N − k)) on (k − 1,
// N − k) df. η² = SSB/SST, the share of the variance the groups explain, grows with the
// number of groups even without any effect (its expectation is then (k − 1)/(N − 1)); ω² =
// (SSB − (k − 1)·MSW)/(SST + MSW) corrects for that (Hays, 1963) and is the size measure
// parameters are ranked by. ω² is negative when the groups explain less than chance would.
func oneWayANOVA(groups [][]float64) anova {
	a := anova{f: math.NaN(), p: math.NaN(), eta2: math.NaN(), omega2: math.NaN()}
	var all, means []float64
	for _, g := range groups {
		all = append(all, g...)
		means = append(means, meanOf(g))
	}
	grand := meanOf(all)
	b, w := make([]float64, len(groups)), make([]float64, 0, len(all))
	for j, g := range groups {
		b[j] = float64(len(g)) * (means[j] - grand) * (means[j] - grand)
		for _, y := range g {
			w = append(w, (y-means[j])*(y-means[j]))
		}
	}
	a.ssb, a.ssw = fsum(b), fsum(w)
	a.total = a.ssb + a.ssw
	a.dfB, a.dfW = len(groups)-1, len(all)-len(groups)
	if a.dfB < 1 || a.dfW < 1 || !(a.total > 0) {
		return a
	}
	msw := a.ssw / float64(a.dfW)
	a.eta2 = a.ssb / a.total
	a.omega2 = (a.ssb - float64(a.dfB)*msw) / (a.total + msw)
	a.f = (a.ssb / float64(a.dfB)) / msw
	a.p = distuv.F{D1: float64(a.dfB), D2: float64(a.dfW)}.Survival(a.f)
	if msw == 0 {
		a.f, a.p = math.Inf(1), 0
	}
	return a
}
