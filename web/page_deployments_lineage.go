package web

import (
	"net/http"

	"github.com/mlexp-dev/mlexp"
)

// deployedRecords is what the deployments page shows of the deployed run in ML Metadata:
// its blessing and pushes, or a note saying why they are not shown.
type deployedRecords struct {
	Records *mlexp.ModelRecords
	Note    string
}

// deployedRecordsOf reads the deployed run's records; nil when the server has no store.
func (s *server) deployedRecordsOf(r *http.Request, runID string) *deployedRecords {
	if !s.explore.LineageConfigured() {
		return nil
	}
	rec, err := s.explore.ModelRecords(r.Context(), runID)
	switch {
	case err != nil && mlexp.ErrorCode(err) == mlexp.EINTERNAL:
		s.logger.ErrorContext(r.Context(), "ML Metadata records of the deployed run", "run_id", runID, "err", err)
		return &deployedRecords{Note: "its records could not be read (an internal error, logged)"}
	case err != nil:
		return &deployedRecords{Note: "not available: " + mlexp.ErrorMessage(err)}
	case rec.LinkedBy == mlexp.LinkNone:
		return &deployedRecords{Note: "the deployed run has no lineage"}
	}
	return &deployedRecords{Records: rec}
}
