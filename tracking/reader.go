package tracking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// Reader reads the runs of experiments from MLflow through a cache: a snapshot is fresh for
// the TTL; an older one is served at once while one background refresh runs
// (stale-while-revalidate); concurrent requests for the same experiment share one fetch;
// and when MLflow cannot be reached the last snapshot is served, marked stale, with the time
// it was read. With a Health (WatchHealth), the data is marked stale from the first attempt
// that fails to reach MLflow, and a request with nothing cached is answered at once while
// MLflow is known to be down, instead of after the client's retries.
type Reader struct {
	client *mlflow.Client
	ttl    time.Duration
	now    func() time.Time
	log    *slog.Logger

	health *Health // nil: MLflow's state is learnt from each fetch alone
	sync   *Syncer // nil: no run index; every refresh reads every run
	// progress, when set, is told how many runs a read has brought so far (ReadWithProgress).
	progress func(read int)
	// loading counts the runs read by this process's first load of each experiment.
	loading       map[string]*load
	firstLoadWait time.Duration

	mu       sync.Mutex
	entries  map[string]*entry
	used     map[string]time.Time // when each experiment was last asked for
	swept    time.Time
	models   []mlexp.ModelInfo // nil until read, and after ModelsChanged
	modelsAt time.Time
	flight   singleflight.Group
	parts    int // concurrent searches per fetch (mlflow.Client.SearchRunsSplit)
}

// ReaderOption configures a Reader.
type ReaderOption func(*Reader)

// ReadInParts makes the reader load an experiment with up to parts concurrent searches of
// disjoint start-time ranges (see mlflow.Client.SearchRunsSplit): faster when the MLflow
// server has several workers. 1, the default, is one search.
func ReadInParts(parts int) ReaderOption {
	return func(r *Reader) { r.parts = max(parts, 1) }
}

// ReadWithProgress makes a read of a whole experiment without the run index (the CLI's) tell
// progress how many runs have arrived, page by page, and take as long as it needs: no
// deadline but the caller's, whose user can stop it.
func ReadWithProgress(progress func(read int)) ReaderOption {
	return func(r *Reader) { r.progress = progress }
}

// WatchHealth makes the reader consult h, fed by the observer of the reader's client, about
// whether MLflow answers.
func WatchHealth(h *Health) ReaderOption {
	return func(r *Reader) { r.health = h }
}

// entry is the cached runs of one experiment and how the last refresh went.
type entry struct {
	set     *mlexp.RunSet // as last read; set.FetchedAt is when
	checked time.Time     // when the last refresh ended, read or failed: the TTL counts from it
	err     error         // why the last refresh failed; nil after a read

	// With the run index (WithIndex):
	version int64           // of the index, as far as set has applied it
	byID    map[string]int  // position of each run in set.Runs
	deleted map[string]bool // runs the index has as deleted
	dirty   bool            // mlexp changed runs: the next request waits for a sync
	full    bool            // mlexp changed runs it did not name: the next sync reads every run
}

// NewReader returns a reader whose snapshots are fresh for ttl.
func NewReader(client *mlflow.Client, ttl time.Duration, now func() time.Time, log *slog.Logger, opts ...ReaderOption) *Reader {
	r := &Reader{client: client, ttl: ttl, now: now, log: log, entries: map[string]*entry{}, used: map[string]time.Time{}, parts: 1,
		firstLoadWait: DefaultFirstLoadWait}
	for _, o := range opts {
		o(r)
	}
	return r
}

// idleEviction is how long the runs of an experiment nobody asks for stay cached.
const idleEviction = time.Hour

// touch records that experimentID was asked for and, at most once a minute, drops the
// experiments nobody has asked for in idleEviction, so that memory follows what is in use.
// r.mu must be held.
func (r *Reader) touch(experimentID string, now time.Time) {
	r.used[experimentID] = now
	if now.Sub(r.swept) < time.Minute {
		return
	}
	r.swept = now
	for id, at := range r.used {
		if now.Sub(at) > idleEviction {
			delete(r.used, id)
			delete(r.entries, id)
		}
	}
}

// fetchTimeout bounds a refresh that no request waits for.
const fetchTimeout = 2 * time.Minute

// Runs returns the runs of the experiment. Callers must not modify the returned snapshot.
func (r *Reader) Runs(ctx context.Context, experimentID string) (*mlexp.RunSet, error) {
	r.mu.Lock()
	e := r.entries[experimentID]
	r.touch(experimentID, r.now())
	var cached entry
	if e != nil {
		cached = *e
	}
	r.mu.Unlock()
	if e != nil && cached.dirty && r.sync != nil {
		return r.afterChange(ctx, experimentID, cached)
	}
	if e != nil {
		if r.now().Sub(cached.checked) >= r.ttl {
			go r.refresh(experimentID) // serve what we have; the next request sees the new one
		}
		return r.served(cached), nil
	}
	if r.sync != nil {
		return r.openIndexed(ctx, experimentID)
	}
	doing := "reading the runs of experiment " + experimentID
	if err := r.health.Down(doing); err != nil {
		go r.refresh(experimentID) // so that the first request after MLflow is back finds it
		return nil, err
	}
	// Nothing cached: wait for a fetch, shared with concurrent callers. The fetch itself is
	// not cancelled when this caller gives up, so that the others still get it.
	return r.shared(ctx, experimentID, func() (*mlexp.RunSet, error) { return r.fetch(experimentID) })
}

