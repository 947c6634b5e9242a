package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/mlexp-dev/mlexp"
)

type runPage struct {
	Layout    pageLayout
	Name      string
	ID        string
	TypeLabel string
	Status    string
	Failed    bool
	Deployed  bool
	Failure   string
	Summary   []pageKV // start, end, duration, cost, config, dataset
	Metrics   []pageKV
	Params    []pageKV
	Tags      []pageKV
	MLflowURL string
	CurvesURL string // full trainings only
	RunsURL   string
	Lineage   *runLineage // nil when the server has no ML Metadata store
}

type pageKV struct{ Key, Value string }

// handleRunPage renders one run: its summary, metrics, params and tags, and the training
// curves of a full training.
func (s *server) handleRunPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("run_id")
	runs, err := s.explore.RunsByID(r.Context(), []string{id})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	run := runs[0]
	p := runPage{Name: run.Name, ID: run.ID, TypeLabel: run.Type.Label(), Status: mlexp.StatusLabel(run.Status), Failed: run.Failed(),
		Deployed: run.Deployed, MLflowURL: s.explore.RunURL(run.ExperimentID, run.ID)}
	p.Layout.Title, p.Layout.Nav.Active = run.Name, "run"
	p.Layout.Nav.MLflow = s.explore.ExperimentURL(run.ExperimentID)
	if m, d, ok := s.explore.ModelOf(r.Context(), run.ExperimentID); ok {
		p.Layout.Nav.ModelName = m.Name
		p.Layout.Nav.Dashboard = dashboardURL(m.ID, d.ID)
		p.Layout.Nav.Runs = runsURL(m.ID, d.ID)
		p.RunsURL = p.Layout.Nav.Runs
	}
	if run.Failure != nil {
		p.Failure = run.Failure.Reason
		if run.Failure.Stage != "" {
			p.Failure = "in " + run.Failure.Stage + ": " + run.Failure.Reason
		}
	}
	now := s.now()
	add := func(k, v string) {
		if v != "" {
			p.Summary = append(p.Summary, pageKV{k, v})
		}
	}
	add("Config", run.ConfigName)
	if run.ConfigID != run.ConfigName {
		add("Config id", run.ConfigID)
	}
	if !run.Start.IsZero() {
		add("Started", run.Start.UTC().Format("2006-01-02 15:04 UTC")+" ("+mlexp.TimeAgo(run.Start, now)+")")
	}
	if !run.End.IsZero() {
		add("Ended", run.End.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if d := run.Duration(); d > 0 {
		add("Duration", mlexp.FormatDuration(d))
	}
	add("Cost", mlexp.FormatCost(run.CostUSD))
	add("Configuration", mlexp.ConfigSummary(run))
	if mr, ok := s.artifacts.(mlexp.RunModelReader); ok {
		if m, err := mr.RunModel(r.Context(), run.ID); err == nil && m != nil {
			add("Model", m.URI+" ("+mlexp.ModelSourceLabel(m.Source)+")")
		}
	}
	for _, m := range mlexp.MetricNames([]mlexp.Run{run}) {
		v, ok := run.Metrics.Lookup(m)
		if !ok || m == mlexp.MetricCostUSD && run.CostUSD != nil { // the summary's Cost says it
			continue
		}
		p.Metrics = append(p.Metrics, pageKV{mlexp.MetricLabel(m) + " (" + m + ")", mlexp.FormatMetric(m, v)})
	}
	keys := make([]string, 0, run.Params.Len())
	for k := range run.Params.All() {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, mlexp.NaturalCompare)
	for _, k := range keys {
		p.Params = append(p.Params, pageKV{k, run.Params.Get(k)})
	}
	for _, t := range []pageKV{{"dataset_id", run.DatasetID}, {"dataset_version", run.DatasetVersion}, {"feature_config_id", run.ConfigID},
		{"is_deployed", strconv.FormatBool(run.Deployed)}} {
		if t.Value != "" {
			p.Tags = append(p.Tags, t)
		}
	}
	if run.Failure != nil {
		p.Tags = append(p.Tags, pageKV{"failure_stage", run.Failure.Stage}, pageKV{"failure_reason", run.Failure.Reason})
	}
	if run.Type == mlexp.FullTrainingRun {
		p.CurvesURL = runURL(run.ID) + "training_curves.png"
	}
	p.Lineage = s.lineageSection(r.Context(), run.ID)
	s.render(w, r, http.StatusOK, viewRun, p)
}

// handleTrainingCurves streams the training_curves.png artifact of a run from MLflow.
func (s *server) handleTrainingCurves(w http.ResponseWriter, r *http.Request) {
	png, err := s.artifacts.TrainingCurves(r.Context(), r.PathValue("run_id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Cache-Control", "private, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	_, _ = w.Write(png)
}
