package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// experimentRuns resolves the model and dataset of the request and reads the runs.
func (s *server) experimentRuns(ctx context.Context, r *http.Request) (*mlexp.RunSet, mlexp.ExperimentRef, error) {
	if s.runs == nil {
		return nil, mlexp.ExperimentRef{}, errNotConfigured("reading MLflow")
	}
	m, d, err := s.runs.Experiment(ctx, r.PathValue("model_id"), r.URL.Query().Get("dataset_id"))
	if err != nil {
		return nil, mlexp.ExperimentRef{}, err
	}
	set, err := s.runs.Runs(ctx, d.ExperimentID)
	if err != nil {
		return nil, mlexp.ExperimentRef{}, err
	}
	return set, mlexp.NewExperimentRef(m, d, set, s.mlflowExperimentURL(d.ExperimentID)), nil
}

func (s *server) handleModels(w http.ResponseWriter, r *http.Request) {
	if s.runs == nil {
		s.respondError(w, r, errNotConfigured("reading MLflow"))
		return
	}
	models, err := s.runs.Models(r.Context())
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	if models == nil {
		models = []mlexp.ModelInfo{}
	}
	s.respondJSON(w, r, http.StatusOK, map[string]any{"models": models})
}

// attachRequest attaches an existing MLflow experiment to a model and dataset.
type attachRequest struct {
	Experiment string        `json:"experiment"` // id or name
	ModelName  string        `json:"model_name"`
	Dataset    mlexp.Dataset `json:"dataset"`
}

func (s *server) handleAttach(w http.ResponseWriter, r *http.Request) {
	if s.runs == nil {
		s.respondError(w, r, errNotConfigured("reading MLflow"))
		return
	}
	req, err := decode[attachRequest](w, r)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	if req.Experiment == "" {
		s.respondError(w, r, mlexp.InvalidField("experiment", "is required: the id or name of an MLflow experiment"))
		return
	}
	model := mlexp.Model{ID: r.PathValue("model_id"), Name: req.ModelName}
	if model.Name == "" {
		model.Name = model.ID
	}
	d, err := s.runs.Attach(r.Context(), req.Experiment, model, req.Dataset)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	s.respondJSON(w, r, http.StatusOK, d)
}

// heatmapAnswer is a heatmap with its experiment.
type heatmapAnswer struct {
	*mlexp.Heatmap
	Experiment mlexp.ExperimentRef `json:"experiment"`
}

func (s *server) handleHeatmap(w http.ResponseWriter, r *http.Request) {
	set, exp, err := s.experimentRuns(r.Context(), r)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	q := r.URL.Query()
	hq := mlexp.HeatmapQuery{Metric: q.Get("metric"), XAxis: q.Get("x_axis"), YAxis: q.Get("y_axis"), RunType: q.Get("run_type"), Agg: q.Get("agg")}
	if err := hq.Check(set.Runs); err != nil {
		s.respondError(w, r, err)
		return
	}
	s.respondJSON(w, r, http.StatusOK, heatmapAnswer{Heatmap: mlexp.BuildHeatmap(set.Runs, hq), Experiment: exp})
}

// handleMLflowURL answers links into MLflow's own UI: an experiment, a run, and MLflow's
// compare page for several runs.
func (s *server) handleMLflowURL(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	expID, runID := q.Get("experiment_id"), q.Get("run_id")
	var ids []string
	for _, id := range strings.Split(q.Get("run_ids"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if expID == "" && runID == "" && len(ids) == 0 {
		s.respondJSON(w, r, http.StatusOK, map[string]string{"tracking_url": s.mlflowUI})
		return
	}
	lookup := ids
	if runID != "" {
		lookup = append([]string{runID}, ids...)
	}
	expOf := map[string]string{}
	if len(lookup) > 0 {
		if s.runs == nil {
			s.respondError(w, r, errNotConfigured("reading MLflow"))
			return
		}
		runs, err := s.runs.RunsByID(r.Context(), lookup)
		if err != nil {
			s.respondError(w, r, err)
			return
		}
		for _, run := range runs {
			expOf[run.ID] = run.ExperimentID
		}
	}
	out := map[string]string{"tracking_url": s.mlflowUI}
	if runID != "" && expID == "" {
		expID = expOf[runID]
	}
	if expID != "" {
		out["experiment_url"] = s.mlflowExperimentURL(expID)
	}
	if runID != "" {
		out["run_url"] = s.mlflowUI + "/#/experiments/" + url.PathEscape(expOf[runID]) + "/runs/" + url.PathEscape(runID)
	}
	if len(ids) > 0 {
		exps := map[string]bool{}
		var expList []string
		for _, id := range ids {
			if e := expOf[id]; !exps[e] {
				exps[e] = true
				expList = append(expList, e)
			}
		}
		out["compare_url"] = s.mlflowUI + "/#/compare-runs?runs=" + url.QueryEscape(jsonList(ids)) + "&experiments=" + url.QueryEscape(jsonList(expList))
	}
	s.respondJSON(w, r, http.StatusOK, out)
}

func (s *server) mlflowExperimentURL(id string) string {
	return s.mlflowUI + "/#/experiments/" + url.PathEscape(id)
}

// jsonList writes ids as a JSON list of strings, as MLflow's compare page wants them.
func jsonList(ids []string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(id) + `"`
	}
	return "[" + strings.Join(quoted, ",") + "]"
}
