package tracking

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// The reader over the run index (WithIndex): an experiment is served from memory, loaded
// from the index at the first request after a start, and kept current by syncs that bring
// only what changed; an experiment never loaded is loaded in the background, page by page,
// while requests are told how far it has got.

// WithIndex makes the reader serve runs through the run index that s keeps in sync.
func WithIndex(s *Syncer) ReaderOption {
	return func(r *Reader) { r.sync = s }
}

// syncTimeout bounds one incremental sync (a few small searches).
const syncTimeout = 2 * time.Minute

// DefaultFirstLoadWait is how long a request waits for a first load before it answers how
// far the load has got: long enough that a small experiment opens in one request.
const DefaultFirstLoadWait = 10 * time.Second

// WaitForFirstLoad sets how long a request waits for a first load (DefaultFirstLoadWait)
// before it answers mlexp.Loading.
func WaitForFirstLoad(d time.Duration) ReaderOption {
	return func(r *Reader) { r.firstLoadWait = d }
}

// openIndexed serves an experiment that is not in memory: from the index when its first load
// has ended, else by starting (or joining) that load in the background, waiting for it a
// little, and answering how far it has got when it takes longer.
func (r *Reader) openIndexed(ctx context.Context, experimentID string) (*mlexp.RunSet, error) {
	set, err := r.openFromIndex(ctx, experimentID)
	if _, loading := mlexp.LoadingProgress(err); !loading {
		return set, err
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(r.firstLoadWait):
		return nil, mlexp.Loading(experimentID, r.loadProgress(experimentID))
	case <-r.loadDone(experimentID):
		if err := r.loadErr(experimentID); err != nil { // MLflow refused or cannot be reached: say so
			return nil, err
		}
		return r.openFromIndex(ctx, experimentID)
	}
}

// openFromIndex reads the experiment from the index, once for concurrent requests.
func (r *Reader) openFromIndex(ctx context.Context, experimentID string) (*mlexp.RunSet, error) {
	return r.shared(ctx, "open\x00"+experimentID, func() (*mlexp.RunSet, error) { return r.fromIndex(experimentID) })
}

