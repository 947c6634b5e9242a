package tracking

import (
	"context"
	"errors"
	"sync"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// maxModelURIReads bounds how many candidates' model URIs one selection reads (two requests
// each): a selection whose best runs have nothing to deploy says so rather than read them all.
const maxModelURIReads = 40

// Selector picks the run of an experiment to deploy: the domain ranks the runs, the
// selector reads from MLflow what the ranking cannot know (model URIs, the deployed run).
// Promotion uses it (Promoter.SelectBest); the read-only `mlexp best` uses it alone.
type Selector struct {
	client *mlflow.Client
}

// NewSelector returns a selector that reads through client.
func NewSelector(client *mlflow.Client) *Selector { return &Selector{client: client} }

// SelectBest picks the run of runs (an experiment of the model, as read) to deploy, by q:
// the domain ranks them (mlexp.RankForDeployment), then the models of the best are looked for
// in MLflow (FindRunModel), best first, until two runs with one are found; the model's deployed run, from
// any of its experiments, is what the margin is measured against.
func (s *Selector) SelectBest(ctx context.Context, modelID string, runs []mlexp.Run, q mlexp.BestQuery) (*mlexp.Best, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	rk := mlexp.RankForDeployment(runs, q)
	uris := map[string]string{}
	models := map[string]*mlexp.RunModel{}
	for len(uris) < maxModelURIReads {
		need := mlexp.NeedModelURIs(rk, uris, 4)
		if len(need) == 0 {
			break
		}
		got := make([]*mlexp.RunModel, len(need))
		errs := make([]error, len(need))
		var wg sync.WaitGroup
		for i, id := range need {
			wg.Go(func() {
				m, err := s.client.GetRun(ctx, id)
				if err != nil {
					errs[i] = MLflowError(err, "reading run "+id)
					return
				}
				got[i], errs[i] = FindRunModel(ctx, s.client, m)
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		for i, id := range need {
			models[id] = got[i]
		}
		uris = mlexp.ModelURIs(models)
	}
	marked, err := markedRuns(ctx, s.client, modelID)
	if err != nil {
		return nil, err
	}
	var deployed *mlexp.Run
	if len(marked) > 0 {
		d := ToRun(&marked[0])
		deployed = &d
	}
	return mlexp.SelectBestModel(rk, uris, models, deployed), nil
}

// SelectBest picks the run of runs to deploy, as Selector.SelectBest does: the promotion
// page offers what it finds.
func (p *Promoter) SelectBest(ctx context.Context, modelID string, runs []mlexp.Run, q mlexp.BestQuery) (*mlexp.Best, error) {
	return NewSelector(p.client).SelectBest(ctx, modelID, runs, q)
}

var (
	_ mlexp.BestSelector = (*Selector)(nil)
	_ mlexp.BestSelector = (*Promoter)(nil)
	_ mlexp.Promoter     = (*Promoter)(nil)
)
