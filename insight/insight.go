// Package insight answers "can we decide with confidence?" over the runs of one experiment:
// whether quick tests rank configs as full trainings do (fidelity), which configs are tied
// with the best within run-to-run noise (noise), and how much each parameter moves the
// metric (effects). It is pure domain code, like the root package, but may use gonum's
// statistics; docs/insights.md documents every method.
//
// # Which runs count
//
// A run counts when its status is FINISHED and its value of the metric is finite (not
// NaN, not ±Inf). Failed, killed and running runs, and runs without the metric, never
// count. Runs are grouped by config id (the config_id param when the run has no config);
// a run without either is a group of its own, named by its run name.
package insight

import (
	"cmp"
	"slices"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// RunTypeAuto is the default run type of a Query: quick tests when the experiment has any
// that count, else every run.
const RunTypeAuto = ""

// runTypes are the run types a Query accepts.
var runTypes = []string{mlexp.RunTypeAll, string(mlexp.QuickTestRun), string(mlexp.FullTrainingRun)}

// Query asks for the insights of one experiment's runs on one metric.
type Query struct {
	Metric    string `json:"metric"`               // default recall_at_100
	DatasetID string `json:"dataset_id,omitempty"` // the experiment's dataset; adapters use it to pick the runs
	// RunType is the run type that noise and effects analyse: quick_test, full_training or
	// all. Default: quick_test when any quick test counts (the sweep), else all. Fidelity
	// always pairs quick tests with full trainings.
	RunType string `json:"run_type"`
	// What to try next starts from the best cell of the heatmap over XAxis × YAxis (default
	// embedding_dims × cross_features) with cells aggregated by Agg (default mean), and makes
	// at most Limit suggestions (default 5); see NextQuery.
	XAxis string `json:"x_axis,omitempty"`
	YAxis string `json:"y_axis,omitempty"`
	Agg   string `json:"agg,omitempty"`
	Limit int    `json:"limit,omitempty"`
}

// Check fills in the defaults of q and validates it against runs: an unknown metric or run
// type is an EINVALID error naming the parameter and listing the valid values.
func (q *Query) Check(runs []mlexp.Run) error {
	if q.Metric == "" {
		q.Metric = mlexp.MetricRecallAt100
	}
	if err := mlexp.CheckMetric("metric", q.Metric, runs); err != nil {
		return err
	}
	if q.RunType != RunTypeAuto && !slices.Contains(runTypes, q.RunType) {
		return &mlexp.Error{Code: mlexp.EINVALID, Field: "run_type",
			Message: "run_type: \"" + clip(q.RunType) + "\" is not one of " + strings.Join(runTypes, ", "),
			Details: map[string]any{"valid": runTypes}}
	}
	if q.RunType == RunTypeAuto {
		q.RunType = defaultRunType(runs, q.Metric)
	}
	return nil
}

// defaultRunType is quick_test when any quick test counts for metric, else all.
func defaultRunType(runs []mlexp.Run, metric string) string {
	if len(counted(runs, metric, string(mlexp.QuickTestRun))) > 0 {
		return string(mlexp.QuickTestRun)
	}
	return mlexp.RunTypeAll
}

func clip(v string) string {
	if len(v) > 80 {
		return v[:80] + "…"
	}
	return v
}

// Report is every insight of an experiment on one metric.
type Report struct {
	Metric      string `json:"metric"`
	MetricLabel string `json:"metric_label"`
	Direction   string `json:"direction"` // max or min
	IsFraction  bool   `json:"is_fraction"`
	RunType     string `json:"run_type"` // what noise and effects analysed
	Runs        int    `json:"runs"`     // every run of the experiment
	Counted     int    `json:"counted"`  // runs of RunType that count (finished, finite metric)

	Fidelity Fidelity      `json:"fidelity"`
	Noise    Noise         `json:"noise"`
	Effects  []ParamEffect `json:"effects"`
	Next     *Next         `json:"next"`   // what to try next
	Pareto   Pareto        `json:"pareto"` // the metric against cost and against duration, runs of every type
	Gain     GainEstimate  `json:"gain"`   // expected gain per dollar of a full training of the quick-test winner
	Triage   FailureTriage `json:"triage"` // failed runs by reason and by the axis values that explain them
}

// Analyze computes the report of q over the runs of one experiment. An unknown metric,
// run type, axis or aggregation, or a limit out of range, is an EINVALID error naming the
// field; an experiment without runs that count is not an error, its sections say that
// there is too little data.
func Analyze(runs []mlexp.Run, q Query) (*Report, error) {
	if err := q.Check(runs); err != nil {
		return nil, err
	}
	next, err := NextConfigs(runs, NextQuery{Metric: q.Metric, XAxis: q.XAxis, YAxis: q.YAxis, RunType: q.RunType, Agg: q.Agg, Limit: q.Limit})
	if err != nil {
		return nil, err
	}
	rep := &Report{Metric: q.Metric, MetricLabel: mlexp.MetricLabel(q.Metric), Direction: mlexp.Direction(q.Metric),
		IsFraction: mlexp.IsFraction(q.Metric), RunType: q.RunType, Runs: len(runs)}
	rep.Counted = len(counted(runs, q.Metric, q.RunType))
	rep.Fidelity = QuickTestFidelity(runs, q.Metric)
	rep.Noise = ConfigNoise(runs, q.Metric, q.RunType)
	rep.Effects = EffectsOf(runs, q.Metric, q.RunType)
	rep.Next = next
	rep.Pareto = ParetoFronts(runs, q.Metric)
	rep.Gain = GainPerDollar(runs, q.Metric)
	rep.Triage = Triage(runs)
	return rep, nil
}

// sample is a run that counts, with its group and value.
type sample struct {
	run    *mlexp.Run
	config string // group key: config id, else "run:" + run id
	value  float64
}

// counted returns the runs of runType (all for every type) that count for metric.
func counted(runs []mlexp.Run, metric, runType string) []sample {
	var out []sample
	for i := range runs {
		r := &runs[i]
		if runType != mlexp.RunTypeAll && string(r.Type) != runType {
			continue
		}
		v, ok := r.Metric(metric)
		if r.Status != mlexp.RunFinished || !ok || !finite(v) {
			continue
		}
		out = append(out, sample{run: r, config: configKey(r), value: v})
	}
	return out
}

// configKey is the group of a run: its config id, else a key of its own.
func configKey(r *mlexp.Run) string { return cmp.Or(configID(r), "run:"+r.ID) }

func configID(r *mlexp.Run) string {
	return cmp.Or(r.ConfigID, strings.TrimSpace(r.Params.Get("config_id")))
}

// configName names a group for people: the config name, else its id, else the run name.
func configName(r *mlexp.Run) string { return cmp.Or(r.ConfigName, configID(r), r.Name, r.ID, "?") }

// group is the counting runs of one config, in run order.
type group struct {
	key, id, name string
	values        []float64
	runIDs        []string
}

// groupByConfig groups samples by config, in order of first appearance.
func groupByConfig(samples []sample) []*group {
	var out []*group
	at := map[string]*group{}
	for _, s := range samples {
		g := at[s.config]
		if g == nil {
			g = &group{key: s.config, id: configID(s.run), name: configName(s.run)}
			at[s.config] = g
			out = append(out, g)
		}
		g.values = append(g.values, s.value)
		g.runIDs = append(g.runIDs, s.run.ID)
	}
	return out
}