// fromIndex reads the experiment's runs from the index into memory and starts a sync; an
// experiment whose first load has not ended starts (or resumes) it and answers Loading.
func (r *Reader) fromIndex(experimentID string) (*mlexp.RunSet, error) {
	ctx, cancel := context.WithTimeout(context.Background(), syncTimeout)
	defer cancel()
	st, err := r.sync.index.IndexState(ctx, experimentID)
	if err != nil {
		return nil, err
	}
	if !st.Complete || st.Codec != indexCodec {
		r.startLoad(experimentID)
		if err := r.health.Down("loading the runs of experiment " + experimentID); err != nil {
			return nil, err // the load resumes once MLflow answers
		}
		return nil, mlexp.Loading(experimentID, max(st.Loaded, r.loadProgress(experimentID)))
	}
	e := &entry{byID: map[string]int{}, deleted: map[string]bool{}}
	var runs []mlexp.Run
	strs := new(mlexp.Interner)
	e.version, err = r.sync.index.EachIndexedRun(ctx, experimentID, 0, func(row mlexp.IndexedRun) error {
		if row.Deleted {
			e.deleted[row.ID] = true
			return nil
		}
		run, err := decodeRun(row, strs)
		if err != nil {
			return err
		}
		e.byID[run.ID] = len(runs)
		runs = append(runs, run)
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.set = mlexp.NewRunSet(experimentID, runs, st.SyncedAt)
	r.mu.Lock()
	r.entries[experimentID] = e // checked is zero: the next request syncs
	r.mu.Unlock()
	go r.refresh(experimentID)
	return e.set, nil
}

// load is this process's first load of an experiment.
type load struct {
	read atomic.Int64  // runs read so far
	done chan struct{} // closed when the load ends, whether it finished or stopped
	err  error         // why it stopped, once done; nil when it finished or another replica loads
}

// startLoad runs the experiment's first load in the background, unless one runs; a load that
// stops is resumed by the next request.
func (r *Reader) startLoad(experimentID string) {
	r.mu.Lock()
	if r.loading == nil {
		r.loading = map[string]*load{}
	}
	l := r.loading[experimentID]
	if l != nil {
		select {
		case <-l.done: // ended: a new one resumes it
		default:
			r.mu.Unlock()
			return
		}
	}
	l = &load{done: make(chan struct{})}
	if old := r.loading[experimentID]; old != nil {
		l.read.Store(old.read.Load())
	}
	r.loading[experimentID] = l
	r.mu.Unlock()
	go func() {
		defer close(l.done)
		err := r.sync.Load(context.Background(), experimentID, func(read int) { l.read.Store(int64(read)) })
		if err != nil && !errors.Is(err, ErrSyncedElsewhere) {
			r.log.Warn("loading runs from MLflow into the index; the next request resumes it", "experiment", experimentID, "read", l.read.Load(), "err", err)
			l.err = err
		}
	}()
}

// loadDone is closed when this process's load of the experiment ends.
func (r *Reader) loadDone(experimentID string) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l := r.loading[experimentID]; l != nil {
		return l.done
	}
	done := make(chan struct{})
	close(done)
	return done
}

// loadErr is why this process's last load of the experiment stopped, once it has ended.
func (r *Reader) loadErr(experimentID string) error {
	r.mu.Lock()
	l := r.loading[experimentID]
	r.mu.Unlock()
	if l == nil {
		return nil
	}
	select {
	case <-l.done:
		return l.err
	default:
		return nil
	}
}

// loadProgress is how many runs this process's load of the experiment has read.
func (r *Reader) loadProgress(experimentID string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l := r.loading[experimentID]; l != nil {
		return int(l.read.Load())
	}
	return 0
}

// afterChange serves an experiment whose runs mlexp changed: after a sync that starts after
// the change, shared with concurrent requests (not with a background sync that may have
// started before it). While MLflow is down, or when that sync fails, it serves the snapshot it
// has, marked stale, and leaves the changed runs to the next sync.
func (r *Reader) afterChange(ctx context.Context, experimentID string, cached entry) (*mlexp.RunSet, error) {
	if r.health.Down("syncing") == nil {
		set, err := r.shared(ctx, "changed\x00"+experimentID, func() (*mlexp.RunSet, error) { return r.syncIndexed(experimentID) })
		if err == nil || ctx.Err() != nil {
			return set, err
		}
		cached.err = err
	}
	r.mu.Lock()
	if e := r.entries[experimentID]; e != nil && e.dirty {
		failed := *e
		failed.dirty, failed.checked, failed.err = false, r.now(), cached.err
		r.entries[experimentID] = &failed
	}
	r.mu.Unlock()
	return r.served(cached), nil
}

// syncIndexed syncs the experiment's index with MLflow (unless another replica holds its
// lease, which syncs it instead), then applies what the index has gained to the snapshot.
func (r *Reader) syncIndexed(experimentID string) (*mlexp.RunSet, error) {
	ctx, cancel := context.WithTimeout(context.Background(), syncTimeout)
	defer cancel()
	r.mu.Lock()
	e := r.entries[experimentID]
	r.mu.Unlock()
	if e == nil {
		return r.fromIndex(experimentID)
	}
	err := r.sync.Sync(ctx, experimentID, Known{Runs: e.set.Runs, Deleted: e.deleted})
	if err == nil && e.full {
		_, err = r.sync.Reconcile(ctx, experimentID, true)
	}
	if err != nil && !errors.Is(err, ErrSyncedElsewhere) {
		return nil, err
	}
	go r.reconcile(experimentID)
	return r.applyIndex(ctx, experimentID, e)
}

// reconcile reads the whole experiment again when its pace says so, and applies what it
// corrected.
func (r *Reader) reconcile(experimentID string) {
	_, err, _ := r.flight.Do("reconcile\x00"+experimentID, func() (any, error) {
		ctx := context.Background()
		n, err := r.sync.Reconcile(ctx, experimentID, false)
		if err != nil || n == 0 {
			return nil, err
		}
		r.mu.Lock()
		e := r.entries[experimentID]
		r.mu.Unlock()
		if e == nil {
			return nil, nil
		}
		return r.applyIndex(ctx, experimentID, e)
	})
	if err != nil && !errors.Is(err, ErrSyncedElsewhere) {
		r.log.Warn("reconciling the run index with MLflow", "experiment", experimentID, "err", err)
	}
}

// applyIndex makes a new snapshot from old's and what the index has gained since old's
// version: changed runs replaced, new ones added, deleted ones left out. The runs that did
// not change are shared, so that a refresh does not double the footprint.
func (r *Reader) applyIndex(ctx context.Context, experimentID string, old *entry) (*mlexp.RunSet, error) {
	rows, version, err := r.sync.index.IndexedRuns(ctx, experimentID, old.version)
	if err != nil {
		return nil, err
	}
	st, err := r.sync.index.IndexState(ctx, experimentID)
	if err != nil {
		return nil, err
	}
	next := &entry{version: version, checked: r.now(), byID: old.byID, deleted: old.deleted}
	if len(rows) == 0 {
		fresh := *old.set // same runs: what was derived from them stays right
		fresh.FetchedAt = st.SyncedAt
		next.set = &fresh
	} else if next.set, next.byID, next.deleted, err = applyRows(old, rows, st.SyncedAt); err != nil {
		return nil, err
	}
	r.mu.Lock()
	cur := r.entries[experimentID]
	if cur != nil && cur.version > next.version { // a later sync applied more already
		r.mu.Unlock()
		return cur.set, nil
	}
	if cur != nil && cur != old && cur.dirty { // mlexp changed runs meanwhile: another sync is due
		next.dirty, next.full = true, cur.full && !old.full
	}
	r.entries[experimentID] = next
	r.mu.Unlock()
	return next.set, nil
}

// applyRows is old's runs with rows applied.
func applyRows(old *entry, rows []mlexp.IndexedRun, syncedAt time.Time) (*mlexp.RunSet, map[string]int, map[string]bool, error) {
	changed := make(map[string]*mlexp.Run, len(rows))
	deleted := make(map[string]bool, len(old.deleted))
	for id := range old.deleted {
		deleted[id] = true
	}
	strs := new(mlexp.Interner)
	for _, row := range rows {
		if row.Deleted {
			deleted[row.ID] = true
			changed[row.ID] = nil
			continue
		}
		delete(deleted, row.ID)
		run, err := decodeRun(row, strs)
		if err != nil {
			return nil, nil, nil, err
		}
		changed[row.ID] = &run
	}
	runs := make([]mlexp.Run, 0, len(old.set.Runs)+len(rows))
	for _, run := range old.set.Runs {
		nr, ok := changed[run.ID]
		switch {
		case !ok:
			runs = append(runs, run)
		case nr != nil:
			runs = append(runs, *nr)
		}
		delete(changed, run.ID)
	}
	for _, nr := range changed { // new runs
		if nr != nil {
			runs = append(runs, *nr)
		}
	}
	byID := make(map[string]int, len(runs))
	for i, run := range runs {
		byID[run.ID] = i
	}
	return mlexp.NewRunSet(old.set.ExperimentID, runs, syncedAt), byID, deleted, nil
}
