package mlexp

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// Limits on how many runs one comparison takes.
const (
	MinCompareRuns = 2
	MaxCompareRuns = 50
)

// Units of the diffs of a MetricRow.
const (
	UnitPP      = "pp"  // percentage points: diffs of fractions such as Recall@k
	UnitSeconds = "s"   // the Duration row
	UnitUSD     = "usd" // the Cost row
)

// MetricDuration is the key of the Duration row of a comparison.
const MetricDuration = "duration_seconds"

// How the baseline of a comparison was chosen.
const (
	BaselineChosen   = "chosen"   // CompareOptions.BaselineID
	BaselineDeployed = "deployed" // the deployed run, which is among the compared runs
	BaselineFirst    = "first"    // the first run, when none is deployed
)

// CompareOptions tune a comparison. Every field is optional.
type CompareOptions struct {
	BaselineID string `json:"baseline_id,omitempty"` // one of the compared runs; default deployed, else first
	Metric     string `json:"metric,omitempty"`      // primary metric of the recommendation; default recall_at_100
	// Noise, when set, lets the recommendation ask for more replicates instead of a full
	// training when the leading quick test is within run-to-run noise of another compared
	// config (see RecommendRule).
	Noise NoiseJudge `json:"-"`
	// Related, when set, are the runs of the compared runs' experiments (compared or not): a
	// leading quick test whose config has a finished full training among them is not sent
	// to another full training (see RecommendRule).
	Related []Run `json:"-"`
	// Towers, when set, is the compared model's tower mapping: the configuration diff places
	// the features of runs logged without tower params by it.
	Towers *TowerMapping `json:"-"`
}

// Comparison is 2 to 50 runs side by side: metrics with diffs against a baseline, duration
// and cost, notes, the configuration diff and a recommendation. Every per-run slice is in
// the order of Runs.
type Comparison struct {
	Runs           []ComparedRun  `json:"runs"`
	BaselineID     string         `json:"baseline_id"`
	BaselineReason string         `json:"baseline_reason"` // chosen, deployed or first
	Metrics        []MetricRow    `json:"metrics"`
	Duration       MetricRow      `json:"duration"`
	Cost           MetricRow      `json:"cost"`
	Notes          []string       `json:"notes"`
	ConfigDiff     []DiffGroup    `json:"config_diff"`
	DiffSummary    []DiffSummary  `json:"diff_summary"`
	Recommendation Recommendation `json:"recommendation"`
	// Lineage says whether the runs were trained on the same data, schema and vocabulary, as
	// ML Metadata records it; nil when no store is configured or it could not be read.
	Lineage *LineageCheck `json:"lineage,omitempty"`
	// ParamsDiff is the spec's params_diff (compare_runs): each param whose values are not
	// the same in every run, with each run's value by run id (null where a run lacks it).
	ParamsDiff map[string]map[string]*string `json:"params_diff"`
}

// ComparedRun is what a comparison shows of each run in its header.
type ComparedRun struct {
	ID         string  `json:"run_id"`
	Name       string  `json:"run_name"`
	ConfigID   string  `json:"config_id"`
	ConfigName string  `json:"config_name"`
	RunType    RunType `json:"run_type"`
	TypeLabel  string  `json:"run_type_label"` // "Quick Test", "Full Training"
	Status     string  `json:"status"`
	Deployed   bool    `json:"is_deployed"`
	// Model is the run's model and where it was found (full trainings; quick tests make
	// none); absent when the comparison was made without reading models or the run has none.
	Model    *RunModel `json:"model,omitempty"`
	Baseline bool      `json:"is_baseline"`
	Start    time.Time `json:"start_time,omitzero"`
	Failure  *Failure  `json:"failure,omitempty"`
	// The spec's fields of a run of compare_runs: its name (the MLflow run name, else its
	// id), every metric's latest value and every param.
	SpecName string            `json:"name"`
	Metrics  MetricValues      `json:"metrics"`
	Params   map[string]string `json:"params"`
}

// MetricRow is one row of the metrics table. Values and Diffs are nil (JSON null) where a
// run has no finite value; Diffs are nil for the baseline itself. Diffs are value minus
// baseline, in percentage points for fractions (DiffUnit "pp"), else in the metric's unit.
type MetricRow struct {
	Metric     string    `json:"metric"`
	Label      string    `json:"label"`
	Direction  string    `json:"direction"` // max or min
	IsFraction bool      `json:"is_fraction"`
	DiffUnit   string    `json:"diff_unit"` // pp, s, usd, or "" for the metric's own unit
	Values     []*Number `json:"values"`
	Texts      []string  `json:"texts"` // "47.3%", "8 min", "$1.42", NoValue
	Diffs      []*Number `json:"diffs"`
	DiffTexts  []string  `json:"diff_texts"` // "+1.2 pp", "-0.06", NoValue; "" for the baseline
	Best       int       `json:"best"`       // index of the best run that did not fail; -1 unless two such runs have a value
	BestRunID  string    `json:"best_run_id,omitempty"`
}

