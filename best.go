package mlexp

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Defaults of best-model selection: the spec's Deployment domain asks for the full training
// with the best Recall@100.
const (
	DefaultBestMetric  = MetricRecallAt100
	DefaultBestRunType = string(FullTrainingRun)
)

// The gates of best-model selection, in the order they are applied. Each run is counted
// against the first gate that removes it.
const (
	GateRunType  = "run_type"  // of another run type
	GateStatus   = "status"    // failed or killed; or running, unless allowed
	GateMetric   = "metric"    // no finite value of the metric (missing, NaN or ±Inf)
	GateMinValue = "min_value" // value below min_value
	GateMaxValue = "max_value" // value above max_value
	GateModelURI = "model_uri" // nothing to deploy: no logged model, MLmodel directory or model/model_uri.txt
)

// BestTieBreak is the documented rule for runs with exactly the same value.
const BestTieBreak = "equal values: the run that finished earlier wins (a run without an end time comes last), then the smaller run id"

// BestSelector picks the run of an experiment to deploy (tracking.Selector): the domain
// ranks runs (RankForDeployment), the selector reads the model URIs of the best from MLflow
// and the model's deployed run, from any of its experiments, for the margin.
type BestSelector interface {
	SelectBest(ctx context.Context, modelID string, runs []Run, q BestQuery) (*Best, error)
}

// BestQuery says how to pick the run to deploy. The zero value asks for the FINISHED full
// training with the best Recall@100.
type BestQuery struct {
	Metric       string   `json:"metric"`
	RunType      string   `json:"run_type"` // quick_test, full_training or all
	MinValue     *float64 `json:"min_value"`
	MaxValue     *float64 `json:"max_value"`
	AllowRunning bool     `json:"allow_running"` // admit RUNNING runs; failed and killed never are
}

// Normalize fills in the defaults and checks the query; errors name the API's parameter.
func (q *BestQuery) Normalize() error {
	q.Metric = strings.TrimSpace(q.Metric)
	if q.Metric == "" {
		q.Metric = DefaultBestMetric
	}
	if len(q.Metric) > 250 {
		return InvalidField("metric", "is longer than 250 characters")
	}
	switch q.RunType {
	case "":
		q.RunType = DefaultBestRunType
	case string(QuickTestRun), string(FullTrainingRun), RunTypeAll:
	default:
		return &Error{Code: EINVALID, Field: "run_type", Message: fmt.Sprintf("run_type: %q is not one of quick_test, full_training, all", q.RunType),
			Details: map[string]any{"valid": []string{string(QuickTestRun), string(FullTrainingRun), RunTypeAll}}}
	}
	for _, g := range []struct {
		name string
		v    *float64
	}{{GateMinValue, q.MinValue}, {GateMaxValue, q.MaxValue}} {
		if g.v != nil && !IsFinite(*g.v) {
			return InvalidField(g.name, "must be a finite number")
		}
	}
	if q.MinValue != nil && q.MaxValue != nil && *q.MinValue > *q.MaxValue {
		return InvalidField(GateMinValue, "%g is above max_value %g", *q.MinValue, *q.MaxValue)
	}
	return nil
}

// GateCount is how many runs one gate of the selection removed.
type GateCount struct {
	Gate    string `json:"gate"`
	Rule    string `json:"rule"`
	Removed int    `json:"removed"`
}

// Ranking is the first step of the selection: the runs that pass every gate but the model
// URI, best first, and what each gate removed.
type Ranking struct {
	Query      BestQuery
	Considered int
	Eligible   []Run
	Gates      []GateCount // every gate but model_uri, in order
}

// RankForDeployment applies the gates of q (normalized) to runs and orders the runs that pass
// best first by the metric's direction, ties broken by BestTieBreak. It does not look at
// model URIs, which live in MLflow artifacts: SelectBest does, with what the caller read.
func RankForDeployment(runs []Run, q BestQuery) Ranking {
	rk := Ranking{Query: q, Considered: len(runs)}
	dir := "higher"
	if LowerIsBetter(q.Metric) {
		dir = "lower"
	}
	rk.Gates = []GateCount{
		{Gate: GateRunType, Rule: "run_type is " + q.RunType},
		{Gate: GateStatus, Rule: "status is FINISHED"},
		{Gate: GateMetric, Rule: "has a finite " + q.Metric + " (" + dir + " is better)"},
		{Gate: GateMinValue, Rule: "no minimum"},
		{Gate: GateMaxValue, Rule: "no maximum"},
	}
	if q.RunType == RunTypeAll {
		rk.Gates[0].Rule = "any run type"
	}
	if q.AllowRunning {
		rk.Gates[1].Rule = "status is FINISHED or RUNNING"
	}
	if q.MinValue != nil {
		rk.Gates[3].Rule = fmt.Sprintf("%s ≥ %g", q.Metric, *q.MinValue)
	}
	if q.MaxValue != nil {
		rk.Gates[4].Rule = fmt.Sprintf("%s ≤ %g", q.Metric, *q.MaxValue)
	}
	for _, r := range runs {
		v, ok := r.Metrics.Lookup(q.Metric)
		gate := -1
		switch {
		case q.RunType != RunTypeAll && string(r.Type) != q.RunType:
			gate = 0
		case !(r.Status == RunFinished || (q.AllowRunning && r.Status == RunRunning)):
			gate = 1
		case !ok || !IsFinite(v):
			gate = 2
		case q.MinValue != nil && v < *q.MinValue:
			gate = 3
		case q.MaxValue != nil && v > *q.MaxValue:
			gate = 4
		}
		if gate >= 0 {
			rk.Gates[gate].Removed++
			continue
		}
		rk.Eligible = append(rk.Eligible, r)
	}
	slices.SortStableFunc(rk.Eligible, func(a, b Run) int { return compareForDeployment(q.Metric, a, b) })
	return rk
}

