package tracking

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// Logger logs results to MLflow in the shape of the naming contract.
type Logger struct {
	client *mlflow.Client
	curves mlexp.CurvesRenderer

	mu          sync.Mutex
	experiments map[identity]string // (model id, dataset id) → id of the experiment tagged with them
	changed     func(experimentID string)
	runsChanged func(experimentID string, runIDs []string)
}

// OnChange makes the logger call fn after it changed the runs of an experiment (a run
// logged, a deployment switched), so that caches can drop what they hold.
func (l *Logger) OnChange(fn func(experimentID string)) { l.changed = fn }

// OnRunsChange makes the logger call fn with each run it logged (Reader.InvalidateRuns), so
// that a run index reads it at once, whatever its start time.
func (l *Logger) OnRunsChange(fn func(experimentID string, runIDs []string)) { l.runsChanged = fn }

func (l *Logger) notify(experimentID string) {
	if l.changed != nil {
		l.changed(experimentID)
	}
}

// NewLogger returns a logger that writes through client and draws curves with curves.
func NewLogger(client *mlflow.Client, curves mlexp.CurvesRenderer) *Logger {
	return &Logger{client: client, curves: curves, experiments: map[identity]string{}}
}

// LogQuickTest logs a quick test as one MLflow run and returns its id. The run is first
// looked up by its idempotency key, so that logging the same result again — a retried
// delivery, a second outbox, the demo run twice — finishes or returns the run an earlier
// attempt made instead of making another; and a run made at the same time by another
// process is found right after the create, so that one of the two is kept (runkey.go). It
// takes 5 requests once the experiment is known (search, create, search, log, finish), and
// 1 for a result already in MLflow.
func (l *Logger) LogQuickTest(ctx context.Context, r mlexp.QuickTestReport) (string, error) {
	if err := r.Validate(); err != nil {
		return "", err
	}
	return l.log(ctx, quickTestRecord(r))
}

// LogTrainingRun logs a full training, its per-epoch history, training_curves.png and the
// model URI, and returns the run id; like LogQuickTest, it never makes a second run.
func (l *Logger) LogTrainingRun(ctx context.Context, r mlexp.TrainingRunReport) (string, error) {
	if err := r.Validate(); err != nil {
		return "", err
	}
	return l.log(ctx, trainingRunRecord(r))
}

func (l *Logger) log(ctx context.Context, rec record) (string, error) {
	if err := rec.validate(); err != nil {
		return "", err
	}
	expID, err := l.experiment(ctx, rec.Model, rec.Dataset)
	if err != nil {
		return "", err
	}
	id, err := l.logByKey(ctx, expID, rec)
	if err == nil {
		l.notify(expID)
		if l.runsChanged != nil {
			l.runsChanged(expID, []string{id})
		}
	}
	return id, err
}

// logRun logs rec into the run that carries its idempotency key, made if there is none.
func (l *Logger) logRun(ctx context.Context, expID string, rec record) (string, error) {
	run, err := l.runFor(ctx, expID, rec)
	if err != nil {
		return "", err
	}
	if finished(run) {
		return run.Info.RunID, nil // an earlier attempt finished it: the last step sets the status
	}
	id := run.Info.RunID
	if err := l.logBatch(ctx, id, rec); err != nil {
		return id, err
	}
	if rec.ModelURI != "" {
		if err := l.client.UploadArtifact(ctx, run.Info.ArtifactURI, ModelURIArtifact, []byte(rec.ModelURI+"\n")); err != nil {
			return id, err
		}
	}
	if len(rec.History) > 0 && l.curves != nil {
		png, err := l.curves(rec.RunName, rec.History)
		if err != nil {
			return id, fmt.Errorf("drawing training curves: %w", err)
		}
		if err := l.client.UploadArtifact(ctx, run.Info.ArtifactURI, CurvesArtifact, png); err != nil {
			return id, err
		}
	}
	// Last, so that a run in a terminal state is a complete run.
	if _, err := l.client.UpdateRun(ctx, mlflow.UpdateRunRequest{RunID: id, Status: rec.Status, EndTime: rec.End}); err != nil {
		if errors.Is(err, mlflow.ErrInvalidParameter) {
			if why := l.refused(ctx, id, rec, err); why != nil {
				return id, why
			}
		}
		return id, err
	}
	return id, nil
}

// findLegacy returns the run an attempt made of rec before keys were escaped, or nil: the
// run carrying the legacy key among the runs of rec's dataset and config (see keys.go).
func (l *Logger) findLegacy(ctx context.Context, expID string, rec record) (*mlflow.Run, error) {
	if rec.LegacyKey == "" {
		return nil, nil
	}
	return l.firstRun(ctx, expID, mlflow.Where(mlflow.Tags, TagIdempotencyKey, "=", rec.LegacyKey),
		mlflow.Where(mlflow.Tags, TagDatasetID, "=", rec.Dataset.ID), mlflow.Where(mlflow.Tags, TagConfigID, "=", rec.ConfigID))
}

func (l *Logger) firstRun(ctx context.Context, expID string, clauses ...mlflow.Clause) (*mlflow.Run, error) {
	filter, err := mlflow.And(clauses...)
	if err != nil {
		return nil, err
	}
	runs, err := l.client.SearchRuns(ctx, mlflow.SearchRunsRequest{ExperimentIDs: []string{expID}, Filter: filter,
		OrderBy: []string{"attributes.start_time ASC"}, Limit: 1})
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	return &runs[0], nil
}
