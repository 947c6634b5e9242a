package tracking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// SyncConfig tunes how the run index is kept in sync with MLflow; zero fields get the
// defaults of DefaultSyncConfig.
type SyncConfig struct {
	// PageSize is how many runs one runs/search page asks for. MLflow builds a page in one
	// request of one worker: pages of tens of thousands of runs kept workers busy for
	// seconds, past uvicorn's health check (docs/benchmarks.md).
	PageSize int
	// PageTimeout bounds one page; a page that times out is asked again from where the
	// load stopped, never from the start.
	PageTimeout time.Duration
	// Margin is how far before the newest indexed start time new runs are searched from, for
	// clocks that disagree and runs created with an earlier start time.
	Margin time.Duration
	// DeletionsEvery is how often deleted and restored runs are looked for.
	DeletionsEvery time.Duration
	// ReconcileEvery is how often the whole experiment is read again, to pick up edits made
	// elsewhere to finished runs (a tag set in MLflow's UI); 0 never.
	ReconcileEvery time.Duration
	// Lease is how long a replica holds an experiment's sync before another may take it.
	Lease time.Duration
	// DatabasePageSize is how many runs the first page of a load reads from MLflow's database
	// (WithDatabase); each page after it twice as many as the one before, up to 8 times as
	// many, whatever PageSize (which sizes the pages read through REST). A small first page
	// is soon written while the next is read; large pages scan MLflow's runs table (which has
	// no index to page by) fewer times (docs/benchmarks.md).
	DatabasePageSize int
}

// DefaultSyncConfig is the configuration of mlexp serve unless its flags say otherwise.
var DefaultSyncConfig = SyncConfig{PageSize: 2000, PageTimeout: time.Minute, Margin: 5 * time.Minute,
	DeletionsEvery: 2 * time.Minute, ReconcileEvery: time.Hour, Lease: 2 * time.Minute, DatabasePageSize: 2500}

func (c SyncConfig) withDefaults() SyncConfig {
	d := DefaultSyncConfig
	if c.PageSize <= 0 {
		c.PageSize = d.PageSize
	}
	if c.PageTimeout <= 0 {
		c.PageTimeout = d.PageTimeout
	}
	if c.Margin <= 0 {
		c.Margin = d.Margin
	}
	if c.DeletionsEvery <= 0 {
		c.DeletionsEvery = d.DeletionsEvery
	}
	if c.Lease <= 0 {
		c.Lease = d.Lease
	}
	if c.DatabasePageSize <= 0 {
		c.DatabasePageSize = d.DatabasePageSize
	}
	return c
}

// Syncer keeps the run index of experiments in sync with MLflow: a first load that flows
// into the index page by page and resumes where it stopped, then incremental syncs that ask
// MLflow only for what may have changed, and a slow reconciliation (docs/run-index.md).
type Syncer struct {
	client *mlflow.Client
	index  mlexp.RunIndex
	cfg    SyncConfig
	owner  string // this replica, for the sync lease
	now    func() time.Time
	log    *slog.Logger
	// Corrected, when set, is told how many runs a reconciliation corrected (for /metrics).
	Corrected func(n int)
	// Served, when set, is told the path (PathDatabase or PathREST) of every read (for
	// /metrics); DatabaseFailed of every read of the database that failed and went through
	// REST instead.
	Served         func(path string)
	DatabaseFailed func()

	rest  restSearcher
	db    RunSearcher // MLflow's database (WithDatabase); nil: REST only
	paths sync.Map    // experiment id → the path of its last read
	locks sync.Map    // experiment id → *sync.Mutex (lock)
}

// NewSyncer returns a syncer of the index through client; owner names this process among
// the replicas sharing the index.
func NewSyncer(client *mlflow.Client, index mlexp.RunIndex, cfg SyncConfig, owner string, now func() time.Time, log *slog.Logger) *Syncer {
	cfg = cfg.withDefaults()
	return &Syncer{client: client, index: index, cfg: cfg, owner: owner, now: now, log: log, rest: restSearcher{client, cfg.PageSize}}
}