// compareForDeployment orders a before b when a is the better run to deploy.
func compareForDeployment(metric string, a, b Run) int {
	va, _ := a.Metrics.Lookup(metric)
	vb, _ := b.Metrics.Lookup(metric)
	switch {
	case Better(metric, va, vb):
		return -1
	case Better(metric, vb, va):
		return 1
	}
	ea, eb := a.End, b.End
	switch {
	case ea.IsZero() != eb.IsZero():
		if ea.IsZero() {
			return 1
		}
		return -1
	case !ea.Equal(eb):
		return ea.Compare(eb)
	}
	return cmp.Compare(a.ID, b.ID)
}

// Best is the answer to "which run should be deployed?".
type Best struct {
	Query      BestQuery `json:"query"`
	Direction  string    `json:"direction"` // max or min
	Eligible   bool      `json:"eligible"`
	Reason     string    `json:"reason,omitempty"` // why no run is eligible
	Considered int       `json:"considered"`       // runs looked at
	// Candidates is how many runs passed every gate but model_uri; ModelURIChecked how many
	// of them, best first, had their model URI read.
	Candidates      int            `json:"candidates"`
	ModelURIChecked int            `json:"model_uri_checked"`
	Gates           []GateCount    `json:"gates"`
	TieBreak        string         `json:"tie_break"`
	Run             *BestCandidate `json:"run"`       // nil when no run is eligible
	RunnerUp        *BestCandidate `json:"runner_up"` // nil when only one run is
	Lead            *Margin        `json:"lead_over_runner_up"`
	Deployed        *BestCandidate `json:"deployed"`             // the model's deployed run, if any
	OverDeployed    *Margin        `json:"margin_over_deployed"` // nil without a deployed run with a value
}

// BestCandidate is a run as the selection shows it: what to deploy and why.
type BestCandidate struct {
	RunID          string            `json:"run_id"`
	RunName        string            `json:"run_name"`
	ExperimentID   string            `json:"experiment_id"`
	RunType        RunType           `json:"run_type"`
	Status         string            `json:"status"`
	ConfigID       string            `json:"config_id"`
	ConfigName     string            `json:"config_name"`
	Config         map[string]string `json:"config"` // the run's params
	Metrics        MetricValues      `json:"metrics"`
	Value          *Number           `json:"value"` // of the query's metric
	ValueText      string            `json:"value_text"`
	ModelURI       string            `json:"model_uri"`
	Model          *RunModel         `json:"model"` // the model and where it was found; nil when only its URI is known
	DatasetID      string            `json:"dataset_id"`
	DatasetVersion string            `json:"dataset_version"`
	EndTime        *time.Time        `json:"end_time"`
	IsDeployed     bool              `json:"is_deployed"`
}

// Margin is how much better one run is than another by the query's metric: Improvement is
// positive when the first is better, whatever the direction (for loss, the reduction);
// Difference is the plain first minus second. Text says it for people: "+0.9 pp" for recall.
type Margin struct {
	Against     string `json:"against"` // run id
	Improvement Number `json:"improvement"`
	Difference  Number `json:"difference"`
	Text        string `json:"text"`
}

// SelectBest finishes the selection: it walks the ranking best first and keeps the first two
// runs with a model URI. modelURIs holds what the caller read, by run id ("" when the run has
// none); the walk stops at the first run it has not read, so a caller reads URIs in ranking
// order until SelectBest has two (NeedModelURIs tells which). deployed is the model's deployed
// run, nil when there is none.
func SelectBest(rk Ranking, modelURIs map[string]string, deployed *Run) *Best {
	return SelectBestModel(rk, modelURIs, nil, deployed)
}

