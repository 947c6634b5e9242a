package insight

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// GainEstimate is the expected gain per dollar of promoting the quick-test winner to a full
// training, measured against the deployed model, with every input it rests on. Values of the
// metric (QuickMean, Offset, ExpectedFull, DeployedValue) are in the metric's own units (a
// fraction for Recall@k); Gain and GainPerDollar are in Unit: percentage points for
// fractions, else the metric's units. Gain is positive when the winner is expected to be
// better, whatever the metric's direction. A field that could not be computed is null.
type GainEstimate struct {
	Metric      string `json:"metric"`
	MetricLabel string `json:"metric_label"`
	Direction   string `json:"direction"` // max or min
	Unit        string `json:"unit"`      // pp, or "" for the metric's own units
	Available   bool   `json:"available"` // GainPerDollar was computed
	Reason      string `json:"reason,omitempty"`

	WinnerConfigID      string        `json:"winner_config_id"`
	WinnerRunIDs        []string      `json:"winner_run_ids"`        // its quick tests that count
	QuickMean           *mlexp.Number `json:"quick_mean"`            // mean of those quick tests
	WinnerFullTrainings int           `json:"winner_full_trainings"` // full trainings it already has
	// QuickMeanShrunk is QuickMean shrunk towards the grand mean of every config's quick
	// tests (empirical Bayes, as the noise section); Shrunk says ExpectedFull, Gain and
	// GainPerDollar rest on it. Null, and false, when noise is unknown or fewer than 3 configs
	// have quick tests: then they rest on the raw mean.
	QuickMeanShrunk *mlexp.Number `json:"quick_mean_shrunk"`
	Shrunk          bool          `json:"shrunk"`

	Offset        *mlexp.Number `json:"offset"`         // expected full − quick, metric units
	OffsetPairs   int           `json:"offset_pairs"`   // configs with both that it averages
	OffsetConfigs []string      `json:"offset_configs"` // those configs
	OffsetAssumed bool          `json:"offset_assumed"` // no config has both: offset taken as 0
	ExpectedFull  *mlexp.Number `json:"expected_full"`  // QuickMeanShrunk (QuickMean when not Shrunk) + Offset; Measured: the full trainings' mean
	// Measured says the winner has finished full trainings: ExpectedFull (and the _raw
	// fields) is their measured mean, not an estimate from its quick tests.
	Measured bool `json:"measured"`
	// ExpectedFullRaw, GainRaw and GainPerDollarRaw are the same from the raw QuickMean,
	// biased upward: the winner is the highest of noisy means.
	ExpectedFullRaw *mlexp.Number `json:"expected_full_raw"`

	DeployedRunID    string        `json:"deployed_run_id,omitempty"`
	DeployedConfigID string        `json:"deployed_config_id,omitempty"`
	DeployedValue    *mlexp.Number `json:"deployed_value"`

	Gain             *mlexp.Number `json:"gain"`            // improvement over deployed, in Unit
	Cost             *mlexp.Number `json:"cost_usd"`        // typical full-training cost, dollars
	CostSource       string        `json:"cost_source"`     // config or full_trainings
	CostRuns         int           `json:"cost_runs"`       // full trainings whose median cost it is
	GainPerDollar    *mlexp.Number `json:"gain_per_dollar"` // Gain / Cost, in Unit per dollar
	GainRaw          *mlexp.Number `json:"gain_raw"`
	GainPerDollarRaw *mlexp.Number `json:"gain_per_dollar_raw"`

	Assumptions []string `json:"assumptions"`
}

// Sources of the cost of a GainEstimate.
const (
	CostOfConfig        = "config"         // median of the winner's own full trainings
	CostOfFullTrainings = "full_trainings" // median of every full training
)

