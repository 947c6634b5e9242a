package explore

import (
	"context"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/mlexp-dev/mlexp"
)

// TrainingCurves reads the per-epoch history of the compared full trainings (at most
// mlexp.MaxCurveRuns of them, in the order given) for each of mlexp.CurveMetrics, from
// MLflow's metric history: one curve a run and metric, left out when the run logged no
// history of it. Runs that are not full trainings have no epochs and are skipped. Without
// a reader of metric histories it answers EUNAVAILABLE. The histories are read historyReads at
// a time; the curves come in the order of the runs, then of the metrics.
func (s *Service) TrainingCurves(ctx context.Context, runs []mlexp.Run) ([]mlexp.RunCurve, error) {
	if s.history == nil {
		return nil, mlexp.NotConfigured("reading metric histories from MLflow")
	}
	var full []mlexp.Run
	for _, r := range runs {
		if r.Type == mlexp.FullTrainingRun && len(full) < mlexp.MaxCurveRuns {
			full = append(full, r)
		}
	}
	metrics := mlexp.CurveMetrics
	curves := make([]mlexp.RunCurve, len(full)*len(metrics))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(historyReads)
	for i, r := range full {
		for j, m := range metrics {
			g.Go(func() error {
				pts, err := s.history.MetricHistory(gctx, r.ID, m)
				curves[i*len(metrics)+j] = mlexp.RunCurve{RunID: r.ID, RunName: r.Name, Metric: m, Points: pts}
				return err
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(curves, func(c mlexp.RunCurve) bool { return len(c.Points) == 0 }), nil
}

// historyReads is how many metric histories TrainingCurves reads from MLflow at once: a
// comparison of 8 full trainings needs 16, which one after another made the page wait for
// each; more at once would take every worker of a small MLflow server.
const historyReads = 4
