// Package fakesource is an in-memory mlexp.RunSource for tests of handlers and use cases that
// need no MLflow: a model's experiments and their runs, held as given. It is a fake, not a
// stand-in for MLflow's behaviour: the end-to-end tests read a real MLflow server. It can
// also fail every read (Down), as an unreachable MLflow does.
package fakesource

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// Source holds experiments of models and their runs.
type Source struct {
	mu     sync.Mutex
	models []mlexp.ModelInfo
	runs   map[string][]mlexp.Run // by experiment id
	down   error
	// Now stamps the snapshots (RunSet.FetchedAt); nil is time.Now.
	Now func() time.Time
}

// New returns a source without any experiment.
func New() *Source { return &Source{runs: map[string][]mlexp.Run{}} }

// Add makes experimentID the experiment of model modelID on dataset datasetID, with runs.
// Each run is prepared (mlexp.Run.Prepare) and given the experiment id.
func (s *Source) Add(modelID, datasetID, experimentID string, runs ...mlexp.Run) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range runs {
		runs[i].ExperimentID = experimentID
		runs[i].Prepare()
	}
	s.runs[experimentID] = append(s.runs[experimentID], runs...)
	d := mlexp.DatasetInfo{ID: datasetID, Name: datasetID, ExperimentID: experimentID, ExperimentName: modelID + "-" + datasetID}
	for i := range s.models {
		if s.models[i].ID == modelID {
			s.models[i].Datasets = append(s.models[i].Datasets, d)
			return
		}
	}
	s.models = append(s.models, mlexp.ModelInfo{ID: modelID, Name: modelID, Datasets: []mlexp.DatasetInfo{d}})
}

// Down makes every read fail with err (nil: reads work again).
func (s *Source) Down(err error) {
	s.mu.Lock()
	s.down = err
	s.mu.Unlock()
}

func (s *Source) failing() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down
}

// Models lists the models, in the order they were added.
func (s *Source) Models(context.Context) ([]mlexp.ModelInfo, error) {
	if err := s.failing(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mlexp.ModelInfo(nil), s.models...), nil
}

// Experiment picks the experiment of a model on datasetID, or its first one.
func (s *Source) Experiment(ctx context.Context, modelID, datasetID string) (mlexp.ModelInfo, mlexp.DatasetInfo, error) {
	models, err := s.Models(ctx)
	if err != nil {
		return mlexp.ModelInfo{}, mlexp.DatasetInfo{}, err
	}
	for _, m := range models {
		if m.ID != modelID {
			continue
		}
		for _, d := range m.Datasets {
			if datasetID == "" || d.ID == datasetID {
				return m, d, nil
			}
		}
		return m, mlexp.DatasetInfo{}, &mlexp.Error{Code: mlexp.ENOTFOUND, Field: "dataset_id", Message: fmt.Sprintf("model %s has no dataset %q", modelID, datasetID)}
	}
	return mlexp.ModelInfo{}, mlexp.DatasetInfo{}, &mlexp.Error{Code: mlexp.ENOTFOUND, Field: "model_id", Message: fmt.Sprintf("no model %q", modelID)}
}

// Runs returns a snapshot of the runs of an experiment.
func (s *Source) Runs(_ context.Context, experimentID string) (*mlexp.RunSet, error) {
	if err := s.failing(); err != nil {
		return nil, err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return mlexp.NewRunSet(experimentID, append([]mlexp.Run(nil), s.runs[experimentID]...), now()), nil
}

// RunsByID reads runs by id; an unknown one is ENOTFOUND naming run_ids.
func (s *Source) RunsByID(ctx context.Context, ids []string) ([]mlexp.Run, error) {
	found, missing, err := s.FindRuns(ctx, ids)
	if err == nil && len(missing) > 0 {
		err = &mlexp.Error{Code: mlexp.ENOTFOUND, Field: "run_ids", Message: fmt.Sprintf("run_ids: run %q does not exist", missing[0])}
	}
	return found, err
}

// FindRuns reads the runs of ids that exist, in the order of ids, and lists the others.
func (s *Source) FindRuns(_ context.Context, ids []string) ([]mlexp.Run, []string, error) {
	if err := s.failing(); err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []mlexp.Run
	var missing []string
	for _, id := range ids {
		if r, ok := s.find(id); ok {
			found = append(found, r)
		} else {
			missing = append(missing, id)
		}
	}
	return found, missing, nil
}

func (s *Source) find(id string) (mlexp.Run, bool) {
	for _, runs := range s.runs {
		for _, r := range runs {
			if r.ID == id {
				return r, true
			}
		}
	}
	return mlexp.Run{}, false
}

var _ mlexp.RunSource = (*Source)(nil)
