package insight

import (
	"math"
	"strconv"

	"github.com/mlexp-dev/mlexp"
)

// FormatDelta writes a signed difference of metric for people: "+0.6 pp" for fractions
// (percentage points), "-0.012" otherwise; NoValue when d is not finite.
func FormatDelta(metric string, d float64) string {
	if !finite(d) {
		return mlexp.NoValue
	}
	sign := "+"
	if d < 0 {
		sign = "-"
	}
	return sign + gapText(metric, d)
}

// FormatSize writes the size of a difference (a spread, an effect) of metric without a sign:
// "0.6 pp" for fractions, "0.012" otherwise; NoValue when d is not finite.
func FormatSize(metric string, d float64) string {
	if !finite(d) {
		return mlexp.NoValue
	}
	return gapText(metric, d)
}

// FormatInterval writes an interval of metric: "46.1–47.7%", "0.31–0.35"; NoValue when
// either end is unknown.
func FormatInterval(metric string, lo, hi *mlexp.Number) string {
	if lo == nil || hi == nil {
		return mlexp.NoValue
	}
	if mlexp.IsFraction(metric) {
		return strconv.FormatFloat(float64(*lo)*100, 'f', 1, 64) + "–" + mlexp.FormatPercent(float64(*hi), 1)
	}
	return mlexp.FormatMetric(metric, float64(*lo)) + "–" + mlexp.FormatMetric(metric, float64(*hi))
}

// FormatP writes a p-value: "0.041", "< 0.001"; NoValue when there is none.
func FormatP(p *mlexp.Number) string {
	if p == nil {
		return mlexp.NoValue
	}
	return pText(p)
}

// FormatCorrelation writes a correlation with two decimals and its sign: "+0.80", "-0.33".
func FormatCorrelation(r *mlexp.Number) string {
	if r == nil {
		return mlexp.NoValue
	}
	v := math.Round(float64(*r)*100) / 100
	if v == 0 {
		v = 0 // no "-0.00"
	}
	if v >= 0 {
		return "+" + strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// FormatRhoEvidence writes the p-value and the 95% interval of fidelity's ρ:
// "p 0.083 exact, 95% CI n/a", "p 0.012, 95% CI +0.31 to +0.92"; NoValue without ρ.
func FormatRhoEvidence(f Fidelity) string {
	if f.Spearman == nil {
		return mlexp.NoValue
	}
	p := "p " + FormatP(f.SpearmanP)
	if f.SpearmanPExact {
		p += " exact"
	}
	if f.SpearmanCILow == nil || f.SpearmanCIHigh == nil {
		return p + ", 95% CI n/a"
	}
	return p + ", 95% CI " + FormatCorrelation(f.SpearmanCILow) + " to " + FormatCorrelation(f.SpearmanCIHigh)
}

// FormatEffectTest writes the ANOVA of a parameter effect: "ω² 0.59, p 0.011"; "" when
// there is none (no level with two configs).
func FormatEffectTest(e ParamEffect) string {
	if e.OmegaSquared == nil {
		return ""
	}
	return "ω² " + strconv.FormatFloat(float64(*e.OmegaSquared), 'f', 2, 64) + ", p " + FormatP(e.PValue)
}
