package tracking

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp/mlflow"
)

// One result is one MLflow run, found by its idempotency key, even when several processes
// (each with its own outbox) deliver it at once. MLflow has no unique constraint on tags, so
// between one logger's search for the key and its create another may create a run too.
// Hence every logger searches again right after creating, and all agree on one run, the
// canonical one (canonicalRun): the one furthest along, then the oldest by start time,
// then by run id. A logger that created a run which is not canonical deletes it and
// finishes the canonical run instead; the unfinished non-canonical runs it sees are deleted
// too, so that duplicates do not outlive the race. A logger whose run was deleted that way
// starts over (errRunDeleted) and finds the canonical run. Two loggers writing to one run at
// once can make MLflow refuse a param with a unique-constraint failure, though re-logging a
// param with the same value is accepted: such a refusal is sent again (logBatch). None of
// this fails a result for good (raceError).
//
// What remains: a logger may finish its run just before another, which saw it unfinished,
// deletes it. MLflow then holds one complete run, the other's, and the first logger returns
// the id of the deleted duplicate (MLflow keeps deleted runs, so the id still leads to the
// result and its key). Only a lock outside MLflow could rule that out.

// maxStarts bounds how often one logging starts over after a concurrent logger deleted the
// run it was writing to; more is left to the outbox's next attempt.
const maxStarts = 4

// maxKeyRuns bounds how many runs carrying one key are read: there are one or two.
const maxKeyRuns = 100

// errRunDeleted says that the run being logged was deleted by a concurrent logger of the
// same result, which keeps another run: the logging starts over.
var errRunDeleted = &raceError{reason: "the run was deleted by a concurrent delivery of the same result, which keeps another"}

// raceError is a failure caused by another delivery of the same result at work at the same
// time. It is never permanent: the next attempt finds the state the race left.
type raceError struct {
	reason string
	cause  string // MLflow's answer, if any; kept as text so that it is not taken for a refusal
}

func (e *raceError) Error() string {
	if e.cause == "" {
		return e.reason
	}
	return e.reason + ": " + e.cause
}

// isRace says whether err comes from a concurrent delivery of the same result.
func isRace(err error) bool {
	var re *raceError
	return errors.As(err, &re)
}

// logByKey logs rec (logRun) into the run that carries its key. When a concurrent logger
// of the same result deleted the run this one was writing to, keeping another, it starts
// over after a short random pause (which keeps two loggers from deciding in step), and
// finds and finishes that other run.
func (l *Logger) logByKey(ctx context.Context, expID string, rec record) (string, error) {
	for start := 1; ; start++ {
		id, err := l.logRun(ctx, expID, rec)
		if !errors.Is(err, errRunDeleted) || start == maxStarts {
			return id, err
		}
		if err := pause(ctx, time.Duration(start)*50*time.Millisecond); err != nil {
			return id, err
		}
	}
}

// pause waits a random time from d/2 to d, or until ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d/2 + rand.N(d/2+1))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// runFor returns the run that logging rec writes to: the canonical run carrying its key, or
// a new one when there is none. It returns errRunDeleted when a concurrent logger deleted
// the new run before it could be looked at.
func (l *Logger) runFor(ctx context.Context, expID string, rec record) (*mlflow.Run, error) {
	run, err := l.findByKey(ctx, expID, rec.IdempotencyKey)
	if err != nil || run != nil {
		return run, err
	}
	if run, err := l.findLegacy(ctx, expID, rec); err != nil || run != nil { // made before keys were escaped
		return run, err
	}
	created, err := l.client.CreateRun(ctx, mlflow.CreateRunRequest{ExperimentID: expID, RunName: rec.RunName, StartTime: rec.Start, Tags: rec.Tags})
	if err != nil {
		return nil, err
	}
	// Another process may have created a run for the key since the search: look again.
	run, err = l.findByKey(ctx, expID, rec.IdempotencyKey)
	switch {
	case err != nil:
		return nil, err
	case run == nil:
		return nil, errRunDeleted
	case run.Info.RunID == created.Info.RunID:
		return created, nil
	}
	return run, nil
}

