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
	experiments map[string]string // experiment name → id, for experiments known to carry their tags
	changed     func(experimentID string)
}

// OnChange makes the logger call fn after it changed the runs of an experiment (a run
// logged, a deployment switched), so that caches can drop what they hold.
func (l *Logger) OnChange(fn func(experimentID string)) { l.changed = fn }

func (l *Logger) notify(experimentID string) {
	if l.changed != nil {
		l.changed(experimentID)
	}
}

// NewLogger returns a logger that writes through client and draws curves with curves.
func NewLogger(client *mlflow.Client, curves mlexp.CurvesRenderer) *Logger {
	return &Logger{client: client, curves: curves, experiments: map[string]string{}}
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
	expID, err := l.experiment(ctx, rec.Experiment, rec.ExperimentTags)
	if err != nil {
		return "", err
	}
	id, err := l.logByKey(ctx, expID, rec)
	if err == nil {
		l.notify(expID)
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

// experiment returns the id of the named experiment, creating it with its tags, or adding
// missing tags to an experiment made elsewhere. Known experiments cost no request.
func (l *Logger) experiment(ctx context.Context, name string, tags []mlflow.Tag) (string, error) {
	l.mu.Lock()
	id, ok := l.experiments[name]
	l.mu.Unlock()
	if ok {
		return id, nil
	}
	exp, err := l.client.GetExperimentByName(ctx, name)
	if errors.Is(err, mlflow.ErrNotFound) {
		id, err = l.client.CreateExperiment(ctx, name, "", tags)
		if errors.Is(err, mlflow.ErrAlreadyExists) { // made concurrently by someone else
			exp, err = l.client.GetExperimentByName(ctx, name)
		} else if err == nil {
			exp = &mlflow.Experiment{ID: id, Name: name, LifecycleStage: "active", Tags: tags}
		}
	}
	if err != nil {
		return "", err
	}
	if exp.LifecycleStage == "deleted" {
		return "", &mlexp.Error{Code: mlexp.ECONFLICT, Message: fmt.Sprintf("MLflow experiment %q (id %s) is deleted: restore it in MLflow (mlflow experiments restore --experiment-id %s) or delete it permanently", name, exp.ID, exp.ID)}
	}
	for _, t := range tags {
		if v, _ := exp.Tag(t.Key); v != t.Value {
			if err := l.client.SetExperimentTag(ctx, exp.ID, t); err != nil {
				return "", err
			}
		}
	}
	l.mu.Lock()
	l.experiments[name] = exp.ID
	l.mu.Unlock()
	return exp.ID, nil
}
