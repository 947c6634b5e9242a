package web

import "net/http"

// handleLineage answers the ML Metadata lineage of a run's model (explore.Service.Lineage).
func (s *server) handleLineage(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.explore.Lineage(r.Context(), r.PathValue("run_id"))
}
