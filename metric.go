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
