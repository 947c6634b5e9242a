package explore

import (
	"context"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/mlexp-dev/mlexp"
)

// Lineage answers the ML Metadata lineage of a run's model: the run is found in the store by
// its tags, else its run id, else its model URI (design §3). A run with no link has
// LinkedBy "" and no nodes; a server without a store answers EUNAVAILABLE (not configured),
// and so does one whose store has a schema version mlexp does not read.
func (s *Service) Lineage(ctx context.Context, runID string) (*mlexp.Lineage, error) {
	runID = strings.TrimSpace(runID)
	if runID == "" {
		return nil, mlexp.InvalidField("run_id", "is required")
	}
	// A store that is off says why before MLflow is asked anything.
	if off, ok := s.lineage.(interface{ Unavailable() error }); ok {
		if err := off.Unavailable(); err != nil {
			return nil, err
		}
	}
	ref, err := s.refs.LineageRef(ctx, runID)
	if err != nil {
		return nil, err
	}
	return s.lineage.Lineage(ctx, ref)
}

// LineageConfigured says whether the Service has an ML Metadata store to read.
func (s *Service) LineageConfigured() bool {
	_, off := s.lineage.(missingLineage)
	return !off
}

// checkLineage adds to c whether its runs were trained alike, from their lineage (read 8
// runs at a time), when a store is configured. When a run's lineage cannot be read, c gets
// a note saying so instead of a check.
func (s *Service) checkLineage(ctx context.Context, c *mlexp.Comparison, runs []mlexp.Run) {
	if !s.LineageConfigured() {
		return
	}
	inputs := make([]*mlexp.TrainingInputs, len(runs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, r := range runs {
		g.Go(func() error {
			l, err := s.Lineage(gctx, r.ID)
			if err == nil && l.LinkedBy != mlexp.LinkNone {
				in := l.TrainingInputs()
				inputs[i] = &in
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		c.Notes = append(c.Notes, "Whether the runs were trained on the same data is unknown: their lineage could not be read ("+mlexp.ErrorMessage(err)+").")
		return
	}
	order, byID := make([]string, len(runs)), map[string]mlexp.TrainingInputs{}
	for i, r := range runs {
		order[i] = r.ID
		if inputs[i] != nil {
			byID[r.ID] = *inputs[i]
		}
	}
	c.Lineage = mlexp.CheckLikeForLike(order, byID)
}
