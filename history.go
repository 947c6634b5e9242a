package mlexp

import "context"

// HistoryPoint is one logged value of a run's metric: its step (the epoch of a full
// training) and value.
type HistoryPoint struct {
	Step  int64   `json:"step"`
	Value float64 `json:"value"`
}

// MetricHistoryReader reads every logged value of a run's metric, one per step in step
// order (tracking.Reader, from MLflow's metric history). A run that does not exist is
// ENOTFOUND; a metric it never logged is an empty history.
type MetricHistoryReader interface {
	MetricHistory(ctx context.Context, runID, metric string) ([]HistoryPoint, error)
}

// RunCurve is the per-epoch history of one metric of one run, as the overlaid training
// curves of a comparison draw it.
type RunCurve struct {
	RunID   string         `json:"run_id"`
	RunName string         `json:"run_name"`
	Metric  string         `json:"metric"`
	Points  []HistoryPoint `json:"points"`
}

// CurveMetrics are the metrics the overlaid training curves show, one panel each: the loss
// and the primary recall.
var CurveMetrics = []string{MetricLoss, MetricRecallAt100}

// MaxCurveRuns is how many full trainings the overlaid curves draw at most: beyond it one
// colour a run no longer tells them apart.
const MaxCurveRuns = 8
