package tracking

import (
	"context"
	"strconv"

	"github.com/mlexp-dev/mlexp"
)

// LineageRef implements mlexp.LineageRefs: a run's lineage tags (mlmd.execution_id,
// mlmd.model_artifact_id; a tag that is not a positive integer counts as absent) and its
// model URI. A run that does not exist is ENOTFOUND.
func (r *Reader) LineageRef(ctx context.Context, runID string) (mlexp.LineageRef, error) {
	run, err := r.getRun(ctx, runID)
	if err != nil {
		return mlexp.LineageRef{}, err
	}
	ref := mlexp.LineageRef{RunID: run.Info.RunID}
	tagID := func(key string) int64 {
		v, _ := run.Data.Tag(key)
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return 0
		}
		return id
	}
	ref.ExecutionID, ref.ModelArtifactID = tagID(mlexp.TagMLMDExecutionID), tagID(mlexp.TagMLMDModelArtifactID)
	// The model URI is the last way to link, and still needed when a tag names an id the
	// store lacks; a run with tags does without it when it cannot be read.
	ref.ModelURI, err = readModelURI(ctx, r.client, run)
	if err != nil && (ref.ExecutionID > 0 || ref.ModelArtifactID > 0) {
		err = nil
	}
	return ref, err
}