// shared runs read once for the concurrent callers that name the same key, and waits for it
// until ctx ends; read itself is not cancelled when this caller gives up, so that the others
// still get it.
func (r *Reader) shared(ctx context.Context, key string, read func() (*mlexp.RunSet, error)) (*mlexp.RunSet, error) {
	ch := r.flight.DoChan(key, func() (any, error) { return read() })
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*mlexp.RunSet), nil
	}
}

// served is the snapshot of e as a request gets it: marked stale, with why, when its last
// refresh failed or MLflow is down now. FetchedAt stays when the runs were read.
func (r *Reader) served(e entry) *mlexp.RunSet {
	err := e.err
	if down := r.health.Down("refreshing the runs"); down != nil {
		err = down
	}
	if err == nil {
		return e.set
	}
	stale := *e.set
	stale.Stale, stale.StaleReason = true, mlexp.ErrorMessage(err)
	return &stale
}

// refresh re-reads the experiment in the background; a failure keeps the cached snapshot,
// to be served marked stale, and the next try waits a TTL rather than come with every
// request while MLflow is down.
func (r *Reader) refresh(experimentID string) {
	fetch := r.fetch
	if r.sync != nil {
		fetch = r.syncIndexed
	}
	_, err, _ := r.flight.Do(experimentID, func() (any, error) { return fetch(experimentID) })
	if err == nil {
		return
	}
	r.log.Warn("refreshing runs from MLflow; serving the cached ones, marked stale", "experiment", experimentID, "err", err)
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.entries[experimentID]; e != nil {
		failed := *e
		failed.checked, failed.err, failed.dirty = r.now(), err, false
		r.entries[experimentID] = &failed
	}
}

func (r *Reader) fetch(experimentID string) (*mlexp.RunSet, error) {
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	if r.progress != nil { // the CLI: as long as it takes, until its user stops it
		ctx, cancel = context.WithCancel(context.Background())
	}
	defer cancel()
	var runs []mlexp.Run
	strs := new(mlexp.Interner)
	err := r.client.SearchRunsSplit(ctx, mlflow.SearchRunsRequest{ExperimentIDs: []string{experimentID}}, r.parts, func(page []mlflow.Run) error {
		if runs == nil {
			runs = make([]mlexp.Run, 0, len(page))
		}
		for i := range page {
			runs = append(runs, toRun(&page[i], strs))
		}
		if r.progress != nil {
			r.progress(len(runs))
		}
		return nil
	})
	if err != nil {
		return nil, MLflowError(err, "reading the runs of experiment "+experimentID)
	}
	now := r.now()
	snap := mlexp.NewRunSet(experimentID, runs, now)
	r.mu.Lock()
	r.entries[experimentID] = &entry{set: snap, checked: now}
	r.mu.Unlock()
	return snap, nil
}

// Invalidate says that mlexp itself changed runs of an experiment, without saying which:
// without the index the cached runs are dropped; with it, the next request waits for a sync
// that reads every run again (InvalidateRuns names them and reads only those).
func (r *Reader) Invalidate(experimentID string) { r.InvalidateRuns(experimentID, nil) }

// InvalidateRuns says that mlexp itself changed runIDs of an experiment (a run logged, a
// deployment switched), so that the next request shows them: without the index the cached
// runs are dropped; with it, the runs are recorded in the store for the next sync to read,
// whichever process or replica makes it, and the next request here waits for that sync.
func (r *Reader) InvalidateRuns(experimentID string, runIDs []string) {
	if r.sync != nil && len(runIDs) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.sync.index.AddRechecks(ctx, experimentID, runIDs); err != nil {
			r.log.Warn("recording runs mlexp changed; the reconciliation picks them up", "experiment", experimentID, "err", err)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entries[experimentID]
	if r.sync == nil || e == nil {
		delete(r.entries, experimentID)
		delete(r.used, experimentID)
		return
	}
	changed := *e
	changed.dirty, changed.full = true, changed.full || len(runIDs) == 0
	r.entries[experimentID] = &changed
}

// Cached reports whether the runs of experimentID are in the cache.
func (r *Reader) Cached(experimentID string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.entries[experimentID]
	return ok
}

// MLflowError turns an error of the MLflow client into an mlexp error with a message that
// says what failed and what to do. The message shows what MLflow said was wrong with the
// request, never SQL, tracebacks or MLflow's URL (mlflowSays); the whole error stays the
// cause, for the log.
func MLflowError(err error, doing string) error {
	var ve *mlflow.ValidationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ve):
		return &mlexp.Error{Code: mlexp.EINVALID, Field: ve.Field, Message: ve.Error(), Err: err}
	case errors.Is(err, mlflow.ErrNotFound):
		return &mlexp.Error{Code: mlexp.ENOTFOUND, Message: fmt.Sprintf("%s: not found in MLflow", doing), Err: err}
	case errors.Is(err, mlflow.ErrUnauthenticated), errors.Is(err, mlflow.ErrPermissionDenied):
		return mlexp.Unavailable(mlexp.DependencyMLflow, err, "%s: MLflow refused mlexp's credentials (check MLFLOW_TRACKING_TOKEN or _USERNAME/_PASSWORD): %s", doing, mlflowStatus(err))
	case errors.Is(err, mlflow.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return mlexp.Unavailable(mlexp.DependencyMLflow, err, "%s: MLflow cannot be reached right now; try again shortly (%s)", doing, mlflowStatus(err))
	case errors.Is(err, mlflow.ErrInvalidParameter):
		return &mlexp.Error{Code: mlexp.EINVALID, Message: refusedMessage(doing, err), Err: err}
	}
	return &mlexp.Error{Code: mlexp.EINTERNAL, Message: doing, Err: err}
}

var _ mlexp.RunSource = (*Reader)(nil)
