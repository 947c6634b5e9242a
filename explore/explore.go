// Package explore holds mlexp's use cases: every question a user asks of the runs
// (summary, heatmap, runs table, parallel coordinates, comparison with its noise judgement,
// insights, the best run to deploy, links into MLflow's UI) is answered here, once. Each
// answer is written the same way: find the model's experiment, read its runs, check the
// query against them, build the answer with the domain (package mlexp) and the statistics
// (package insight).
//
// The JSON API, the HTML pages and the CLI all call a Service, so that `mlexp heatmap
// --json` prints the API's data by construction. The package does no rendering and no I/O
// of its own: it reads through the interfaces of package mlexp (tracking implements them
// over MLflow; tests may use a fake run source).
package explore

import (
	"context"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// Deps are what a Service reads through. A nil field makes the use cases that need it
// answer an EUNAVAILABLE error (mlexp.NotConfigured) instead of failing any other way.
type Deps struct {
	Runs        mlexp.RunSource      // the runs and experiments in MLflow
	Best        mlexp.BestSelector   // selection of the run to deploy
	Attacher    mlexp.Attacher       // tags an experiment as a model's
	Lineage     mlexp.LineageStore   // the ML Metadata store, when one is configured
	LineageRefs mlexp.LineageRefs    // what links a run to ML Metadata (its tags, its model URI)
	RunModels   mlexp.RunModelReader // the models of compared full trainings; nil: comparisons leave them out
	Towers      mlexp.TowerStore     // the models' tower mappings; nil: comparisons use the runs' tower params only
	MLflowUIURL string               // base of links into MLflow's UI
	Now         func() time.Time     // "2 hours ago" counts from it; nil is time.Now

	// Histories reads per-epoch metric histories, for the overlaid training curves.
	Histories mlexp.MetricHistoryReader
}

// Service answers the queries of mlexp.
type Service struct {
	runs     mlexp.RunSource
	best     mlexp.BestSelector
	attacher mlexp.Attacher
	lineage  mlexp.LineageStore
	models   mlexp.RunModelReader
	towers   mlexp.TowerStore
	refs     mlexp.LineageRefs
	mlflowUI string
	now      func() time.Time
	history  mlexp.MetricHistoryReader
}

// New returns a Service over deps.
func New(deps Deps) *Service {
	s := &Service{runs: deps.Runs, best: deps.Best, attacher: deps.Attacher, lineage: deps.Lineage, refs: deps.LineageRefs, models: deps.RunModels,
		towers: deps.Towers, mlflowUI: strings.TrimRight(deps.MLflowUIURL, "/"), now: deps.Now, history: deps.Histories}
	if s.runs == nil {
		s.runs = missingRuns{}
	}
	if s.best == nil {
		s.best = missingBest{}
	}
	if s.attacher == nil {
		s.attacher = missingAttacher{}
	}
	if s.lineage == nil || s.refs == nil {
		s.lineage, s.refs = missingLineage{}, missingLineage{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Now is the time the Service's answers count from.
func (s *Service) Now() time.Time { return s.now() }

// Target names the experiment a query reads: a model and one of its datasets ("" for the
// model's most recently active one).
type Target struct {
	ModelID   string
	DatasetID string
}

// Experiment is one experiment's runs, read for a query, with what every answer says of it.
// Its methods build the answers over the same snapshot, so that a page showing several of
// them (the dashboard: summary, heatmap and insight cards) reads MLflow once.
type Experiment struct {
	Model mlexp.ModelInfo     // the model, with every dataset it has
	Set   *mlexp.RunSet       // the runs; never modified
	Ref   mlexp.ExperimentRef // which experiment, its MLflow link, and how fresh the runs are

	now time.Time
}

// All are the runs of the experiment.
func (e *Experiment) All() []mlexp.Run { return e.Set.Runs }

// Open finds the experiment of t and reads its runs.
func (s *Service) Open(ctx context.Context, t Target) (*Experiment, error) {
	m, d, err := s.runs.Experiment(ctx, t.ModelID, t.DatasetID)
	if err != nil {
		return nil, err
	}
	set, err := s.runs.Runs(ctx, d.ExperimentID)
	if err != nil {
		return nil, err
	}
	return &Experiment{Model: m, Set: set, Ref: mlexp.NewExperimentRef(m, d, set, s.ExperimentURL(d.ExperimentID)), now: s.now()}, nil
}

// ModelsAnswer lists the models that have experiments in MLflow.
type ModelsAnswer struct {
	Models []mlexp.ModelInfo `json:"models"`
}

// Models lists the models found in MLflow by the tags of their experiments; never nil.
func (s *Service) Models(ctx context.Context) (*ModelsAnswer, error) {
	ms, err := s.runs.Models(ctx)
	if err != nil {
		return nil, err
	}
	if ms == nil {
		ms = []mlexp.ModelInfo{}
	}
	return &ModelsAnswer{Models: ms}, nil
}

// ModelOf finds the model and dataset whose experiment is experimentID; known is false when
// the experiment belongs to no model or the models cannot be read.
func (s *Service) ModelOf(ctx context.Context, experimentID string) (m mlexp.ModelInfo, d mlexp.DatasetInfo, known bool) {
	models, err := s.runs.Models(ctx)
	if err != nil {
		return m, d, false
	}
	for _, m := range models {
		for _, d := range m.Datasets {
			if d.ExperimentID == experimentID {
				return m, d, true
			}
		}
	}
	return m, d, false
}

// AttachRequest attaches an existing MLflow experiment to a model and dataset.
type AttachRequest struct {
	Experiment string        `json:"experiment"` // id or name
	ModelName  string        `json:"model_name"`
	Dataset    mlexp.Dataset `json:"dataset"`
}

// Attach tags the experiment of req as the experiment of model modelID on req's dataset.
// The model's name defaults to its id, and so does the dataset's.
func (s *Service) Attach(ctx context.Context, modelID string, req AttachRequest) (mlexp.DatasetInfo, error) {
	if req.Experiment == "" {
		return mlexp.DatasetInfo{}, mlexp.InvalidField("experiment", "is required: the id or name of an MLflow experiment")
	}
	m := mlexp.Model{ID: modelID, Name: req.ModelName}
	if m.Name == "" {
		m.Name = m.ID
	}
	return s.attacher.Attach(ctx, req.Experiment, m, req.Dataset)
}
