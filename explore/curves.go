package explore

import (
	"context"

	"github.com/mlexp-dev/mlexp"
)

// TrainingCurves reads the per-epoch history of the compared full trainings (at most
// mlexp.MaxCurveRuns of them, in the order given) for each of mlexp.CurveMetrics, from
// MLflow's metric history: one curve a run and metric, left out when the run logged no
// history of it. Runs that are not full trainings have no epochs and are skipped. Without
// a reader of metric histories it answers EUNAVAILABLE.
func (s *Service) TrainingCurves(ctx context.Context, runs []mlexp.Run) ([]mlexp.RunCurve, error) {
	if s.history == nil {
		return nil, mlexp.NotConfigured("reading metric histories from MLflow")
	}
	var curves []mlexp.RunCurve
	n := 0
	for _, r := range runs {
		if r.Type != mlexp.FullTrainingRun || n == mlexp.MaxCurveRuns {
			continue
		}
		n++
		for _, m := range mlexp.CurveMetrics {
			pts, err := s.history.MetricHistory(ctx, r.ID, m)
			if err != nil {
				return nil, err
			}
			if len(pts) > 0 {
				curves = append(curves, mlexp.RunCurve{RunID: r.ID, RunName: r.Name, Metric: m, Points: pts})
			}
		}
	}
	return curves, nil
}
