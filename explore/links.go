package explore

import (
	"context"

	"net/url"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// LinksRequest asks for links into MLflow's UI: an experiment, a run, and MLflow's compare
// page for several runs. Each may be left out.
type LinksRequest struct {
	ExperimentID string
	RunID        string
	RunIDs       []string
}

// Links are links into MLflow's UI; the empty ones were not asked for.
type Links struct {
	TrackingURL   string `json:"tracking_url"`
	ExperimentURL string `json:"experiment_url,omitempty"`
	RunURL        string `json:"run_url,omitempty"`
	CompareURL    string `json:"compare_url,omitempty"`
}

// Links answers req, reading the experiments of the runs it names from MLflow. Like a
// comparison, it takes at most mlexp.MaxCompareRuns runs (repeats counted once), so that one
// request cannot make MLflow read thousands.
func (s *Service) Links(ctx context.Context, req LinksRequest) (*Links, error) {
	req.RunIDs = distinct(req.RunIDs)
	if n := len(req.RunIDs); n > mlexp.MaxCompareRuns {
		return nil, mlexp.InvalidField("run_ids", "at most %d runs, got %d", mlexp.MaxCompareRuns, n)
	}
	out := &Links{TrackingURL: s.mlflowUI}
	lookup := req.RunIDs
	if req.RunID != "" {
		lookup = append([]string{req.RunID}, req.RunIDs...)
	}
	expOf := map[string]string{}
	if len(lookup) > 0 {
		runs, err := s.runs.RunsByID(ctx, lookup)
		if err != nil {
			return nil, err
		}
		for _, run := range runs {
			expOf[run.ID] = run.ExperimentID
		}
	}
	expID := req.ExperimentID
	if req.RunID != "" && expID == "" {
		expID = expOf[req.RunID]
	}
	if expID != "" {
		out.ExperimentURL = s.ExperimentURL(expID)
	}
	if req.RunID != "" {
		out.RunURL = s.RunURL(expOf[req.RunID], req.RunID)
	}
	if len(req.RunIDs) > 0 {
		out.CompareURL = s.compareURL(req.RunIDs, expOf)
	}
	return out, nil
}

// TrackingURL is the base of MLflow's UI.
func (s *Service) TrackingURL() string { return s.mlflowUI }

// ExperimentURL links to the runs of an experiment in MLflow's UI: #/experiments/<id>/runs,
// since MLflow 3 opens #/experiments/<id> on its GenAI overview (traces) unless the
// experiment is of the classic kind.
func (s *Service) ExperimentURL(experimentID string) string {
	return s.mlflowUI + "/#/experiments/" + url.PathEscape(experimentID) + "/runs"
}

// RunURL links to a run of an experiment in MLflow's UI.
func (s *Service) RunURL(experimentID, runID string) string {
	return s.ExperimentURL(experimentID) + "/" + url.PathEscape(runID)
}

// compareURL links to MLflow's compare page for runs, whose experiments are expOf.
func (s *Service) compareURL(ids []string, expOf map[string]string) string {
	exps := map[string]bool{}
	var expList []string
	for _, id := range ids {
		if e := expOf[id]; !exps[e] {
			exps[e] = true
			expList = append(expList, e)
		}
	}
	return s.mlflowUI + "/#/compare-runs?runs=" + url.QueryEscape(jsonList(ids)) + "&experiments=" + url.QueryEscape(jsonList(expList))
}

// jsonList writes ids as a JSON list of strings, as MLflow's compare page wants them.
func jsonList(ids []string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(id) + `"`
	}
	return "[" + strings.Join(quoted, ",") + "]"
}

// distinct keeps the first of each id, in order.
func distinct(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