// ErrSyncedElsewhere says that another replica holds the experiment's sync lease: it loads
// or syncs the experiment, and this one reads what it writes to the index.
var ErrSyncedElsewhere = errors.New("another replica syncs this experiment")

// Release gives up the sync leases of this replica, so that the one that follows it (a
// restart) syncs at once instead of after a lease's length.
func (s *Syncer) Release(ctx context.Context) error { return s.index.ReleaseSyncs(ctx, s.owner) }

// lock serialises this process's loads, syncs and reconciliations of one experiment, so that
// none writes over what another has just read.
func (s *Syncer) lock(experimentID string) func() {
	m, _ := s.locks.LoadOrStore(experimentID, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// claim takes or renews the experiment's sync lease.
func (s *Syncer) claim(ctx context.Context, experimentID string) error {
	now := s.now()
	ok, err := s.index.ClaimSync(ctx, experimentID, s.owner, now, now.Add(s.cfg.Lease))
	if err != nil {
		return err
	}
	if !ok {
		return ErrSyncedElsewhere
	}
	return nil
}

// Load reads the experiment into the index, page by page in the order of (start time, run
// id), each page committed with where the next one starts, so that a load that stops — a
// crash, a restart, MLflow gone — resumes from its last page. progress is told how many
// runs have been read. It has no deadline of its own: each page has one (PageTimeout), and a
// failed page is tried again by the next Load. It returns ErrSyncedElsewhere when another replica
// loads the experiment.
func (s *Syncer) Load(ctx context.Context, experimentID string, progress func(read int)) error {
	defer s.lock(experimentID)()
	if err := s.claim(ctx, experimentID); err != nil {
		return err
	}
	st, err := s.index.IndexState(ctx, experimentID)
	if err != nil {
		return err
	}
	if st.Codec != indexCodec && (st.Loaded > 0 || st.Complete) {
		if err := s.index.ResetIndex(ctx, experimentID); err != nil {
			return err
		}
		st = mlexp.IndexState{ExperimentID: experimentID}
	}
	st.Codec = indexCodec
	if st.Complete {
		return nil
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()   // a page read ahead of a load that stops is not wanted
	var viaREST bool // the database failed a page of this load: the rest goes through REST
	next := s.readAhead(pctx, experimentID, st.Cursor, 0, &viaREST)
	for k := 1; !st.Complete; k++ {
		if err := s.claim(ctx, experimentID); err != nil {
			return err
		}
		p := <-next
		if p.err != nil {
			return p.err
		}
		if !p.done { // the next page is read while this one is written
			next = s.readAhead(pctx, experimentID, p.next, k, &viaREST) // after this page's read: one reader at a time
		}
		rows := encodeRuns(p.runs) // while the next page is read
		st.Cursor, st.Loaded = p.next, st.Loaded+len(rows)
		for _, r := range rows {
			st.NewestStart = max(st.NewestStart, r.Start)
		}
		if p.done {
			now := s.now()
			st.Complete, st.SyncedAt, st.DeletionsAt, st.ReconciledAt = true, now, time.Time{}, now
		}
		if _, err := s.index.SaveIndex(ctx, st, rows); err != nil {
			return err
		}
		if progress != nil {
			progress(st.Loaded)
		}
	}
	return nil
}

// maxPageDoublings is how many times a page of a load from MLflow's database is twice the
// one before: up to 8 times the first.
const maxPageDoublings = 3

// page is a page of a load, read ahead.
type page struct {
	runs []mlflow.Run
	next mlexp.IndexCursor
	done bool
	err  error
}

// readAhead reads the page after c (the load's k-th, from 0) in the background: one page is
// read while the one before it is written to the index, and MLflow is still asked one page at
// a time.
func (s *Syncer) readAhead(ctx context.Context, experimentID string, c mlexp.IndexCursor, k int, viaREST *bool) <-chan page {
	out := make(chan page, 1)
	go func() {
		var p page
		p.runs, p.next, p.done, p.err = s.loadPage(ctx, experimentID, c, k, viaREST)
		out <- p
	}()
	return out
}

// loadPage reads the page of runs after cursor c (the k-th of a load, from 0) from MLflow's
// database when one is configured and *viaREST is false. When that read fails, the page is
// read again through MLflow's API, in a page of PageSize and under a deadline of its own, and
// *viaREST is set: the pages after it go through the API without waiting on the database again
// (one that hangs would cost a page deadline a page); the next load or sync tries it again.
func (s *Syncer) loadPage(ctx context.Context, experimentID string, c mlexp.IndexCursor, k int, viaREST *bool) ([]mlflow.Run, mlexp.IndexCursor, bool, error) {
	if s.db != nil && !*viaREST {
		size := s.cfg.DatabasePageSize << min(k, maxPageDoublings)
		runs, next, done, err := s.pageFrom(ctx, source{s.db, PathDatabase}, experimentID, c, size)
		if err == nil || ctx.Err() != nil {
			return runs, next, done, err
		}
		s.databaseFailed(experimentID, err)
		*viaREST = true
	}
	return s.pageFrom(ctx, source{s.rest, PathREST}, experimentID, c, s.cfg.PageSize)
}

// pageFrom reads the runs after cursor from src: one page of size runs, or, when more runs
// than a page share the cursor's start time, every run of that start time. done is true after
// the last run.
func (s *Syncer) pageFrom(ctx context.Context, src source, experimentID string, c mlexp.IndexCursor, size int) (runs []mlflow.Run, next mlexp.IndexCursor, done bool, err error) {
	limit := size
	if c.RunID != "" {
		limit++ // the cursor's own run comes first again
	}
	page, err := s.search(ctx, src, mlflow.RunQuery{ExperimentID: experimentID, StartFrom: mlflow.Millis(c.Start), Ordered: true, Limit: limit})
	if err != nil {
		return nil, c, false, err
	}
	next = c
	for i := range page {
		info := &page[i].Info
		if info.StartTime == c.Start && info.RunID <= c.RunID {
			continue // read by the page before
		}
		runs = append(runs, page[i])
		next = mlexp.IndexCursor{Start: info.StartTime, RunID: info.RunID}
	}
	switch {
	case len(page) < limit:
		return runs, next, true, nil
	case len(runs) == 0: // a whole page of runs that started at c.Start, all read before
		return s.loadStartTime(ctx, src, experimentID, c)
	}
	return runs, next, false, nil
}

// loadStartTime reads every run that started at c.Start after c.RunID, and moves the cursor
// past that start time: start times are whole milliseconds, so to c.Start + 1.
func (s *Syncer) loadStartTime(ctx context.Context, src source, experimentID string, c mlexp.IndexCursor) ([]mlflow.Run, mlexp.IndexCursor, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.PageTimeout)
	defer cancel()
	page, err := s.readFrom(ctx, src, mlflow.RunQuery{ExperimentID: experimentID, StartAt: mlflow.Millis(c.Start), Ordered: true})
	if err != nil {
		return nil, c, false, MLflowError(err, fmt.Sprintf("reading the runs of experiment %s that started at %d", experimentID, c.Start))
	}
	runs := page[:0]
	for _, r := range page {
		if r.Info.RunID > c.RunID {
			runs = append(runs, r)
		}
	}
	return runs, mlexp.IndexCursor{Start: c.Start + 1}, false, nil
}

// search reads one page of runs (q has a limit) from src, under the page deadline.
func (s *Syncer) search(ctx context.Context, src source, q mlflow.RunQuery) ([]mlflow.Run, error) {
	pctx, cancel := context.WithTimeout(ctx, s.cfg.PageTimeout)
	defer cancel()
	runs, err := s.readFrom(pctx, src, q)
	if err != nil && src.path == PathDatabase {
		return nil, err // logged by loadPage, and the page read through REST
	}
	if err != nil {
		doing, limit := "reading the runs of experiment "+q.ExperimentID, q.Limit
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return nil, mlexp.Unavailable(mlexp.DependencyMLflow, err, "%s: MLflow did not answer a page of %d runs within %s (a deadline, not an unreachable server); the load resumes from this page",
				doing, limit, s.cfg.PageTimeout)
		}
		return nil, MLflowError(err, doing)
	}
	return runs, nil
}
