package mlexp

import (
	"math"
	"strings"
)

// StandardMetrics are the metrics every run of the naming contract has, in the order
// screens show them.
var StandardMetrics = []string{MetricRecallAt100, MetricRecallAt50, MetricRecallAt10, MetricLoss}

// LowerIsBetter reports whether smaller values of metric are better: names containing loss,
// error, mse, mae or rmse (and cost or duration). Every other metric is maximised.
func LowerIsBetter(metric string) bool {
	m := strings.ToLower(metric)
	for _, s := range []string{"loss", "error", "mse", "mae", "rmse", "cost", "duration", "latency"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

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

// IsFraction reports whether metric is a fraction shown as a percentage (Recall@k and the
// like), so that differences are in percentage points.
func IsFraction(metric string) bool {
	m := strings.ToLower(metric)
	return strings.HasPrefix(m, "recall") || strings.HasPrefix(m, "precision") || strings.HasPrefix(m, "hit_rate") ||
		strings.HasPrefix(m, "ndcg") || strings.HasPrefix(m, "mrr") || strings.HasPrefix(m, "accuracy")
}

// MetricLabel is the human name of metric: "Recall@100" for recall_at_100, "Loss" for loss.
func MetricLabel(metric string) string {
	if k, ok := strings.CutPrefix(metric, "recall_at_"); ok {
		return "Recall@" + k
	}
	switch metric {
	case MetricLoss:
		return "Loss"
	case MetricFinalLoss:
		return "Final loss"
	case MetricCostUSD:
		return "Cost"
	}
	return metric
}
