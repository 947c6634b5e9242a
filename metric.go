package mlexp

import (
	"math"
)

// Better reports whether a is strictly better than b for metric. NaN is never better, and
// anything is better than NaN.
func Better(metric string, a, b float64) bool {
	switch {
	case math.IsNaN(a):
		return false
	case math.IsNaN(b):
		return true
	case LowerIsBetter(metric):
		return a < b
	}
	return a > b
}

// Direction is "min" or "max": how metric is optimised.
func Direction(metric string) string {
	if LowerIsBetter(metric) {
		return "min"
	}
	return "max"
}

// StoredInfinity is the magnitude from which a metric value counts as infinite: MLflow's
// SQL stores write ±Inf as ±1.7976931348623157e308 (±math.MaxFloat64) and read it back so,
// which no real metric reaches.
const StoredInfinity = 1.797e308

// IsInfinite reports whether v is ±Inf, or the ±MaxFloat64 an SQL store of MLflow keeps
// for it.
func IsInfinite(v float64) bool { return math.Abs(v) >= StoredInfinity }

// IsFinite reports whether v is a real number: neither NaN nor infinite (IsInfinite).
func IsFinite(v float64) bool { return !math.IsNaN(v) && !IsInfinite(v) }

// MetricFromStore is v as MLflow's client reports it, with the ±MaxFloat64 of an SQL store
// read back as the ±Inf that was logged.
func MetricFromStore(v float64) float64 {
	if IsInfinite(v) {
		return math.Inf(int(math.Copysign(1, v)))
	}
	return v
}