// findByKey returns the canonical run carrying the idempotency key, or nil, and deletes the
// unfinished runs that carry it too: duplicates made by a race (see runFor).
func (l *Logger) findByKey(ctx context.Context, expID, key string) (*mlflow.Run, error) {
	filter, err := mlflow.And(mlflow.Where(mlflow.Tags, TagIdempotencyKey, "=", key))
	if err != nil {
		return nil, err
	}
	runs, err := l.client.SearchRuns(ctx, mlflow.SearchRunsRequest{ExperimentIDs: []string{expID}, Filter: filter,
		OrderBy: []string{"attributes.start_time ASC"}, Limit: maxKeyRuns})
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	keep := canonicalRun(runs)
	for i := range runs {
		if r := &runs[i]; r.Info.RunID != keep.Info.RunID && !finished(r) {
			// A finished run is never deleted: it may be read or deployed already.
			if err := l.client.DeleteRun(ctx, r.Info.RunID); err != nil && !errors.Is(err, mlflow.ErrNotFound) {
				return nil, fmt.Errorf("deleting run %s, a duplicate of run %s for %s: %w", r.Info.RunID, keep.Info.RunID, key, err)
			}
		}
	}
	return keep, nil
}

// canonicalRun is the run, of several carrying one key, that every logger keeps: the one
// furthest along (finished, then with params logged, then bare, so that a logger about to
// finish its run is rarely overtaken), then the oldest by start time, then by run id.
// Progress only grows, so loggers that see the same runs at different moments may disagree
// only while one of them is still writing, which then finds its run deleted and starts over.
func canonicalRun(runs []mlflow.Run) *mlflow.Run {
	best := slices.MinFunc(runs, func(a, b mlflow.Run) int {
		return cmp.Or(
			cmp.Compare(progress(&b), progress(&a)),
			cmp.Compare(a.Info.StartTime, b.Info.StartTime),
			cmp.Compare(a.Info.RunID, b.Info.RunID))
	})
	return &best
}

// progress ranks how far logging got with a run: 2 finished, 1 params logged, 0 bare.
func progress(r *mlflow.Run) int {
	switch {
	case finished(r):
		return 2
	case len(r.Data.Params) > 0:
		return 1
	}
	return 0
}

// finished says whether a run is in a terminal state: the last step of logging sets it, so
// a finished run logged by mlexp is complete.
func finished(r *mlflow.Run) bool { return r.Info.Status != mlflow.StatusRunning }

// logBatch logs rec's metrics and params to run id. MLflow refuses a batch when a
// concurrent logger inserts the same params at the same moment (a unique-constraint
// failure of its database, answered as a bad request); such a refusal is looked into and
// the batch sent again, since re-logging a param with the same value is accepted. Any other
// refusal is returned as it is.
func (l *Logger) logBatch(ctx context.Context, id string, rec record) error {
	const tries = 5
	for try := 1; ; try++ {
		err := l.client.LogBatch(ctx, id, rec.Metrics, rec.Params, nil)
		if err == nil || !errors.Is(err, mlflow.ErrInvalidParameter) {
			return err
		}
		if why := l.refused(ctx, id, rec, err); why != nil {
			return why
		}
		if !uniqueViolation(err) {
			return err
		}
		if try == tries {
			return &raceError{reason: fmt.Sprintf("MLflow refused the params of run %s %d times while they match what is logged", id, tries), cause: err.Error()}
		}
		if perr := pause(ctx, time.Duration(try)*50*time.Millisecond); perr != nil {
			return errors.Join(err, perr)
		}
	}
}

// refused explains MLflow's refusal err of a write to run id: errRunDeleted when a
// concurrent logger deleted the run, err itself when a logged param has another value than
// rec's (a real conflict), and nil when neither is the case.
func (l *Logger) refused(ctx context.Context, id string, rec record, err error) error {
	run, gerr := l.client.GetRun(ctx, id)
	if gerr != nil {
		return errors.Join(err, gerr)
	}
	if run.Info.LifecycleStage == "deleted" {
		return errRunDeleted
	}
	for _, p := range rec.Params {
		if v, ok := run.Data.Param(p.Key); ok && v != p.Value {
			return err
		}
	}
	return nil
}

// uniqueViolation says whether MLflow's refusal err is a unique-constraint failure of its
// database (SQLite, PostgreSQL, MySQL, SQL Server): two writers inserted the same row.
func uniqueViolation(err error) bool {
	var e *mlflow.Error
	if !errors.As(err, &e) {
		return false
	}
	m := strings.ToLower(e.Message)
	for _, s := range []string{"unique constraint", "uniqueviolation", "duplicate key", "duplicate entry", "integrityerror"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}
