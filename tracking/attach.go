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
	for _, t := range ExperimentTags(m, d) {
		if err := l.client.SetExperimentTag(ctx, exp.ID, t); err != nil {
			return mlexp.DatasetInfo{}, MLflowError(err, "tagging experiment "+exp.ID)
		}
	}
	l.notify(exp.ID)
	return mlexp.DatasetInfo{ID: d.ID, Name: d.Name, ExperimentID: exp.ID, ExperimentName: exp.Name, LastUpdateTime: exp.LastUpdateTime}, nil
}

var _ mlexp.Attacher = (*Logger)(nil)
