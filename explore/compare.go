package explore

import (
	"context"
	"slices"
	"sync"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// CompareRequest asks to compare 2 to 50 runs by id, of any experiments.
type CompareRequest struct {
	RunIDs     []string `json:"run_ids"`
	BaselineID string   `json:"baseline_run_id,omitempty"` // "": the deployed run if compared, else the first
	Metric     string   `json:"metric,omitempty"`          // "": Recall@100
}

// CheckCount refuses fewer than mlexp.MinCompareRuns or more than mlexp.MaxCompareRuns ids,
// naming the field run_ids.
func CheckCount(ids []string) error {
	if n := len(ids); n < mlexp.MinCompareRuns || n > mlexp.MaxCompareRuns {
		return mlexp.InvalidField("run_ids", "compare %d to %d runs, got %d", mlexp.MinCompareRuns, mlexp.MaxCompareRuns, n)
	}
	return nil
}

// Compare reads the runs of req and compares them. An unknown run is ENOTFOUND naming it;
// an error in the baseline or metric names the field baseline or metric.
func (s *Service) Compare(ctx context.Context, req CompareRequest) (*mlexp.Comparison, error) {
	if err := CheckCount(req.RunIDs); err != nil {
		return nil, err
	}
	runs, err := s.runs.RunsByID(ctx, req.RunIDs)
	if err != nil {
		return nil, err
	}
	return s.CompareRuns(ctx, runs, req.BaselineID, req.Metric)
}

// CompareRuns compares runs already read, with the noise judgement of their experiment.
func (s *Service) CompareRuns(ctx context.Context, runs []mlexp.Run, baselineID, metric string) (*mlexp.Comparison, error) {
	related, noise := s.related(ctx, runs)
	c, err := mlexp.CompareRuns(runs, mlexp.CompareOptions{BaselineID: baselineID, Metric: metric, Noise: noise, Related: related,
		Towers: s.towerMapping(ctx, runs)})
	if err != nil {
		return nil, err
	}
	s.checkLineage(ctx, c, runs)
	s.attachModels(ctx, c, runs)
	return c, nil
}

// attachModels finds the model of each compared full training, and where MLflow records it,
// eight runs at a time; a run whose model cannot be read is shown without one.
func (s *Service) attachModels(ctx context.Context, c *mlexp.Comparison, runs []mlexp.Run) {
	if s.models == nil {
		return
	}
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range c.Runs {
		if runs[i].Type != mlexp.FullTrainingRun {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if m, err := s.models.RunModel(ctx, c.Runs[i].ID); err == nil {
				c.Runs[i].Model = m
			}
		})
	}
	wg.Wait()
}

// maxRelatedExperiments bounds the experiments a comparison reads besides its runs.
const maxRelatedExperiments = 8

// related reads every run of the experiments of the compared runs (at most
// maxRelatedExperiments of them), so that the recommendation sees the full trainings the
// compared configs already have, and judges run-to-run noise from the repeated quick tests
// of their experiment. The judge is nil when the runs span several experiments; an
// experiment that cannot be read adds no runs: the comparison then follows its plain rule.
func (s *Service) related(ctx context.Context, runs []mlexp.Run) ([]mlexp.Run, mlexp.NoiseJudge) {
	var ids []string
	for _, r := range runs {
		if !slices.Contains(ids, r.ExperimentID) {
			ids = append(ids, r.ExperimentID)
		}
	}
	if len(ids) > maxRelatedExperiments {
		return nil, nil
	}
	if len(ids) == 1 { // the snapshot itself, not a copy: it is never modified
		set, err := s.runs.Runs(ctx, ids[0])
		if err != nil {
			return nil, nil
		}
		return set.Runs, insight.NewNoiseJudge(set.Runs)
	}
	var related []mlexp.Run // runs of several experiments: no judge of noise across them
	for _, id := range ids {
		if set, err := s.runs.Runs(ctx, id); err == nil {
			related = append(related, set.Runs...)
		}
	}
	return related, nil
}

// RunsByID reads runs by id; an unknown id is ENOTFOUND naming it (field run_ids).
func (s *Service) RunsByID(ctx context.Context, ids []string) ([]mlexp.Run, error) {
	return s.runs.RunsByID(ctx, ids)
}

// FindRuns reads the runs of ids that exist, and lists those that do not (or were deleted).
func (s *Service) FindRuns(ctx context.Context, ids []string) (found []mlexp.Run, missing []string, err error) {
	return s.runs.FindRuns(ctx, ids)
}

// Reopened is a saved comparison compared again with the runs as they are now.
type Reopened struct {
	// Comparison is nil when fewer than two of the saved runs still exist.
	Comparison *mlexp.Comparison
	// Missing are the saved runs that no longer exist (or were deleted); never nil.
	Missing []string
	// Runs are the saved runs that still exist.
	Runs []mlexp.Run
}

// Reopen reads the runs of a saved comparison, those that still exist, and compares them
// live (against baselineID, on metric; "" for the defaults) when at least two do.
func (s *Service) Reopen(ctx context.Context, saved *mlexp.SavedComparison, baselineID, metric string) (*Reopened, error) {
	runs, missing, err := s.runs.FindRuns(ctx, saved.RunIDs)
	if err != nil {
		return nil, err
	}
	if missing == nil {
		missing = []string{}
	}
	ans := &Reopened{Missing: missing, Runs: runs}
	if len(runs) >= mlexp.MinCompareRuns {
		if ans.Comparison, err = s.CompareRuns(ctx, runs, baselineID, metric); err != nil {
			return nil, err
		}
	}
	return ans, nil
}
