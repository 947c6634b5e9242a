package tracking

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// Models lists the models that have experiments in MLflow, found by the ml_model_id tag,
// most recently active dataset first. The list is cached like runs: fresh for the TTL, and
// the last one is served while MLflow cannot be reached — at once while MLflow is known to
// be down, when a request with nothing cached is refused at once too.
func (r *Reader) Models(ctx context.Context) ([]mlexp.ModelInfo, error) {
	r.mu.Lock()
	cached, at := r.models, r.modelsAt
	r.mu.Unlock()
	if cached != nil && r.now().Sub(at) < r.ttl {
		return cached, nil
	}
	if err := r.health.Down("listing the experiments"); err != nil {
		go func() { // so that the first request after MLflow is back finds it
			ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
			defer cancel()
			_, _, _ = r.flight.Do("\x00models", func() (any, error) { return r.fetchModels(ctx) })
		}()
		if cached != nil {
			return cached, nil
		}
		return nil, err
	}
	v, err, _ := r.flight.Do("\x00models", func() (any, error) { return r.fetchModels(ctx) })
	if err != nil {
		if cached != nil {
			return cached, nil
		}
		return nil, err
	}
	return v.([]mlexp.ModelInfo), nil
}

// ModelsChanged drops the cached model list (after an experiment was made or attached).
func (r *Reader) ModelsChanged() {
	r.mu.Lock()
	r.models = nil
	r.mu.Unlock()
}

func (r *Reader) fetchModels(ctx context.Context) ([]mlexp.ModelInfo, error) {
	filter, err := mlflow.And(mlflow.Where(mlflow.Tags, TagModelID, "LIKE", "%"))
	if err != nil {
		return nil, err
	}
	exps, err := r.client.SearchExperiments(ctx, mlflow.SearchExperimentsRequest{Filter: filter, OrderBy: []string{"last_update_time DESC"}})
	if err != nil {
		return nil, MLflowError(err, "listing the experiments")
	}
	byID := map[string]*mlexp.ModelInfo{}
	var order []string
	for _, e := range exps {
		id, _ := e.Tag(TagModelID)
		if id == "" {
			continue
		}
		m := byID[id]
		if m == nil {
			name, _ := e.Tag(TagModelName)
			m = &mlexp.ModelInfo{ID: id, Name: cmp.Or(name, id)}
			byID[id] = m
			order = append(order, id)
		}
		dsID, _ := e.Tag(TagDatasetID)
		dsName, _ := e.Tag(TagDatasetName)
		m.Datasets = append(m.Datasets, mlexp.DatasetInfo{ID: cmp.Or(dsID, e.ID), Name: cmp.Or(dsName, e.Name), ExperimentID: e.ID,
			ExperimentName: e.Name, LastUpdateTime: e.LastUpdateTime})
	}
	models := make([]mlexp.ModelInfo, 0, len(order))
	for _, id := range order {
		models = append(models, *byID[id])
	}
	slices.SortStableFunc(models, func(a, b mlexp.ModelInfo) int { return mlexp.NaturalCompare(a.Name, b.Name) })
	r.mu.Lock()
	r.models, r.modelsAt = models, r.now()
	r.mu.Unlock()
	return models, nil
}

// Experiment picks the experiment of a model: the one of datasetID, or the most recently
// active one when datasetID is empty.
func (r *Reader) Experiment(ctx context.Context, modelID, datasetID string) (mlexp.ModelInfo, mlexp.DatasetInfo, error) {
	models, err := r.Models(ctx)
	if err != nil {
		return mlexp.ModelInfo{}, mlexp.DatasetInfo{}, err
	}
	for _, m := range models {
		if m.ID != modelID {
			continue
		}
		for _, d := range m.Datasets { // most recently active first
			if datasetID == "" || d.ID == datasetID {
				return m, d, nil
			}
		}
		ids := make([]string, len(m.Datasets))
		for i, d := range m.Datasets {
			ids[i] = d.ID
		}
		return m, mlexp.DatasetInfo{}, &mlexp.Error{Code: mlexp.ENOTFOUND, Field: "dataset_id",
			Message: fmt.Sprintf("model %s has no experiment for dataset %q; its datasets: %s", modelID, datasetID, strings.Join(ids, ", ")),
			Details: map[string]any{"valid": ids}}
	}
	return mlexp.ModelInfo{}, mlexp.DatasetInfo{}, &mlexp.Error{Code: mlexp.ENOTFOUND, Field: "model_id",
		Message: fmt.Sprintf("no MLflow experiment is tagged with model %q: log a result for it, or attach an experiment (mlexp attach)", modelID)}
}

// RunsByID reads the given runs from MLflow, a few at a time; an unknown id is ENOTFOUND
// naming it.
func (r *Reader) RunsByID(ctx context.Context, ids []string) ([]mlexp.Run, error) {
	runs, missing, err := r.FindRuns(ctx, ids)
	if err == nil && len(missing) > 0 {
		err = &mlexp.Error{Code: mlexp.ENOTFOUND, Field: "run_ids", Message: fmt.Sprintf("run_ids: run %q does not exist in MLflow", missing[0]),
			Details: map[string]any{"missing": missing}}
	}
	return runs, err
}

// FindRuns reads the given runs from MLflow, a few at a time, and lists the ids of those
// that do not exist (or were deleted).
func (r *Reader) FindRuns(ctx context.Context, ids []string) ([]mlexp.Run, []string, error) {
	runs := make([]mlexp.Run, len(ids))
	errs := make([]error, len(ids))
	gone := make([]bool, len(ids))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			m, err := r.client.GetRun(ctx, id)
			switch {
			case errors.Is(err, mlflow.ErrNotFound) || errors.Is(err, mlflow.ErrInvalidParameter):
				gone[i] = true
			case err != nil:
				errs[i] = MLflowError(err, "reading run "+id)
			case m.Info.LifecycleStage == "deleted":
				gone[i] = true
			default:
				runs[i] = ToRun(m)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	found := runs[:0]
	var missing []string
	for i, run := range runs {
		if gone[i] {
			missing = append(missing, ids[i])
		} else {
			found = append(found, run)
		}
	}
	return found, missing, nil
}
