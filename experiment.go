package mlexp

import (
	"context"
	"sync"
	"time"
)

// ModelInfo is a model found from the tags of its MLflow experiments, with one dataset per
// experiment, most recently active first.
type ModelInfo struct {
	ID       string        `json:"model_id"`
	Name     string        `json:"model_name"`
	Datasets []DatasetInfo `json:"datasets"`
}

// DatasetInfo is one experiment of a model: the runs of the model on one dataset.
type DatasetInfo struct {
	ID             string `json:"dataset_id"`
	Name           string `json:"dataset_name"`
	ExperimentID   string `json:"experiment_id"`
	ExperimentName string `json:"experiment_name"`
	LastUpdateTime int64  `json:"last_update_time"` // ms since the epoch
}

// RunSet is every run of one experiment as last read from MLflow.
type RunSet struct {
	ExperimentID string
	Runs         []Run
	FetchedAt    time.Time
	// Stale is set when MLflow could not be reached for a refresh; StaleReason says why.
	Stale       bool
	StaleReason string

	derived *derived // what has been computed from Runs (NewRunSet); nil keeps nothing
}

// NewRunSet returns a snapshot of an experiment's runs that keeps what Derive computes from
// them for as long as the snapshot itself is kept.
func NewRunSet(experimentID string, runs []Run, fetchedAt time.Time) *RunSet {
	return &RunSet{ExperimentID: experimentID, Runs: runs, FetchedAt: fetchedAt, derived: &derived{values: map[any]any{}}}
}

// derived holds values computed from the runs of one snapshot.
type derived struct {
	mu     sync.Mutex
	values map[any]any
}

// maxDerived bounds what one snapshot keeps: past it, values are computed but not kept.
const maxDerived = 32

// Derive returns compute's value for key (a comparable value naming what is computed and
// from which parameters), computed once for the snapshot: the runs of a snapshot never
// change, so the value stays right for as long as the snapshot is served, and goes with it.
// Two first calls at the same time may both compute. Errors are not kept.
func (s *RunSet) Derive(key any, compute func() (any, error)) (any, error) {
	d := s.derived
	if d == nil {
		return compute()
	}
	d.mu.Lock()
	v, ok := d.values[key]
	d.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := compute()
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	if len(d.values) < maxDerived {
		d.values[key] = v
	}
	d.mu.Unlock()
	return v, nil
}

// RunSource reads experiments and runs (tracking.Reader over MLflow); it never writes.
type RunSource interface {
	Models(ctx context.Context) ([]ModelInfo, error)
	// Experiment picks the experiment of a model on datasetID, or its most recently active
	// one when datasetID is empty.
	Experiment(ctx context.Context, modelID, datasetID string) (ModelInfo, DatasetInfo, error)
	Runs(ctx context.Context, experimentID string) (*RunSet, error)
	RunsByID(ctx context.Context, ids []string) ([]Run, error)
	// FindRuns reads the runs that exist of ids, and lists those that do not.
	FindRuns(ctx context.Context, ids []string) (found []Run, missing []string, err error)
}

// Attacher tags an existing MLflow experiment, by id or name, as the experiment of a model
// on a dataset, so that mlexp finds it (tracking.Logger).
type Attacher interface {
	Attach(ctx context.Context, experiment string, m Model, d Dataset) (DatasetInfo, error)
}

// ExperimentRef is what every query answer carries about the experiment it read: which one,
// where it is in MLflow's UI, and whether its runs are fresh.
type ExperimentRef struct {
	ModelID        string    `json:"model_id"`
	ModelName      string    `json:"model_name"`
	DatasetID      string    `json:"dataset_id"`
	DatasetName    string    `json:"dataset_name"`
	ExperimentID   string    `json:"experiment_id"`
	ExperimentName string    `json:"experiment_name"`
	MLflowURL      string    `json:"mlflow_url"`
	FetchedAt      time.Time `json:"fetched_at"`
	Stale          bool      `json:"stale"`
	StaleReason    string    `json:"stale_reason,omitempty"`
}

// NewExperimentRef describes the experiment of model m on dataset d, whose runs are set;
// mlflowURL links to it in MLflow's UI.
func NewExperimentRef(m ModelInfo, d DatasetInfo, set *RunSet, mlflowURL string) ExperimentRef {
	return ExperimentRef{ModelID: m.ID, ModelName: m.Name, DatasetID: d.ID, DatasetName: d.Name, ExperimentID: d.ExperimentID,
		ExperimentName: d.ExperimentName, MLflowURL: mlflowURL, FetchedAt: set.FetchedAt, Stale: set.Stale, StaleReason: set.StaleReason}
}
