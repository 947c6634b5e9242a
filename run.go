package mlexp

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"time"
)

// RunType is the kind of a run: a quick test or a full training.
type RunType string

// Run types, as logged in the run_type param.
const (
	QuickTestRun    RunType = "quick_test"
	FullTrainingRun RunType = "full_training"
)

// Label is the human name of the run type.
func (t RunType) Label() string {
	switch t {
	case QuickTestRun:
		return "Quick Test"
	case FullTrainingRun:
		return "Full Training"
	case "":
		return "Unknown"
	}
	return string(t)
}

// ShortLabel is the run type for narrow columns, as the spec's runs table writes it: Quick,
// Full.
func (t RunType) ShortLabel() string {
	switch t {
	case QuickTestRun:
		return "Quick"
	case FullTrainingRun:
		return "Full"
	}
	return t.Label()
}

// StatusLabel writes an MLflow run status for people: FINISHED → Finished; "" is NoValue.
func StatusLabel(status string) string {
	if status == "" {
		return NoValue
	}
	return strings.ToUpper(status[:1]) + strings.ToLower(status[1:])
}

// MLflow run statuses as they appear on a Run.
const (
	RunFinished  = "FINISHED"
	RunFailed    = "FAILED"
	RunRunning   = "RUNNING"
	RunScheduled = "SCHEDULED"
	RunKilled    = "KILLED"
)

// Run is one MLflow run of a model's experiment, read into the domain: what every query
// works on. Metrics hold the latest value of each metric (loss falls back to final_loss);
// a value may be NaN.
type Run struct {
	ID             string       `json:"run_id"`
	Name           string       `json:"run_name"`
	ExperimentID   string       `json:"experiment_id"`
	Type           RunType      `json:"run_type"`
	ConfigID       string       `json:"config_id"`
	ConfigName     string       `json:"config_name"`
	Status         string       `json:"status"`
	Start          time.Time    `json:"start_time"`
	End            time.Time    `json:"end_time"` // zero while running
	CostUSD        *float64     `json:"cost_usd"`
	Deployed       bool         `json:"is_deployed"`
	Failure        *Failure     `json:"failure,omitempty"`
	DatasetID      string       `json:"dataset_id,omitempty"`
	DatasetVersion string       `json:"dataset_version,omitempty"`
	Params         Params       `json:"params"`
	Metrics        MetricValues `json:"metrics"`

	keys builtinKeys // set by Prepare
}

// builtinKeys are a run's values on the built-in derived axes, computed once.
type builtinKeys struct {
	ready                     bool
	dims, crosses, numCrosses string
}

// Prepare computes once the run's values on the derived axes (embedding dims, crosses), so
// that charts over many runs read them without parsing params again. Readers call it when
// they load runs; a Run that was not prepared works the same, only slower. Call it again
// after changing the params.
func (r *Run) Prepare() {
	r.keys = builtinKeys{} // computed from the params again, not read from an earlier Prepare
	r.keys = builtinKeys{ready: true, dims: AxisValue(*r, AxisEmbeddingDims), crosses: AxisValue(*r, AxisCrossFeatures),
		numCrosses: AxisValue(*r, AxisNumCrosses)}
}

// Duration is how long the run took; zero while it runs.
func (r Run) Duration() time.Duration {
	if r.End.IsZero() || r.End.Before(r.Start) {
		return 0
	}
	return r.End.Sub(r.Start)
}

// Metric returns the run's value of metric, and whether it has a usable (non-NaN) one.
func (r Run) Metric(metric string) (float64, bool) {
	v, ok := r.Metrics.Lookup(metric)
	return v, ok && !math.IsNaN(v)
}

// Settled reports whether the run has ended: it is neither RUNNING nor SCHEDULED.
func (r Run) Settled() bool { return r.Status != RunRunning && r.Status != RunScheduled }

// Failed reports whether the run failed or was killed.
func (r Run) Failed() bool { return r.Status == RunFailed || r.Status == RunKilled }

// Number is a float64 that JSON writes as null when it is NaN or infinite.
type Number float64

// MarshalJSON implements json.Marshaler.
func (n Number) MarshalJSON() ([]byte, error) {
	if !IsFinite(float64(n)) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(n))
}

// Artifacts reads the artifacts of runs from MLflow (tracking.Reader).
type Artifacts interface {
	// TrainingCurves returns the training_curves.png of a run; ENOTFOUND when the run or
	// the image does not exist.
	TrainingCurves(ctx context.Context, runID string) ([]byte, error)
}

// RunModelReader finds a run's model the ways MLflow records it (tracking.Reader): nil when
// the run has none.
type RunModelReader interface {
	RunModel(ctx context.Context, runID string) (*RunModel, error)
}