// GainPerDollar estimates what promoting the quick-test winner to a full training would buy
// per dollar, against the deployed model. Only FINISHED runs with a finite metric count;
// runs are grouped by config id (the config_id param when the run has none).
//
//  1. Winner: the config whose quick tests have the best mean of metric (per its direction).
//  2. Offset: for each config with both quick tests and full trainings, mean(full) −
//     mean(quick); the offset is the mean of those differences over configs. With no such
//     config the offset is assumed to be 0 (OffsetAssumed): the quick-test mean is taken as
//     the full-training expectation, which usually flatters quick tests.
//  3. Expected full-training value: the measured mean of the winner's finished full
//     trainings when it has any (Measured); else the winner's quick mean shrunk towards the grand mean
//     (empirical Bayes over every config's quick tests, as ConfigNoise; the raw mean when
//     noise is unknown or fewer than 3 configs have quick tests) + offset. The raw quick
//     mean + offset, and the gains from it, are kept as the _raw fields.
//  4. Gain: expected − deployed value for metrics where higher is better, deployed − expected
//     where lower is better, ×100 (percentage points) for fractions. The deployed run is the
//     run marked is_deployed (the latest started if several are) and needs a finite value.
//  5. Cost: the median cost_usd of the winner's finished full trainings when it has any with
//     a cost, else the median over every finished full training with a cost.
//  6. Gain per dollar = gain / cost.
//
// It cannot be computed, and Reason says why, when no quick test counts, no run is deployed
// or the deployed run has no finite value, no finished full training has a known cost, or
// that cost is 0. Every input that could be found is still filled in.
func GainPerDollar(runs []mlexp.Run, metric string) GainEstimate {
	g := GainEstimate{Metric: metric, MetricLabel: mlexp.MetricLabel(metric), Direction: mlexp.Direction(metric),
		WinnerRunIDs: []string{}, OffsetConfigs: []string{}, Assumptions: []string{}}
	scale := 1.0
	if mlexp.IsFraction(metric) {
		g.Unit, scale = mlexp.UnitPP, 100
	}
	by := resultsByConfig(runs, metric)
	winner := by.quickWinner(metric)
	offset := g.setOffset(by, winner != "" && by.full[winner] != nil)
	g.setWinner(by, winner, offset)
	if !g.Measured {
		g.shrinkWinner(runs, metric, winner, offset)
	}
	g.setDeployed(runs, metric)
	gainOf := func(expected *mlexp.Number) *mlexp.Number {
		if expected == nil || g.DeployedValue == nil {
			return nil
		}
		gain := float64(*expected) - float64(*g.DeployedValue)
		if mlexp.LowerIsBetter(metric) {
			gain = -gain
		}
		return new(mlexp.Number(gain * scale))
	}
	g.Gain, g.GainRaw = gainOf(g.ExpectedFull), gainOf(g.ExpectedFullRaw)
	g.setCost(runs, winner)
	if g.Reason == "" {
		if perDollar := float64(*g.Gain) / float64(*g.Cost); finite(perDollar) {
			g.GainPerDollar = new(mlexp.Number(perDollar))
			g.GainPerDollarRaw = num(float64(*g.GainRaw) / float64(*g.Cost))
			g.Available = true
		} else { // a cost too close to $0 for a number
			g.Reason = fmt.Sprintf("A full training costs $%g: too little for a gain per dollar.", float64(*g.Cost))
		}
	}
	g.rawAssumption(metric)
	return g
}

// shrinkWinner shrinks the winner's quick mean towards the grand mean of every config's
// quick tests and bases ExpectedFull on it, or says why it cannot.
func (g *GainEstimate) shrinkWinner(runs []mlexp.Run, metric, winner string, offset float64) {
	if g.QuickMean == nil {
		return
	}
	groups := groupByConfig(counted(runs, metric, string(mlexp.QuickTestRun)))
	est, _, _ := estimates(groups)
	sh := shrinkMeans(est)
	i := slices.IndexFunc(groups, func(gr *group) bool { return gr.key == winner })
	if !sh.ok || i < 0 {
		g.Assumptions = append(g.Assumptions, "The winner's quick mean is not shrunk (run-to-run noise is unknown or fewer than 3 configs have quick tests): "+
			"the highest of noisy means is biased upward, so the expected value is optimistic.")
		return
	}
	g.QuickMeanShrunk, g.Shrunk = num(sh.shrunk[i]), true
	g.ExpectedFull = num(sh.shrunk[i] + offset)
	g.Assumptions = append(g.Assumptions, fmt.Sprintf("The winner's quick mean %s is shrunk to %s towards the grand mean %s of the %d configs' quick tests "+
		"(empirical Bayes, between-config SD %s): the highest of noisy means is biased upward.",
		fmtValue(metric, float64(*g.QuickMean)), fmtValue(metric, sh.shrunk[i]), fmtValue(metric, sh.mu), len(est), FormatSize(metric, math.Sqrt(sh.tau2))))
}