// SelectBestModel is SelectBest that also shows where each pick's model was found: models
// holds the models read, by run id (nil for a run without one).
func SelectBestModel(rk Ranking, modelURIs map[string]string, models map[string]*RunModel, deployed *Run) *Best {
	q := rk.Query
	b := &Best{Query: q, Direction: Direction(q.Metric), Considered: rk.Considered, Candidates: len(rk.Eligible),
		Gates: slices.Clone(rk.Gates), TieBreak: BestTieBreak}
	uriGate := GateCount{Gate: GateModelURI, Rule: "has a model: a logged model, an MLmodel artifact directory or model/model_uri.txt"}
	var picked []Run
	for _, r := range rk.Eligible {
		uri, read := modelURIs[r.ID]
		if !read || len(picked) == 2 {
			break
		}
		b.ModelURIChecked++
		if uri == "" {
			uriGate.Removed++
			continue
		}
		picked = append(picked, r)
	}
	b.Gates = append(b.Gates, uriGate)
	if deployed != nil {
		b.Deployed = candidate(*deployed, q.Metric, "")
		b.Deployed.IsDeployed = true
	}
	if len(picked) == 0 {
		b.Reason = noEligibleReason(b)
		return b
	}
	b.Eligible = true
	b.Run = candidate(picked[0], q.Metric, modelURIs[picked[0].ID])
	b.Run.Model = models[picked[0].ID]
	if len(picked) > 1 {
		b.RunnerUp = candidate(picked[1], q.Metric, modelURIs[picked[1].ID])
		b.RunnerUp.Model = models[picked[1].ID]
		b.Lead = margin(q.Metric, picked[0], picked[1])
	}
	if deployed != nil {
		b.Run.IsDeployed = picked[0].ID == deployed.ID
		if b.RunnerUp != nil {
			b.RunnerUp.IsDeployed = picked[1].ID == deployed.ID
		}
		b.OverDeployed = margin(q.Metric, picked[0], *deployed)
	}
	return b
}

// NeedModelURIs lists the runs of the ranking, best first, whose model URI SelectBest would
// look at next, given those already read: read them and call again until it returns none.
func NeedModelURIs(rk Ranking, modelURIs map[string]string, batch int) []string {
	found := 0
	var need []string
	for _, r := range rk.Eligible {
		if found == 2 || len(need) == batch {
			break
		}
		uri, read := modelURIs[r.ID]
		switch {
		case !read:
			need = append(need, r.ID)
		case uri != "":
			found++
		}
	}
	return need
}

func noEligibleReason(b *Best) string {
	var parts []string
	for _, g := range b.Gates {
		if g.Removed > 0 {
			parts = append(parts, fmt.Sprintf("%s removed %d (%s)", g.Gate, g.Removed, g.Rule))
		}
	}
	if n := b.Candidates - b.ModelURIChecked; n > 0 {
		parts = append(parts, fmt.Sprintf("%d more were not checked for a model URI", n))
	}
	if b.Considered == 0 {
		return "no eligible run: the experiment has no runs"
	}
	return fmt.Sprintf("no eligible run: of %d runs, %s", b.Considered, strings.Join(parts, "; "))
}

func candidate(r Run, metric, uri string) *BestCandidate {
	c := &BestCandidate{RunID: r.ID, RunName: r.Name, ExperimentID: r.ExperimentID, RunType: r.Type, Status: r.Status,
		ConfigID: r.ConfigID, ConfigName: r.ConfigName, Config: r.Params.Map(), Metrics: r.Metrics, ModelURI: uri,
		DatasetID: r.DatasetID, DatasetVersion: r.DatasetVersion, ValueText: NoValue}
	if c.Config == nil {
		c.Config = map[string]string{}
	}
	if v, ok := r.Metrics.Lookup(metric); ok && IsFinite(v) {
		n := Number(v)
		c.Value, c.ValueText = &n, FormatMetric(metric, v)
	}
	if !r.End.IsZero() {
		end := r.End
		c.EndTime = &end
	}
	return c
}

// margin is how much better a is than b by metric; nil when either lacks a finite value.
func margin(metric string, a, b Run) *Margin {
	va, oka := a.Metrics.Lookup(metric)
	vb, okb := b.Metrics.Lookup(metric)
	if !oka || !okb || !IsFinite(va) || !IsFinite(vb) {
		return nil
	}
	d := roundDiff(va - vb)
	imp := d
	if LowerIsBetter(metric) {
		imp = -d
	}
	unit := ""
	if IsFraction(metric) {
		unit, d = UnitPP, roundDiff((va-vb)*100)
	}
	return &Margin{Against: b.ID, Improvement: Number(imp), Difference: Number(roundDiff(va - vb)), Text: formatDiff(metric, unit, d)}
}
