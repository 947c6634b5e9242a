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
// and when MLflow cannot be reached the last snapshot is served, marked stale.
type Reader struct {
	client *mlflow.Client
	ttl    time.Duration
	now    func() time.Time
	log    *slog.Logger

	mu       sync.Mutex
	entries  map[string]*mlexp.RunSet
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

// NewReader returns a reader whose snapshots are fresh for ttl.
func NewReader(client *mlflow.Client, ttl time.Duration, now func() time.Time, log *slog.Logger, opts ...ReaderOption) *Reader {
	r := &Reader{client: client, ttl: ttl, now: now, log: log, entries: map[string]*mlexp.RunSet{}, used: map[string]time.Time{}, parts: 1}
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
	snap := r.entries[experimentID]
	r.touch(experimentID, r.now())
	r.mu.Unlock()
	if snap != nil {
		if r.now().Sub(snap.FetchedAt) >= r.ttl {
			go r.refresh(experimentID) // serve what we have; the next request sees the new one
		}
		return snap, nil
	}
	// Nothing cached: wait for a fetch, shared with concurrent callers. The fetch itself is
	// not cancelled when this caller gives up, so that the others still get it.
	ch := r.flight.DoChan(experimentID, func() (any, error) { return r.fetch(experimentID) })
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

// refresh re-reads the experiment in the background; a failure marks the cached snapshot
// stale instead of dropping it.
func (r *Reader) refresh(experimentID string) {
	_, err, _ := r.flight.Do(experimentID, func() (any, error) { return r.fetch(experimentID) })
	if err == nil {
		return
	}
	r.log.Warn("refreshing runs from MLflow; serving the cached ones, marked stale", "experiment", experimentID, "err", err)
	r.mu.Lock()
	defer r.mu.Unlock()
	if old := r.entries[experimentID]; old != nil {
		stale := *old
		stale.Stale, stale.StaleReason = true, mlexp.ErrorMessage(err)
		// Retry after a TTL rather than on every request while MLflow is down.
		stale.FetchedAt = r.now()
		r.entries[experimentID] = &stale
	}
}

func (r *Reader) fetch(experimentID string) (*mlexp.RunSet, error) {
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	var runs []mlexp.Run
	strs := interner{}
	err := r.client.SearchRunsSplit(ctx, mlflow.SearchRunsRequest{ExperimentIDs: []string{experimentID}}, r.parts, func(page []mlflow.Run) error {
		if runs == nil {
			runs = make([]mlexp.Run, 0, len(page))
		}
		for i := range page {
			runs = append(runs, toRun(&page[i], strs.intern))
		}
		return nil
	})
	if err != nil {
		return nil, MLflowError(err, "reading the runs of experiment "+experimentID)
	}
	snap := mlexp.NewRunSet(experimentID, runs, r.now())
	r.mu.Lock()
	r.entries[experimentID] = snap
	r.mu.Unlock()
	return snap, nil
}

// Invalidate drops the cached runs of an experiment (after mlexp itself changed them).
func (r *Reader) Invalidate(experimentID string) {
	r.mu.Lock()
	delete(r.entries, experimentID)
	delete(r.used, experimentID)
	r.mu.Unlock()
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