// rawAssumption states the gain of the raw, unshrunk quick mean, when it differs.
func (g *GainEstimate) rawAssumption(metric string) {
	if !g.Shrunk || g.GainRaw == nil {
		return
	}
	text := fmt.Sprintf("Unshrunk, the expected gain would be %s", fmtGain(float64(*g.GainRaw), g.Unit))
	if g.GainPerDollarRaw != nil {
		text += fmt.Sprintf(" (%.3g%s per dollar)", float64(*g.GainPerDollarRaw), map[string]string{mlexp.UnitPP: " pp"}[g.Unit])
	}
	g.Assumptions = append(g.Assumptions, text+".")
}

// configResults are the finite values of a metric of finished runs by config: of quick
// tests (one without a config is a config of its own, "run:" and its id) and of full
// trainings (one without a config is left out).
type configResults struct {
	quick, full map[string][]float64
	quickIDs    map[string][]string // the runs behind quick
	order       []string            // quick-test configs in order of first appearance
}

// resultsByConfig groups the FINISHED runs with a finite value of metric by config.
func resultsByConfig(runs []mlexp.Run, metric string) configResults {
	by := configResults{quick: map[string][]float64{}, full: map[string][]float64{}, quickIDs: map[string][]string{}}
	for _, r := range runs {
		v, ok := finiteMetric(r, metric)
		if r.Status != mlexp.RunFinished || !ok {
			continue
		}
		k := runConfig(r)
		switch r.Type {
		case mlexp.QuickTestRun:
			if k == "" {
				k = "run:" + r.ID
			}
			if by.quick[k] == nil {
				by.order = append(by.order, k)
			}
			by.quick[k] = append(by.quick[k], v)
			by.quickIDs[k] = append(by.quickIDs[k], r.ID)
		case mlexp.FullTrainingRun:
			if k != "" {
				by.full[k] = append(by.full[k], v)
			}
		}
	}
	return by
}

// quickWinner is the config whose quick tests have the best mean of metric; among means
// that tie, the one with more runs, then the first in order, as the noise section ranks
// them; "" when there are no quick tests.
func (by configResults) quickWinner(metric string) string {
	winner := ""
	for _, k := range by.order {
		m, w := meanOf(by.quick[k]), meanOf(by.quick[winner])
		if winner == "" || better(metric, m, w) || (sameValue(m, w) && len(by.quick[k]) > len(by.quick[winner])) {
			winner = k
		}
	}
	return winner
}

// setOffset fills in the expected full − quick offset, and returns it: the mean difference
// over the configs that have both, else 0 (assumed). It states its assumption unless the
// winner's value is measured, which needs no offset.
func (g *GainEstimate) setOffset(by configResults, measured bool) float64 {
	var diffs []float64
	for _, k := range by.order {
		if by.full[k] != nil {
			diffs = append(diffs, meanOf(by.full[k])-meanOf(by.quick[k]))
			g.OffsetConfigs = append(g.OffsetConfigs, k)
		}
	}
	g.OffsetPairs = len(diffs)
	offset := 0.0
	switch {
	case len(diffs) > 0:
		offset = meanOf(diffs)
		if !measured {
			g.Assumptions = append(g.Assumptions, "The full-training value of the winner is its quick-test mean plus the mean full − quick difference of the configs that have both.")
		}
	default:
		g.OffsetAssumed = true
		g.Assumptions = append(g.Assumptions, "No config has both a quick test and a full training: the offset is assumed to be 0, so the quick-test mean stands for the full-training value (optimistic: quick tests are on a sample for a few epochs).")
	}
	g.Offset = new(mlexp.Number(offset))
	return offset
}

