package insight

import "math"

// ShrinkMinConfigs is the fewest configs that empirical-Bayes shrinkage estimates the spread
// between configs from.
const ShrinkMinConfigs = 3

// shrinkage is the empirical-Bayes estimate of config means: each config's true mean is
// drawn from N(μ, τ²) and its observed mean mᵢ has sampling variance vᵢ = SD usedᵢ²/nᵢ.
// τ² is DerSimonian and Laird's moment estimate (1986, Controlled Clinical Trials 7:177–188),
// μ the random-effects weighted mean, as statsmodels.stats.meta_analysis.combine_effects(
// method_re="dl") gives them, and each mean is shrunk to μ + τ²/(τ² + vᵢ)·(mᵢ − μ). A mean
// that rests on few or noisy runs moves most, so the highest of noisy means, the winner of a
// sweep, is no longer biased upward.
type shrinkage struct {
	ok     bool
	mu     float64   // grand mean
	tau2   float64   // between-config variance, ≥ 0
	shrunk []float64 // per estimate, in the estimates' order
}

// shrinkMeans shrinks the means of est; ok is false with fewer than ShrinkMinConfigs
// estimates or when any has no SD (noise unknown).
func shrinkMeans(est []estimate) shrinkage {
	k := len(est)
	if k < ShrinkMinConfigs {
		return shrinkage{}
	}
	w, wy, w2 := make([]float64, k), make([]float64, k), make([]float64, k)
	for i, e := range est {
		v := e.variance()
		if !(v > 0) || !finite(v) {
			return shrinkage{}
		}
		w[i], wy[i], w2[i] = 1/v, e.mean/v, 1/(v*v)
	}
	sw := fsum(w)
	fixed := fsum(wy) / sw
	q := make([]float64, k)
	for i, e := range est {
		q[i] = w[i] * (e.mean - fixed) * (e.mean - fixed)
	}
	c := sw - fsum(w2)/sw
	s := shrinkage{ok: true, tau2: math.Max(0, (fsum(q)-float64(k-1))/c), shrunk: make([]float64, k)}
	for i, e := range est {
		w[i] = 1 / (e.variance() + s.tau2)
		wy[i] = w[i] * e.mean
	}
	s.mu = fsum(wy) / fsum(w)
	for i, e := range est {
		s.shrunk[i] = s.mu + s.tau2/(s.tau2+e.variance())*(e.mean-s.mu)
	}
	return s
}
