package mlexp

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// DefaultRecent is how many recent runs a summary lists when the caller does not say.
const DefaultRecent = 10

// DeployedNote is the note on the recent-run card of the deployed run.
const DeployedNote = "Promoted for deployment"

// Summary is the top of the experiments dashboard: the counts, the best run by one metric,
// the deployed run, and the most recent runs.
type Summary struct {
	Metric        string      `json:"metric"`
	MetricLabel   string      `json:"metric_label"`
	Direction     string      `json:"direction"` // max or min
	Total         int         `json:"total"`
	QuickTests    int         `json:"quick_tests"`
	FullTrainings int         `json:"full_trainings"`
	Failed        int         `json:"failed"` // failed or killed, of any type
	Running       int         `json:"running"`
	Best          *SummaryRun `json:"best"`     // nil when no run has the metric
	Deployed      *SummaryRun `json:"deployed"` // nil when no run is tagged is_deployed
	Recent        []RecentRun `json:"recent"`
}

// SummaryRun is the run behind a summary card (best, deployed) and its value of the metric.
type SummaryRun struct {
	RunID      string  `json:"run_id"`
	RunName    string  `json:"run_name"`
	ConfigID   string  `json:"config_id"`
	ConfigName string  `json:"config_name"`
	RunType    RunType `json:"run_type"`
	Value      *Number `json:"value"` // nil when the run lacks the metric
	ValueText  string  `json:"value_text"`
	IsBest     bool    `json:"is_best"`     // on the deployed card: it is also the best run
	IsDeployed bool    `json:"is_deployed"` // on the best card: it is also the deployed run
}

// RecentRun is one card of the recent-runs list.
type RecentRun struct {
	RunID           string    `json:"run_id"`
	RunName         string    `json:"run_name"`
	ConfigID        string    `json:"config_id"`
	ConfigName      string    `json:"config_name"`
	RunType         RunType   `json:"run_type"`
	RunTypeLabel    string    `json:"run_type_label"`
	Status          string    `json:"status"`
	Start           time.Time `json:"start_time"`
	TimeAgo         string    `json:"time_ago"`
	DurationSeconds *Number   `json:"duration_seconds"` // nil while the run has not ended
	Duration        string    `json:"duration"`
	CostUSD         *Number   `json:"cost_usd"`
	Cost            string    `json:"cost"`
	Value           *Number   `json:"value"`
	ValueText       string    `json:"value_text"` // "47.3%", "Failed", or NoValue
	ConfigSummary   string    `json:"config_summary"`
	FailureStage    string    `json:"failure_stage,omitempty"`
	FailureReason   string    `json:"failure_reason,omitempty"`
	Failed          bool      `json:"failed"`
	IsBest          bool      `json:"is_best"`
	IsDeployed      bool      `json:"is_deployed"`
	Note            string    `json:"note,omitempty"` // DeployedNote on the deployed run
}

// Summarize computes the dashboard summary of runs for metric at time now, listing the
// recent most recent runs (DefaultRecent when recent ≤ 0). An experiment without runs has
// zero counts and no best run; that is not an error. An unknown metric is EINVALID.
func Summarize(runs []Run, metric string, now time.Time, recent int) (*Summary, error) {
	metric = cmp.Or(metric, MetricRecallAt100)
	if err := CheckMetric("metric", metric, runs); err != nil {
		return nil, err
	}
	if recent <= 0 {
		recent = DefaultRecent
	}
	s := &Summary{Metric: metric, MetricLabel: MetricLabel(metric), Direction: Direction(metric), Total: len(runs), Recent: []RecentRun{}}
	best, deployed := -1, -1
	for i := range runs {
		r := &runs[i]
		switch r.Type {
		case QuickTestRun:
			s.QuickTests++
		case FullTrainingRun:
			s.FullTrainings++
		}
		switch {
		case r.Failed():
			s.Failed++
		case r.Status == RunRunning:
			s.Running++
		}
		if r.Deployed && (deployed < 0 || newerRun(r, &runs[deployed]) < 0) {
			deployed = i
		}
		if summaryRanks(r, metric) && (best < 0 || betterSummaryRun(metric, r, &runs[best])) {
			best = i
		}
	}
	if best >= 0 {
		s.Best = summaryRun(&runs[best], metric)
		s.Best.IsBest, s.Best.IsDeployed = true, best == deployed
	}
	if deployed >= 0 {
		s.Deployed = summaryRun(&runs[deployed], metric)
		s.Deployed.IsBest, s.Deployed.IsDeployed = best == deployed, true
	}
	order := make([]int, len(runs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return newerRun(&runs[a], &runs[b]) })
	for _, i := range order[:min(recent, len(order))] {
		s.Recent = append(s.Recent, recentRun(&runs[i], metric, now, i == best))
	}
	return s, nil
}

// summaryRanks reports whether r competes for best: it did not fail and has a finite value.
func summaryRanks(r *Run, metric string) bool {
	v, ok := r.Metric(metric)
	return ok && !r.Failed() && !IsInfinite(v)
}

// betterSummaryRun reports whether a beats b on metric; a tie goes to the run that got
// there first, so that a later re-run with the same value does not steal the card.
func betterSummaryRun(metric string, a, b *Run) bool {
	va, _ := a.Metric(metric)
	vb, _ := b.Metric(metric)
	if va != vb {
		return Better(metric, va, vb)
	}
	if !a.Start.Equal(b.Start) {
		return a.Start.Before(b.Start)
	}
	return a.ID < b.ID
}

// newerRun orders runs most recent first, then by id.
func newerRun(a, b *Run) int {
	if c := b.Start.Compare(a.Start); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

func summaryRun(r *Run, metric string) *SummaryRun {
	sr := &SummaryRun{RunID: r.ID, RunName: r.Name, ConfigID: r.ConfigID, ConfigName: r.ConfigName, RunType: r.Type, ValueText: NoValue}
	if v, ok := r.Metric(metric); ok {
		sr.Value, sr.ValueText = new(Number(v)), FormatMetric(metric, v)
	}
	return sr
}

func recentRun(r *Run, metric string, now time.Time, best bool) RecentRun {
	rr := RecentRun{
		RunID: r.ID, RunName: r.Name, ConfigID: r.ConfigID, ConfigName: r.ConfigName,
		RunType: r.Type, RunTypeLabel: r.Type.Label(), Status: r.Status, Start: r.Start,
		TimeAgo: TimeAgo(r.Start, now), Duration: NoValue, Cost: FormatCost(r.CostUSD),
		ValueText: NoValue, ConfigSummary: ConfigSummary(*r), Failed: r.Failed(),
		IsBest: best, IsDeployed: r.Deployed,
	}
	if !r.End.IsZero() && !r.End.Before(r.Start) {
		d := r.Duration()
		rr.DurationSeconds, rr.Duration = new(Number(d.Seconds())), FormatDuration(d)
	}
	if r.CostUSD != nil && !math.IsNaN(*r.CostUSD) {
		rr.CostUSD = new(Number(*r.CostUSD))
	}
	if v, ok := r.Metric(metric); ok {
		rr.Value, rr.ValueText = new(Number(v)), FormatMetric(metric, v)
	}
	switch r.Status {
	case RunFailed:
		rr.ValueText = "Failed"
	case RunKilled:
		rr.ValueText = "Killed"
	}
	if r.Failure != nil {
		rr.FailureStage, rr.FailureReason = r.Failure.Stage, r.Failure.Reason
	}
	if r.Deployed {
		rr.Note = DeployedNote
	}
	return rr
}
