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
	RecommendMoreReplicates   = "run_more_replicates"      // a quick test leads, but within run-to-run noise of another compared config
	// RecommendFullTrainingExists: a quick test leads, but its config already has a finished
	// full training in the experiment, outside the comparison: compare with it, or promote it.
	RecommendFullTrainingExists = "full_training_exists"
)

// NoiseJudge tells whether two configs' results on a metric are within run-to-run noise of
// each other, judged from the repeated quick tests of their experiment, and how many runs
// per config would tell them apart (0: more than is practical, the two are as good as
// equivalent). known is false when there are too few repeats to judge.
// Package insight implements it (insight.NewNoiseJudge).
type NoiseJudge interface {
	WithinNoise(metric, configA, configB string) (within bool, runsPerConfig int, known bool)
}

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
	// FullTraining is the existing full training of the leading quick test's config, with its
	// measured value, when Kind is full_training_exists; absent otherwise.
	FullTraining *ExistingFullTraining `json:"full_training,omitempty"`
}

// recommend applies the rule (see RecommendRule) to the runs, base being the baseline.
func recommend(runs []Run, base int, metric string, noise NoiseJudge, related []Run) Recommendation {
	rec := Recommendation{Metric: metric, MetricLabel: MetricLabel(metric), Rule: RecommendRule(metric)}
	if IsFraction(metric) {
		rec.DeltaUnit, rec.Threshold = UnitPP, RecommendThresholdPP
	}
	cr := compareRuns(runs, metric)
	if len(cr.usable) < 2 {
		rec.Kind, rec.Message = RecommendInsufficientData, "No run that did not fail has "+rec.MetricLabel+"."
		if len(cr.usable) == 1 {
			rec.Message = "Only " + configTitle(runs[cr.usable[0]]) + " has " + rec.MetricLabel + "; there is nothing to compare it with."
		}
		return rec
	}
	winner, ref, challenger := cr.roles(base)
	quick := runs[winner].Type == QuickTestRun
	delta := roundDiff(cr.value(challenger) - cr.value(ref))
	if LowerIsBetter(metric) {
		delta = -delta
	}
	if IsFraction(metric) {
		delta = roundDiff(delta * 100)
	} else {
		rec.Threshold = Number(roundDiff(RecommendThresholdRelative * math.Abs(cr.value(ref))))
	}
	c, r := runs[challenger], runs[ref]
	rec.RunID, rec.ConfigID, rec.ReferenceRunID, rec.Delta = c.ID, runConfigID(c), r.ID, new(Number(delta))
	shown := formatDiff(metric, rec.DeltaUnit, delta)
	rival, perConfig := noiseRival(runs, cr.usable, challenger, metric, noise)
	switch {
	case challenger == winner && delta > float64(rec.Threshold) && quick && rival >= 0:
		rec.Kind = RecommendMoreReplicates
		advice := "Run more of each before a Full Training, or treat them as equivalent: no practical number of runs tells them apart."
		if perConfig > 0 {
			advice = fmt.Sprintf("Run about %d runs of each before a Full Training.", perConfig)
		}
		rec.Message = fmt.Sprintf("%s shows %s improvement in %s over %s, but its quick tests are within run-to-run noise of %s's. %s",
			configTitle(c), shown, rec.MetricLabel, refTitle(r, ref == base), configTitle(runs[rival]), advice)
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
	if rec.Kind == RecommendRunFullTraining || rec.Kind == RecommendMoreReplicates {
		rec.trainedElsewhere(runs, related, c, r, ref == base)
	}
	rec.Message += cr.supersededNote(winner)
	return rec
}

// comparedRuns are the runs of a comparison that a recommendation may pick among.
type comparedRuns struct {
	runs    []Run
	metric  string
	usable  []int           // runs that did not fail and have the metric
	trained map[string]bool // configs with a full training among the usable runs
}

// compareRuns finds the usable runs and the trained configs among runs.
func compareRuns(runs []Run, metric string) comparedRuns {
	cr := comparedRuns{runs: runs, metric: metric, trained: map[string]bool{}}
	for i, r := range runs {
		if _, ok := compareValue(r, metric); ok && !r.Failed() {
			cr.usable = append(cr.usable, i)
		}
	}
	for _, i := range cr.usable {
		if runs[i].Type == FullTrainingRun && runConfigID(runs[i]) != "" {
			cr.trained[runConfigID(runs[i])] = true
		}
	}
	return cr
}

// value is run i's value of the metric; it is usable.
func (cr comparedRuns) value(i int) float64 { v, _ := compareValue(cr.runs[i], cr.metric); return v }

// best is the usable run with the best value that accept takes; -1 if none.
func (cr comparedRuns) best(accept func(int) bool) int {
	b := -1
	for _, i := range cr.usable {
		if accept(i) && (b < 0 || Better(cr.metric, cr.value(i), cr.value(b))) {
			b = i
		}
	}
	return b
}

// superseded tells whether run i is a quick test of a config that has a full training
// among the compared runs. It is not a candidate: that config's full training already
// answers what its quick test suggests.
func (cr comparedRuns) superseded(i int) bool {
	return cr.runs[i].Type == QuickTestRun && cr.trained[runConfigID(cr.runs[i])]
}

// roles picks the winner among the candidates, the reference it is measured against, and
// the challenger of that reference: the winner, unless the winner is the reference.
func (cr comparedRuns) roles(base int) (winner, ref, challenger int) {
	runs, best := cr.runs, cr.best
	winner = best(func(i int) bool { return !cr.superseded(i) })
	if runs[winner].Type == QuickTestRun {
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
	challenger = winner
	if ref == winner {
		challenger = best(func(i int) bool { return i != winner && !cr.superseded(i) })
		if challenger < 0 { // every other run is a quick test of a trained config
			challenger = best(func(i int) bool { return i != winner })
		}
	}
	return winner, ref, challenger
}

// supersededNote points out the first superseded quick test that scores higher than the
// winner; "" if none.
func (cr comparedRuns) supersededNote(winner int) string {
	for _, i := range cr.usable {
		if cr.superseded(i) && Better(cr.metric, cr.value(i), cr.value(winner)) {
			return fmt.Sprintf(" The Quick Test of %s scores higher, but %s already has a Full Training here, which stands for it.",
				configTitle(cr.runs[i]), configTitle(cr.runs[i]))
		}
	}
	return ""
}

// noiseRival is a compared quick test of another config that the judge finds within noise
// of the quick test challenger, and the runs per config that would tell them apart; -1
// without a judge or such a run.
func noiseRival(runs []Run, usable []int, challenger int, metric string, noise NoiseJudge) (int, int) {
	if noise == nil || runs[challenger].Type != QuickTestRun {
		return -1, 0
	}
	cfg := runConfigID(runs[challenger])
	for _, i := range usable {
		other := runConfigID(runs[i])
		if runs[i].Type != QuickTestRun || other == "" || other == cfg {
			continue
		}
		if within, n, known := noise.WithinNoise(metric, cfg, other); known && within {
			return i, n
		}
	}
	return -1, 0
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
		"A Quick Test of a config that has a Full Training among the compared runs is not a candidate: that Full Training stands for it. "+
		"When the repeated quick tests of the experiment put the leading Quick Test within run-to-run noise of another compared config (Welch's t-test at 5%%), "+
		"run more replicates of both before a Full Training. "+
		"A Quick Test winner whose config already has a finished Full Training in its experiment, outside the comparison, is not sent to another one: "+
		"the recommendation names that Full Training (the best of them), measures it against the same reference, and offers to compare with it, "+
		"or to promote it when it leads by more than %s. "+
		"Any other winner is measured against the deployed run, else the baseline: if it leads by more than %s, consider promoting it. "+
		"Otherwise there is no meaningful difference.", MetricLabel(metric), better, threshold, threshold, threshold)
}
