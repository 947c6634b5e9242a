package mlexp

import (
	"context"
	"errors"
	"time"
)

// The run index keeps every run of the experiments mlexp has opened in mlexp's database, so
// that a restart serves from it and a refresh asks MLflow only for what may have changed
// (tracking.Syncer keeps it in sync; docs/run-index.md says what is seen when).

// IndexedRun is one run as the index keeps it: what the index orders and filters by, and
// the run itself, encoded by the syncer (Body), opaque to the store. A tombstone
// (Deleted) stands for a run deleted in MLflow, so that replicas reading the index learn of
// the deletion too.
type IndexedRun struct {
	ID      string
	Start   int64  // start time, ms since the epoch
	Status  string // RUNNING, FINISHED, …
	Deleted bool
	Body    []byte
}

// IndexCursor is where an unfinished first load resumes: after the run with this start time
// and id, in the order of (start time, run id).
type IndexCursor struct {
	Start int64  `json:"start"`
	RunID string `json:"run_id"`
}

// IndexState is how far the index of one experiment is synced with MLflow.
type IndexState struct {
	ExperimentID string
	Codec        int // the version of the Body encoding; another one means the index must be loaded again
	Complete     bool
	Loaded       int         // runs read by the first load so far
	Cursor       IndexCursor // where an unfinished first load resumes
	NewestStart  int64       // the newest start time indexed (ms): new runs are searched from it, less a margin
	SyncedAt     time.Time   // when a sync last ended well
	DeletionsAt  time.Time   // when deleted and restored runs were last looked for
	ReconciledAt time.Time   // when the whole experiment was last read again
	Version      int64       // raised by every write; rows carry the version that wrote them
}

// RunIndex stores the index (sqlstore.DB, on SQLite or PostgreSQL).
type RunIndex interface {
	// IndexState returns the state of the experiment's index; the zero state (with the
	// experiment id) when it was never loaded.
	IndexState(ctx context.Context, experimentID string) (IndexState, error)
	// IndexedRuns returns the runs of the experiment written by versions after since (0:
	// every run), tombstones included, and the version they bring the reader to.
	IndexedRuns(ctx context.Context, experimentID string, since int64) ([]IndexedRun, int64, error)
	// EachIndexedRun is IndexedRuns without holding the runs: fn gets each in turn.
	EachIndexedRun(ctx context.Context, experimentID string, since int64, fn func(IndexedRun) error) (int64, error)
	// SaveIndex writes runs (upserted by id; a run that did not change keeps its version) and
	// st at once, under a new version, which it returns.
	SaveIndex(ctx context.Context, st IndexState, runs []IndexedRun) (int64, error)
	// ResetIndex drops the experiment's runs and state, so that it is loaded again.
	ResetIndex(ctx context.Context, experimentID string) error
	// ClaimSync gives owner the experiment's sync lease until until, when nobody else holds
	// an unexpired one; false when another does. Replicas sharing the store sync each
	// experiment one at a time.
	ClaimSync(ctx context.Context, experimentID, owner string, now, until time.Time) (bool, error)
	// ReleaseSyncs gives up every lease owner holds (a replica that stops).
	ReleaseSyncs(ctx context.Context, owner string) error
	// AddRechecks records runs that mlexp changed (logged, promoted), for the next sync of
	// their experiment to read again, in whichever process or replica syncs it; Rechecks lists
	// them and DoneRechecks forgets the ones a sync has read.
	AddRechecks(ctx context.Context, experimentID string, runIDs []string) error
	Rechecks(ctx context.Context, experimentID string) ([]string, error)
	DoneRechecks(ctx context.Context, experimentID string, runIDs []string) error
}

// Loading is the error of an experiment whose runs are still being loaded into the index
// for the first time: EUNAVAILABLE (503) with the progress in its details, {"loading":
// true, "runs_read": N, "retry_after_seconds": 3}, so that a page can say "loading runs from MLflow: 45,000 read" and
// the API how far it has got.
func Loading(experimentID string, read int) *Error {
	e := Unavailable(DependencyMLflow, nil, "the runs of experiment %s are loading from MLflow: %d read so far; try again in a moment", experimentID, read)
	e.Details = map[string]any{"loading": true, "runs_read": read, "retry_after_seconds": LoadingRetrySeconds}
	return e
}

// LoadingRetrySeconds is when to ask again for an experiment that is loading.
const LoadingRetrySeconds = 3

// LoadingProgress returns how many runs the load that err reports has read; ok is false
// when err is not a Loading error.
func LoadingProgress(err error) (read int, ok bool) {
	var e *Error
	if !errors.As(err, &e) || e.Code != EUNAVAILABLE || e.Details["loading"] != true {
		return 0, false
	}
	n, _ := e.Details["runs_read"].(int)
	return n, true
}
