package explore

import (
	"context"
	"strings"

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