// metricTableOrder is the order of the spec's comparison mock-up; other metrics follow by name.
var metricTableOrder = []string{MetricLoss, MetricRecallAt10, MetricRecallAt50, MetricRecallAt100}

// CompareRuns compares runs, in the order given. It refuses fewer than 2 or more than 50
// runs, runs without an id and duplicate ids (field run_ids), a baseline that is not
// compared (field baseline) and an unknown metric (field metric).
func CompareRuns(runs []Run, opts CompareOptions) (*Comparison, error) {
	if err := checkRunIDs(runs); err != nil {
		return nil, err
	}
	base, reason, err := pickBaseline(runs, opts.BaselineID)
	if err != nil {
		return nil, err
	}
	metric := cmp.Or(opts.Metric, DefaultCompareMetric)
	if err := CheckMetric("metric", metric, runs); err != nil {
		return nil, err
	}
	c := &Comparison{BaselineID: runs[base].ID, BaselineReason: reason, Notes: []string{}, Metrics: []MetricRow{}}
	for i, r := range runs {
		c.Runs = append(c.Runs, ComparedRun{ID: r.ID, Name: r.Name, ConfigID: runConfigID(r), ConfigName: r.ConfigName,
			RunType: r.Type, TypeLabel: r.Type.Label(), Status: r.Status, Deployed: r.Deployed, Baseline: i == base,
			Start: r.Start, Failure: r.Failure, SpecName: runTitle(r), Metrics: specMetrics(r), Params: specParams(r)})
	}
	c.ParamsDiff = paramsDiff(runs)
	for _, m := range tableMetrics(runs) {
		c.Metrics = append(c.Metrics, buildRow(m, MetricLabel(m), runs, base, "",
			func(r Run) (float64, bool) { return compareValue(r, m) }, func(v float64) string { return FormatMetric(m, v) }))
	}
	c.Duration = buildRow(MetricDuration, "Duration", runs, base, UnitSeconds, func(r Run) (float64, bool) {
		d := r.Duration()
		return d.Seconds(), d > 0
	}, func(v float64) string { return FormatDuration(time.Duration(v * float64(time.Second))) })
	c.Cost = buildRow(MetricCostUSD, "Cost", runs, base, UnitUSD, runCost, func(v float64) string { return FormatCost(&v) })
	c.Notes = compareNotes(runs)
	c.ConfigDiff, c.DiffSummary = diffConfigs(runs, base, opts.Towers)
	c.Recommendation = recommend(runs, base, metric, opts.Noise, opts.Related)
	return c, nil
}

func checkRunIDs(runs []Run) error {
	if len(runs) < MinCompareRuns || len(runs) > MaxCompareRuns {
		return InvalidField("run_ids", "compare %d to %d runs, got %d", MinCompareRuns, MaxCompareRuns, len(runs))
	}
	seen := map[string]bool{}
	for i, r := range runs {
		switch {
		case strings.TrimSpace(r.ID) == "":
			return InvalidField("run_ids", "run %d has no id", i+1)
		case seen[r.ID]:
			return InvalidField("run_ids", "run %s is listed twice", quoteValue(r.ID))
		}
		seen[r.ID] = true
	}
	return nil
}

// pickBaseline returns the index of the baseline: the chosen run, else the first deployed
// run, else the first run.
func pickBaseline(runs []Run, id string) (int, string, error) {
	if id != "" {
		if i := slices.IndexFunc(runs, func(r Run) bool { return r.ID == id }); i >= 0 {
			return i, BaselineChosen, nil
		}
		return 0, "", InvalidField("baseline", "run %s is not one of the compared runs", quoteValue(id))
	}
	if i := slices.IndexFunc(runs, func(r Run) bool { return r.Deployed }); i >= 0 {
		return i, BaselineDeployed, nil
	}
	return 0, BaselineFirst, nil
}

// tableMetrics are the metrics any run has: the spec's four first, then the rest by name.
// cost_usd has its own row; final_loss is shown as Loss (readers fall back to it).
func tableMetrics(runs []Run) []string {
	has := map[string]bool{}
	for _, r := range runs {
		for k := range r.Metrics.All() {
			if k == MetricFinalLoss {
				k = MetricLoss
			}
			has[k] = true
		}
	}
	var out, extra []string
	for _, m := range metricTableOrder {
		if has[m] {
			out = append(out, m)
		}
	}
	for m := range has {
		if !slices.Contains(metricTableOrder, m) && m != MetricCostUSD {
			extra = append(extra, m)
		}
	}
	slices.Sort(extra)
	return append(out, extra...)
}

