package mlexp

import (
	"fmt"
	"math"
	"strconv"
)

// DefaultCompareMetric is the primary metric of a comparison's recommendation.
const DefaultCompareMetric = MetricRecallAt100

// Thresholds of the recommendation rule: a winner must lead its reference by more than this
// to be worth acting on. Fractions (Recall@k…) are compared in percentage points; other
// metrics (loss…) relative to the reference's value.
const (
	RecommendThresholdPP       = 0.5  // percentage points
	RecommendThresholdRelative = 0.01 // 1% of the reference value
)

// Kinds of recommendation.
const (
	RecommendRunFullTraining  = "run_full_training"        // a quick test leads: confirm it with a full training
	RecommendPromote          = "consider_promoting"       // a full training leads the deployed run (or the baseline)
	RecommendNoDifference     = "no_meaningful_difference" // nothing leads by more than the threshold
	RecommendInsufficientData = "insufficient_data"        // fewer than two runs that did not fail have the metric
)

// Recommendation is what the comparison suggests, with the numbers and the rule behind it.
// Delta is the improvement of RunID over ReferenceRunID (positive is better, whatever the
// metric's direction), in percentage points for fractions; Threshold is in the same unit.
type Recommendation struct {
	Kind           string  `json:"kind"`
	Message        string  `json:"message"`
	RunID          string  `json:"run_id,omitempty"`
	ConfigID       string  `json:"config_id,omitempty"`
	ReferenceRunID string  `json:"reference_run_id,omitempty"`
	Metric         string  `json:"metric"`
	MetricLabel    string  `json:"metric_label"`
	Delta          *Number `json:"delta"`
	DeltaUnit      string  `json:"delta_unit"` // pp, or "" for the metric's own unit
	Threshold      Number  `json:"threshold"`
	Rule           string  `json:"rule"`
}

// recommend applies the rule (see RecommendRule) to the runs, base being the baseline.
func recommend(runs []Run, base int, metric string) Recommendation {
	rec := Recommendation{Metric: metric, MetricLabel: MetricLabel(metric), Rule: RecommendRule(metric)}
	if IsFraction(metric) {
		rec.DeltaUnit, rec.Threshold = UnitPP, RecommendThresholdPP
	}
	var usable []int // runs that did not fail and have the metric
	for i, r := range runs {
		if _, ok := compareValue(r, metric); ok && !r.Failed() {
			usable = append(usable, i)
		}
	}
	if len(usable) < 2 {
		rec.Kind, rec.Message = RecommendInsufficientData, "No run that did not fail has "+rec.MetricLabel+"."
		if len(usable) == 1 {
			rec.Message = "Only " + configTitle(runs[usable[0]]) + " has " + rec.MetricLabel + "; there is nothing to compare it with."
		}
		return rec
	}
	value := func(i int) float64 { v, _ := compareValue(runs[i], metric); return v }
	best := func(accept func(int) bool) int {
		b := -1
		for _, i := range usable {
			if accept(i) && (b < 0 || Better(metric, value(i), value(b))) {
				b = i
			}
		}
		return b
	}
	winner := best(func(int) bool { return true })
	quick := runs[winner].Type == QuickTestRun
	var ref int
	if quick {
		ref = best(func(i int) bool {
			return i != winner && (runs[i].Type == FullTrainingRun || runs[i].Deployed || i == base)
		})
	} else {
		ref = best(func(i int) bool { return runs[i].Deployed })
		if ref < 0 {
			ref = best(func(i int) bool { return i == base })
		}
	}
	if ref < 0 { // no usable reference besides the winner: measure against the runner-up
		ref = best(func(i int) bool { return i != winner })
	}
	challenger := winner
	if ref == winner {
		challenger = best(func(i int) bool { return i != winner })
	}
	delta := roundDiff(value(challenger) - value(ref))
	if LowerIsBetter(metric) {
		delta = -delta
	}
	if IsFraction(metric) {
		delta = roundDiff(delta * 100)
	} else {
		rec.Threshold = Number(roundDiff(RecommendThresholdRelative * math.Abs(value(ref))))
	}
	c, r := runs[challenger], runs[ref]
	rec.RunID, rec.ConfigID, rec.ReferenceRunID, rec.Delta = c.ID, runConfigID(c), r.ID, num(delta)
	shown := formatDiff(rec.DeltaUnit, delta)
	switch {
	case challenger == winner && delta > float64(rec.Threshold) && quick:
		rec.Kind = RecommendRunFullTraining
		rec.Message = fmt.Sprintf("%s shows %s improvement in %s over %s. Consider running Full Training with %s to confirm.",
			configTitle(c), shown, rec.MetricLabel, refTitle(r, ref == base), configTitle(c))
	case challenger == winner && delta > float64(rec.Threshold):
		rec.Kind = RecommendPromote
		rec.Message = fmt.Sprintf("%s beats %s by %s in %s: consider promoting run %s.",
			configTitle(c), refTitle(r, ref == base), shown, rec.MetricLabel, strconv.Quote(runTitle(c)))
	default:
		rec.Kind = RecommendNoDifference
		rec.Message = fmt.Sprintf("No meaningful difference: no run beats %s in %s by more than %s (closest: %s, %s).",
			refTitle(r, ref == base), rec.MetricLabel, formatThreshold(rec), configTitle(c), shown)
	}
	return rec
}

// refTitle names the reference run with its role: "config-038 (deployed)".
func refTitle(r Run, baseline bool) string {
	switch {
	case r.Deployed:
		return configTitle(r) + " (deployed)"
	case baseline:
		return configTitle(r) + " (baseline)"
	}
	return configTitle(r) + " (" + r.Type.Label() + ")"
}

func formatThreshold(rec Recommendation) string {
	if rec.DeltaUnit == UnitPP {
		return strconv.FormatFloat(float64(rec.Threshold), 'f', -1, 64) + " pp"
	}
	return strconv.FormatFloat(float64(rec.Threshold), 'g', 3, 64)
}

// RecommendRule is the recommendation rule for metric in words, shown beside the
// recommendation so that users see why.
func RecommendRule(metric string) string {
	threshold := strconv.FormatFloat(RecommendThresholdPP, 'f', -1, 64) + " percentage points"
	if !IsFraction(metric) {
		threshold = strconv.FormatFloat(RecommendThresholdRelative*100, 'f', -1, 64) + "% of the reference value"
	}
	better := "higher"
	if LowerIsBetter(metric) {
		better = "lower"
	}
	return fmt.Sprintf("The winner is the run with the best %s (%s is better) among runs that did not fail; failed runs are never recommended. "+
		"A Quick Test winner is measured against the best Full Training, deployed or baseline run: if it leads by more than %s, run a Full Training of its config to confirm. "+
		"Any other winner is measured against the deployed run, else the baseline: if it leads by more than %s, consider promoting it. "+
		"Otherwise there is no meaningful difference.", MetricLabel(metric), better, threshold, threshold)
}
