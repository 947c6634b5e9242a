package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/explore"
)

// compareRequest is the body of POST /api/experiments/compare/.
type compareRequest = explore.CompareRequest

// handleCompare compares 2 to 50 runs by id, of any experiments.
func (s *server) handleCompare(w http.ResponseWriter, r *http.Request) (any, error) {
	req, err := decode[compareRequest](w, r)
	if err != nil {
		return nil, err
	}
	cmp, err := s.explore.Compare(r.Context(), req)
	var e *mlexp.Error
	if errors.As(err, &e) && e.Field == "baseline" { // the API calls it baseline_run_id
		e.Field, e.Message = "baseline_run_id", strings.Replace(e.Message, "baseline", "baseline_run_id", 1)
	}
	return cmp, err
}

// handleMLflowURL answers links into MLflow's own UI: an experiment, a run, and MLflow's
// compare page for several runs.
func (s *server) handleMLflowURL(w http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	return s.explore.Links(r.Context(), explore.LinksRequest{ExperimentID: q.Get("experiment_id"), RunID: q.Get("run_id"),
		RunIDs: mlexp.SplitList(q.Get("run_ids"))})
}