// compareValue is the run's finite value of metric; loss falls back to final_loss.
func compareValue(r Run, metric string) (float64, bool) {
	v, ok := r.Metrics.Lookup(metric)
	if !ok && metric == MetricLoss {
		v, ok = r.Metrics.Lookup(MetricFinalLoss)
	}
	return v, ok && IsFinite(v)
}

func runCost(r Run) (float64, bool) {
	if r.CostUSD != nil && IsFinite(*r.CostUSD) {
		return *r.CostUSD, true
	}
	return compareValue(r, MetricCostUSD)
}

// roundDiff drops float noise ((0.473-0.461)*100 is 1.2000000000000002) so that JSON shows
// 1.2 and a diff of exactly the threshold compares equal to it.
func roundDiff(v float64) float64 { return math.Round(v*1e9) / 1e9 }

// buildRow fills one row of values and diffs. unit "" means the metric's own: pp for
// fractions, else the plain difference.
func buildRow(key, label string, runs []Run, base int, unit string, value func(Run) (float64, bool), text func(float64) string) MetricRow {
	n := len(runs)
	row := MetricRow{Metric: key, Label: label, Direction: Direction(key), IsFraction: IsFraction(key), DiffUnit: unit,
		Values: make([]*Number, n), Texts: make([]string, n), Diffs: make([]*Number, n), DiffTexts: make([]string, n), Best: -1}
	scale := 1.0
	if unit == "" && row.IsFraction {
		row.DiffUnit, scale = UnitPP, 100
	}
	baseValue, baseOK := value(runs[base])
	ranked := 0
	for i, r := range runs {
		row.Texts[i], row.DiffTexts[i] = NoValue, NoValue
		if i == base {
			row.DiffTexts[i] = ""
		}
		v, ok := value(r)
		if !ok {
			continue
		}
		row.Values[i], row.Texts[i] = new(Number(v)), text(v)
		if i != base && baseOK {
			d := roundDiff((v - baseValue) * scale)
			row.Diffs[i], row.DiffTexts[i] = new(Number(d)), formatDiff(key, row.DiffUnit, d)
		}
		if !r.Failed() {
			ranked++
			if row.Best < 0 || Better(key, v, float64(*row.Values[row.Best])) {
				row.Best = i
			}
		}
	}
	if ranked < 2 {
		row.Best = -1
	} else {
		row.BestRunID = runs[row.Best].ID
	}
	return row
}

// formatDiff writes a signed diff of metric in unit: "+1.2 pp", "-0.06", "-2h 50m",
// "+$30.68", "0.0 pp". Metric diffs follow the metric's precision (FormatMetricDiff).
func formatDiff(metric, unit string, d float64) string {
	switch unit {
	case UnitSeconds:
		sign := map[bool]string{true: "-", false: "+"}[d < 0]
		if d == 0 {
			sign = ""
		}
		return sign + FormatDuration(time.Duration(math.Abs(d)*float64(time.Second)))
	case UnitUSD:
		return FormatMetricDiff(MetricCostUSD, d)
	case UnitPP:
		if !IsFraction(metric) {
			metric = MetricRecallAt100 // any fraction: diffs in percentage points
		}
	}
	return FormatMetricDiff(metric, d)
}

// compareNotes warns that quick-test metrics are indicative (with each distinct setting of
// data sample and epochs) and names the failed runs, which are never recommended.
func compareNotes(runs []Run) []string {
	notes := []string{}
	var settings []string
	quick := false
	for _, r := range runs {
		if r.Type != QuickTestRun {
			continue
		}
		quick = true
		var parts []string
		if v := strings.TrimSpace(r.Params.Get("data_sample_percent")); v != "" {
			parts = append(parts, v+"% data")
		}
		if v := strings.TrimSpace(r.Params.Get("epochs")); v != "" {
			parts = append(parts, v+" epochs")
		}
		if s := strings.Join(parts, ", "); s != "" && !slices.Contains(settings, s) {
			settings = append(settings, s)
		}
	}
	if quick {
		if len(settings) == 0 {
			settings = []string{"reduced data and epochs"}
		}
		notes = append(notes, "Quick Test metrics are indicative ("+strings.Join(settings, "; ")+")")
	}
	for _, r := range runs {
		if r.Failed() {
			why := ""
			if r.Failure != nil && r.Failure.Reason != "" {
				why = " (" + r.Failure.Reason + ")"
			}
			notes = append(notes, runTitle(r)+" "+strings.ToLower(r.Status)+why+": it is never recommended")
		}
	}
	return notes
}

// runTitle names a run for people: its run name, else its id.
func runTitle(r Run) string { return cmp.Or(r.Name, r.ID) }

// configTitle names a run's configuration: "config-042".
func configTitle(r Run) string { return cmp.Or(r.ConfigName, runConfigID(r), runTitle(r)) }

func runConfigID(r Run) string { return cmp.Or(r.ConfigID, r.Params.Get("config_id")) }
