package tracking

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// MetricHistory returns every logged value of a run's metric, one per step in step order:
// where a step was logged more than once (a full training logs its final values again at
// its last epoch) the latest value counts. A run that does not exist is ENOTFOUND.
func (r *Reader) MetricHistory(ctx context.Context, runID, metric string) ([]mlexp.HistoryPoint, error) {
	ms, err := r.client.GetMetricHistory(ctx, runID, metric)
	if errors.Is(err, mlflow.ErrNotFound) || errors.Is(err, mlflow.ErrInvalidParameter) {
		return nil, &mlexp.Error{Code: mlexp.ENOTFOUND, Field: "run_id", Message: fmt.Sprintf("run %q does not exist in MLflow", runID), Err: err}
	}
	if err != nil {
		return nil, MLflowError(err, "reading the history of "+metric+" of run "+runID)
	}
	if len(ms) == 0 { // MLflow answers an unknown run with an empty history too
		if _, err := r.getRun(ctx, runID); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(ms, func(a, b mlflow.Metric) int {
		return cmp.Or(cmp.Compare(a.Step, b.Step), cmp.Compare(a.Timestamp, b.Timestamp))
	})
	out := make([]mlexp.HistoryPoint, 0, len(ms))
	for _, m := range ms {
		p := mlexp.HistoryPoint{Step: m.Step, Value: mlexp.MetricFromStore(float64(m.Value))} // ±Inf as the run reads it
		if n := len(out); n > 0 && out[n-1].Step == m.Step {
			out[n-1] = p // the latest value of the step
			continue
		}
		out = append(out, p)
	}
	return out, nil
}
