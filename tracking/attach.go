package tracking

import (
	"context"
	"errors"
	"fmt"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// Attach tags an existing MLflow experiment (by id or name) as the experiment of a model on
// a dataset, so that mlexp finds it. It is a write: the reader sees it through OnChange.
// It refuses (ECONFLICT on "experiment") an experiment tagged for another model or
// dataset, which it would take from them, and a second experiment for a model and dataset
// that already have an active one, since the tags would no longer say which is theirs.
func (l *Logger) Attach(ctx context.Context, experiment string, m mlexp.Model, d mlexp.Dataset) (mlexp.DatasetInfo, error) {
	if err := m.Validate("model"); err != nil {
		return mlexp.DatasetInfo{}, err
	}
	if err := d.Validate("dataset"); err != nil {
		return mlexp.DatasetInfo{}, err
	}
	exp, err := l.client.GetExperiment(ctx, experiment)
	if errors.Is(err, mlflow.ErrNotFound) || errors.Is(err, mlflow.ErrInvalidParameter) {
		exp, err = l.client.GetExperimentByName(ctx, experiment)
	}
	if errors.Is(err, mlflow.ErrNotFound) {
		return mlexp.DatasetInfo{}, &mlexp.Error{Code: mlexp.ENOTFOUND, Field: "experiment", Message: fmt.Sprintf("experiment: no MLflow experiment with id or name %q", experiment)}
	}
	if err != nil {
		return mlexp.DatasetInfo{}, MLflowError(err, "finding experiment "+experiment)
	}
	key := identity{m.ID, d.ID}
	if !free(exp, key) {
		o := owner(exp)
		return mlexp.DatasetInfo{}, &mlexp.Error{Code: mlexp.ECONFLICT, Field: "experiment", Message: fmt.Sprintf(
			"experiment: MLflow experiment %q (id %s) is the experiment of model %q on dataset %q; mlexp does not take it from them",
			exp.Name, exp.ID, o.model, o.dataset), Details: map[string]any{"ml_model_id": o.model, "dataset_id": o.dataset}}
	}
	current, err := l.findTagged(ctx, key)
	if err != nil {
		return mlexp.DatasetInfo{}, MLflowError(err, "finding the experiment of model "+m.ID)
	}
	if current != nil && current.ID != exp.ID && current.LifecycleStage != "deleted" {
		return mlexp.DatasetInfo{}, &mlexp.Error{Code: mlexp.ECONFLICT, Field: "experiment", Message: fmt.Sprintf(
			"experiment: model %q already has MLflow experiment %q (id %s) on dataset %q", m.ID, current.Name, current.ID, d.ID),
			Details: map[string]any{"experiment_id": current.ID}}
	}
	if err := l.setMissingTags(ctx, exp, ExperimentTags(m, d)); err != nil {
		return mlexp.DatasetInfo{}, MLflowError(err, "tagging experiment "+exp.ID)
	}
	if exp.LifecycleStage != "deleted" {
		l.remember(key, exp.ID)
	}
	l.notify(exp.ID)
	return mlexp.DatasetInfo{ID: d.ID, Name: d.Name, ExperimentID: exp.ID, ExperimentName: exp.Name, LastUpdateTime: exp.LastUpdateTime}, nil
}

var _ mlexp.Attacher = (*Logger)(nil)