// setWinner fills in the quick-test winner and its expected full-training value, or the
// Reason when there is none.
func (g *GainEstimate) setWinner(by configResults, winner string, offset float64) {
	if winner == "" {
		g.Reason = "No finished quick test has a finite " + g.MetricLabel + "."
		return
	}
	w := by.quick[winner]
	if !strings.HasPrefix(winner, "run:") {
		g.WinnerConfigID = winner
	}
	g.WinnerRunIDs = by.quickIDs[winner]
	g.QuickMean = new(mlexp.Number(meanOf(w)))
	g.WinnerFullTrainings = len(by.full[winner])
	g.ExpectedFull = new(mlexp.Number(meanOf(w) + offset))
	g.ExpectedFullRaw = g.ExpectedFull
	if n := g.WinnerFullTrainings; n > 0 {
		g.ExpectedFull, g.Measured = new(mlexp.Number(meanOf(by.full[winner]))), true
		g.ExpectedFullRaw = g.ExpectedFull
		g.Assumptions = append(g.Assumptions, fmt.Sprintf("The winner already has %s: the value is their measured mean, not an estimate from its quick tests.",
			mlexp.Plural(n, "finished full training", "finished full trainings")))
	}
}

// setDeployed fills in the deployed run and its value of metric, or the Reason (unless one
// is given already) when there is none.
func (g *GainEstimate) setDeployed(runs []mlexp.Run, metric string) {
	dep := deployedRun(runs)
	if dep == nil {
		g.Reason = cmp.Or(g.Reason, "No run is marked deployed: there is nothing to gain over.")
		return
	}
	g.DeployedRunID, g.DeployedConfigID = dep.ID, runConfig(*dep)
	if v, ok := finiteMetric(*dep, metric); ok {
		g.DeployedValue = new(mlexp.Number(v))
	} else {
		g.Reason = cmp.Or(g.Reason, "The deployed run has no finite "+g.MetricLabel+".")
	}
}

// setCost fills in the typical cost of a full training, the winner's own if it has any,
// or the Reason (unless one is given already) when it is unknown or $0.
func (g *GainEstimate) setCost(runs []mlexp.Run, winner string) {
	costs, all := fullTrainingCosts(runs)
	if c := costs[winner]; winner != "" && len(c) > 0 {
		g.Cost, g.CostSource, g.CostRuns = new(mlexp.Number(medianOf(c))), CostOfConfig, len(c)
	} else if len(all) > 0 {
		g.Cost, g.CostSource, g.CostRuns = new(mlexp.Number(medianOf(all))), CostOfFullTrainings, len(all)
	}
	switch {
	case g.Cost == nil:
		g.Reason = cmp.Or(g.Reason, "No finished full training has a known cost.")
	case *g.Cost == 0:
		g.Reason = cmp.Or(g.Reason, "Full trainings cost $0: a gain per dollar is undefined.")
	default:
		g.Assumptions = append(g.Assumptions, "A full training costs the median cost of "+map[string]string{CostOfConfig: "the winner's own full trainings.", CostOfFullTrainings: "every finished full training."}[g.CostSource])
	}
}

// fullTrainingCosts are the known costs of finished full trainings, by config and all.
func fullTrainingCosts(runs []mlexp.Run) (map[string][]float64, []float64) {
	by := map[string][]float64{}
	var all []float64
	for _, r := range runs {
		if c, ok := knownCost(r); ok && r.Type == mlexp.FullTrainingRun && r.Status == mlexp.RunFinished {
			all = append(all, c)
			if k := runConfig(r); k != "" {
				by[k] = append(by[k], c)
			}
		}
	}
	return by, all
}

// deployedRun is the run marked deployed, the latest started if several are; nil if none.
func deployedRun(runs []mlexp.Run) *mlexp.Run {
	var d *mlexp.Run
	for i := range runs {
		if runs[i].Deployed && (d == nil || runs[i].Start.After(d.Start)) {
			d = &runs[i]
		}
	}
	return d
}

func medianOf(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
