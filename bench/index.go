package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/explore"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// The run index (issue 14) measured against the same MLflow: a first load into the index
// (in pages of each -sync-page-sizes), a restart served from it, a new run logged by the
// Python client seen by a polled reader, the runs a steady-state sync has MLflow return,
// and the heatmap's answer from the index-backed reader. The store is SQLite in a
// temporary directory, as `mlexp serve` keeps it by default.

// indexResult is what was measured of the run index at n runs.
type indexResult struct {
	n          int
	backend    string          // MLflow's backend store
	store      string          // mlexp's store of the index
	loads      []pageLoad      // one per page size
	restart    []time.Duration // new reader and syncer: first Runs → heatmap JSON, in process
	restartAPI []time.Duration // new reader and syncer: first heatmap request through the web server
	restartRun int             // runs the restarted reader served
	leaseHeld  bool            // a restarted syncer (a new replica name) found the old lease held
	warm       []time.Duration // Runs → explore Heatmap (built once per snapshot) → JSON, warm
	warmAPI    []time.Duration // heatmap requests through the web server, warm
	answer     int             // bytes of the heatmap answer's JSON
	answerAll  int             // bytes it would take listing every run id of each cell
	cells      int
	ttl        time.Duration
	visible    []visibility
	steady     []steadySync
}

// pageLoad is the first loads of the index in pages of size runs.
type pageLoad struct {
	size     int
	times    []time.Duration
	progress []int         // the runs_read of the loading answers of the last load
	requests int64         // runs/search requests of the last load
	longest  time.Duration // the longest of them
}

// quiet discards the logs of the readers and syncers of the bench.
var quiet = slog.New(slog.DiscardHandler)

// indexOwner names the bench's replica: the one that loads the index and syncs it.
func indexOwner(n int) string { return fmt.Sprintf("bench-%d", n) }

// indexedReader is a reader over the index of store, as `mlexp serve` wires it; its syncer
// is named owner among the replicas.
func indexedReader(client *mlflow.Client, store *sqlstore.DB, cfg tracking.SyncConfig, owner string, ttl time.Duration, opts ...tracking.ReaderOption) (*tracking.Reader, *tracking.Syncer) {
	s := tracking.NewSyncer(client, store, cfg, owner, time.Now, quiet)
	opts = append([]tracking.ReaderOption{tracking.WithIndex(s)}, opts...)
	return tracking.NewReader(client, ttl, time.Now, quiet, opts...), s
}

// openStore opens a new SQLite store in dir.
func openStore(dir, name string) (*sqlstore.DB, error) {
	return sqlstore.Open(context.Background(), filepath.Join(dir, name))
}

// newIndexStore opens an empty store for an index: a SQLite file in a directory name of dir,
// or, with b.pg, a new database of that PostgreSQL. drop closes and removes it.
func (b *bench) newIndexStore(dir, name string) (store *sqlstore.DB, drop func(), err error) {
	if b.pg == nil {
		sub := filepath.Join(dir, name)
		if store, err = openStore(sub, "mlexp.db"); err != nil {
			return nil, nil, err
		}
		return store, func() { store.Close(); _ = os.RemoveAll(sub) }, nil
	}
	url, dropDB, err := b.pg.CreateDatabase()
	if err != nil {
		return nil, nil, err
	}
	if store, err = sqlstore.Open(context.Background(), url); err != nil {
		dropDB()
		return nil, nil, err
	}
	return store, func() { store.Close(); dropDB() }, nil
}

// heatmapAnswer reads the experiment's runs through src, builds the heatmap of the default
// query and encodes the answer as the API sends it. It returns the JSON, the heatmap and
// how many runs were read.
func heatmapAnswer(ctx context.Context, src interface {
	Runs(context.Context, string) (*mlexp.RunSet, error)
}, expID string) ([]byte, *mlexp.Heatmap, int, error) {
	set, err := src.Runs(ctx, expID)
	if err != nil {
		return nil, nil, 0, err
	}
	ref := mlexp.NewExperimentRef(mlexp.ModelInfo{}, mlexp.DatasetInfo{ExperimentID: expID}, set, "")
	e := explore.Experiment{Set: set, Ref: ref} // as the API builds it: once per snapshot and query
	a, err := e.Heatmap(&mlexp.HeatmapQuery{})
	if err != nil {
		return nil, nil, 0, err
	}
	h := a.Heatmap
	js, err := json.Marshal(a)
	return js, h, len(set.Runs), err
}

// allIDsSize is how many bytes the answer js of h would take if each cell listed every run
// id (as answers did before MaxCellRunIDs).
func allIDsSize(js []byte, h *mlexp.Heatmap) int {
	size := len(js)
	for _, c := range h.Cells {
		for _, id := range c.RunIDs[min(len(c.RunIDs), mlexp.MaxCellRunIDs):] {
			size += len(id) + 3 // "id",
		}
	}
	return size
}

// indexBench measures the run index over the experiment of the n-run cold load.
func (b *bench) indexBench(n int) error {
	ctx := context.Background()
	expID, err := b.experimentOf(ctx, benchModel(n, "load"))
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "mlexp-bench-index-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ir := indexResult{n: n, ttl: b.cfg.indexTTL, backend: b.backend, store: "SQLite"}
	if b.pg != nil {
		ir.store = "PostgreSQL"
	}
	store, drop, err := b.firstLoads(ctx, dir, expID, &ir)
	if err != nil {
		return fmt.Errorf("first load: %w", err)
	}
	defer drop()
	if err := b.restarts(ctx, store, expID, &ir); err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	if err := b.warmHeatmap(ctx, store, expID, &ir); err != nil {
		return fmt.Errorf("warm heatmap: %w", err)
	}
	if err := b.newRunVisibility(ctx, store, expID, &ir); err != nil {
		return fmt.Errorf("new-run visibility: %w", err)
	}
	if err := b.steadyState(ctx, store, expID, &ir); err != nil {
		return fmt.Errorf("steady state: %w", err)
	}
	b.res.index = append(b.res.index, ir)
	return nil
}
