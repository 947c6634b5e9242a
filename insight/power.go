package insight

import (
	"math"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// RunsPerConfig is the number of runs per config that a two-sided two-sample t-test at level
// Alpha needs to detect a gap Δ with power Power (80%) when each run has SD σ: the smallest
// n ≥ 2 whose power, from the noncentral t distribution with 2n − 2 degrees of freedom and
// noncentrality (Δ/σ)·√(n/2), reaches 80%. That is ⌈n⌉ of
// statsmodels.stats.power.TTestIndPower().solve_power(Δ/σ, alpha=0.05, power=0.8). It
// returns MaxReplicates+1 for a gap of zero (within TieTolerance of the SD) or not finite,
// or when more than MaxReplicates runs would be needed.
func RunsPerConfig(sd, gap float64) int {
	gap = math.Abs(gap)
	if !finite(gap) || !finite(sd) || !(sd > 0) || gap <= TieTolerance*sd {
		return MaxReplicates + 1
	}
	d := gap / sd
	if tTestPower(d, MaxReplicates) < Power {
		return MaxReplicates + 1
	}
	lo, hi := 1, MaxReplicates // power(lo) < Power ≤ power(hi); n = 1 has no degrees of freedom
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if tTestPower(d, float64(mid)) >= Power {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// tTestPower is the power of the two-sided two-sample t-test at level Alpha with n runs in
// each group and standardized effect d = Δ/σ, as statsmodels' TTestIndPower.power:
// P(T > t₁₋α/₂) + P(T < −t₁₋α/₂) for T noncentral t with 2n − 2 df and noncentrality
// d·√(n/2).
func tTestPower(d, n float64) float64 {
	df := 2*n - 2
	if !(df > 0) {
		return math.NaN()
	}
	crit := tQuantile(1-Alpha/2, df)
	nc := d * math.Sqrt(n/2)
	return (1 - nctCDF(crit, df, nc)) + nctCDF(-crit, df, nc)
}

// nctCDF is the CDF at t of the noncentral t distribution with df degrees of freedom and
// noncentrality delta: algorithm AS 243 (Lenth, 1989, Applied Statistics 38:185–189) as R's
// pnt implements it, summing Guenther's twin series of incomplete beta functions to an error
// below 1e-12.
func nctCDF(t, df, delta float64) float64 {
	const itrmax, errmax = 1000, 1e-12
	if !(df > 0) || math.IsNaN(t) || math.IsNaN(delta) {
		return math.NaN()
	}
	if delta == 0 {
		return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.CDF(t)
	}
	if math.IsInf(t, 0) {
		return math.Max(0, math.Copysign(1, t))
	}
	negdel, tt, del := false, t, delta
	if t < 0 {
		negdel, tt, del = true, -t, -delta
	}
	if df > 4e5 || del*del > 2*math.Ln2*1021 { // Abramowitz & Stegun 26.7.10
		s := 1 / (4 * df)
		z := (tt*(1-s) - del) / math.Sqrt(1+tt*tt*2*s)
		return tail(distuv.UnitNormal.CDF(z), negdel)
	}
	tnc := 0.0
	x := t * t / (t*t + df)
	if x > 0 {
		rxb := df / (t*t + df) // 1 − x, accurately
		lambda := del * del
		p := 0.5 * math.Exp(-0.5*lambda)
		if p == 0 { // underflow: the CDF is 0 (or 1) to double precision
			return tail(0, negdel)
		}
		q := math.Sqrt(2/math.Pi) * p * del
		s := 0.5 - p
		if s < 1e-7 {
			s = -0.5 * math.Expm1(-0.5*lambda)
		}
		a, b := 0.5, 0.5*df
		rxb = math.Pow(rxb, b)
		lgb, _ := math.Lgamma(b)
		lgb5, _ := math.Lgamma(0.5 + b)
		albeta := 0.5*math.Log(math.Pi) + lgb - lgb5
		xodd := mathext.RegIncBeta(a, b, x)
		godd := 2 * rxb * math.Exp(a*math.Log(x)-albeta)
		tnc = b * x
		xeven := 1 - rxb
		if tnc < 2.220446049250313e-16 {
			xeven = tnc
		}
		geven := tnc * rxb
		tnc = p*xodd + q*xeven
		for it := 1; it <= itrmax; it++ {
			a++
			xodd -= godd
			xeven -= geven
			godd *= x * (a + b - 1) / a
			geven *= x * (a + b - 0.5) / (a + 0.5)
			p *= lambda / float64(2*it)
			q *= lambda / float64(2*it+1)
			tnc += p*xodd + q*xeven
			s -= p
			if s < -1e-10 || (s <= 0 && it > 1) || math.Abs(2*s*(xodd-godd)) < errmax {
				break
			}
		}
	}
	tnc += distuv.UnitNormal.CDF(-del)
	return tail(math.Min(tnc, 1), negdel)
}

// tail is p, or 1 − p when the CDF was computed for the mirrored distribution.
func tail(p float64, mirrored bool) float64 {
	if mirrored {
		return 1 - p
	}
	return p
}
