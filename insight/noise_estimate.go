package insight

import (
	"math"

	"github.com/mlexp-dev/mlexp"
)

// SmallSample is the most runs a config can have for its own SD to be too uncertain to
// stand alone: with n ≤ SmallSample runs the SD used is the larger of its own and the pooled
// SD, on the pooled degrees of freedom; from SmallSample + 1 runs on, its own SD on n − 1.
const SmallSample = 5

// estimate is a config's mean and the variance estimate its interval and tests use.
type estimate struct {
	g        *group
	n        int
	mean, sd float64 // sd: own sample SD, NaN for one run
	used, df float64 // SD used and its degrees of freedom; NaN and 0 if none
	source   string
}

// spread reports whether the values of g differ (beyond TieTolerance): identical replicates
// (the same seed, a run logged twice) say nothing about run-to-run noise.
func spread(values []float64) bool {
	for _, v := range values[1:] {
		if !sameValue(v, values[0]) {
			return true
		}
	}
	return false
}

// pooledSD is the pooled within-config SD of the groups with two runs or more that spread,
// √(Σ(nᵢ−1)sᵢ² / Σ(nᵢ−1)), and its degrees of freedom Σ(nᵢ−1); NaN and 0 without any.
// Groups of identical replicates are left out: their SD of 0 is not an estimate of noise.
func pooledSD(groups []*group) (float64, int) {
	ss := make([]float64, 0, len(groups))
	df := 0
	for _, g := range groups {
		if len(g.values) >= 2 && spread(g.values) {
			_, sd := meanSD(g.values)
			ss = append(ss, float64(len(g.values)-1)*sd*sd)
			df += len(g.values) - 1
		}
	}
	if df == 0 {
		return math.NaN(), 0
	}
	return math.Sqrt(fsum(ss) / float64(df)), df
}

// newEstimate is the estimate of g given the pooled SD and its df (NaN and 0 when unknown):
//
//   - n ≤ SmallSample: the larger of its own SD (0 for one run or identical runs) and the
//     pooled SD, on the pooled df; source own when its own is the larger, else pooled;
//   - n > SmallSample: its own SD on n − 1 df, unless its runs are identical: then the pooled
//     SD on the pooled df;
//   - no SD at all (no pooled SD and no spread of its own): NaN, no interval, no test.
//
// The SD used is never 0, so no interval of real data has zero width.
func newEstimate(g *group, pooled float64, pooledDF int) estimate {
	e := estimate{g: g, n: len(g.values), used: math.NaN()}
	e.mean, e.sd = meanSD(g.values)
	own := 0.0
	if e.n >= 2 && spread(g.values) {
		own = e.sd
	}
	switch {
	case e.n > SmallSample && own > 0:
		e.used, e.df, e.source = own, float64(e.n-1), SDOwn
	case pooledDF > 0 && own > pooled:
		e.used, e.df, e.source = own, float64(pooledDF), SDOwn
	case pooledDF > 0:
		e.used, e.df, e.source = pooled, float64(pooledDF), SDPooled
	}
	return e
}

// variance is the variance of the estimate's mean, used²/n; NaN without an SD.
func (e estimate) variance() float64 { return e.used * e.used / float64(e.n) }

func (e estimate) stats() ConfigStats {
	c := ConfigStats{ConfigID: e.g.id, ConfigName: e.g.name, N: e.n, RunIDs: e.g.runIDs, Mean: mlexp.Number(e.mean),
		SD: num(e.sd), SDUsed: num(e.used), SDSource: e.source}
	if c.ConfigID == "" {
		c.ConfigID = e.g.key
	}
	if e.df > 0 {
		c.DF = num(e.df)
		half := tQuantile(1-Alpha/2, e.df) * e.used / math.Sqrt(float64(e.n))
		c.CILow, c.CIHigh = num(e.mean-half), num(e.mean+half)
	}
	return c
}

// welchP is the two-sided p-value of Welch's t-test of a.mean = b.mean, each side's variance
// of the mean being used²/n with df degrees of freedom; NaN when either has no variance
// estimate.
func welchP(a, b estimate) float64 {
	if a.df <= 0 || b.df <= 0 {
		return math.NaN()
	}
	va, vb := a.variance(), b.variance()
	t := (a.mean - b.mean) / math.Sqrt(va+vb)
	if sameValue(a.mean, b.mean) {
		t = 0 // means that tie are equal
	}
	df := (va + vb) * (va + vb) / (va*va/a.df + vb*vb/b.df)
	return tTwoSidedP(t, df)
}
