package mlflowdb_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// TestDatabaseServesLoadsAndSyncs: with MLflow's database configured, a first load, the syncs
// that follow (a new run, a run that ends, a deletion) and a reconciliation read no run
// through runs/search; once the database fails, each read goes through REST instead, is
// counted, and the sync still succeeds.
func TestDatabaseServesLoadsAndSyncs(t *testing.T) {
	db := openDB(t, srv.SQLitePath())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var mu sync.Mutex
	searches, served, failed := 0, map[string]int{}, 0
	client, err := mlflow.NewClient(srv.URL, mlflow.WithObserver(func(c mlflow.Call) {
		if c.Endpoint == "runs/search" {
			mu.Lock()
			searches++
			mu.Unlock()
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	expID, err := client.CreateExperiment(ctx, "db-sync", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	newRun := func(name string, start time.Time) string {
		r, err := client.CreateRun(ctx, mlflow.CreateRunRequest{ExperimentID: expID, RunName: name, StartTime: start})
		if err != nil {
			t.Fatal(err)
		}
		if err := client.LogBatch(ctx, r.Info.RunID, []mlflow.Metric{{Key: "loss", Value: 0.5, Timestamp: start.UnixMilli()}}, []mlflow.Param{{Key: "run_type", Value: "quick_test"}}, nil); err != nil {
			t.Fatal(err)
		}
		return r.Info.RunID
	}
	finish := func(id string) {
		if _, err := client.UpdateRun(ctx, mlflow.UpdateRunRequest{RunID: id, Status: mlflow.StatusFinished, EndTime: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Now().Add(-time.Hour)
	var ids []string
	for i := range 5 {
		ids = append(ids, newRun("old", t0.Add(time.Duration(i)*time.Second)))
		finish(ids[i])
	}

	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s := tracking.NewSyncer(client, store, tracking.SyncConfig{PageSize: 2, DeletionsEvery: time.Nanosecond}, "test", time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.WithDatabase(db)
	s.Served = func(path string) { mu.Lock(); served[path]++; mu.Unlock() }
	s.DatabaseFailed = func() { mu.Lock(); failed++; mu.Unlock() }
	if err := s.Load(ctx, expID, nil); err != nil {
		t.Fatal(err)
	}
	known := func() tracking.Known {
		k, err := s.KnownFromIndex(ctx, expID)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	if k := known(); len(k.Runs) != 5 {
		t.Fatalf("the first load indexed %d runs, want 5", len(k.Runs))
	}
	running := newRun("new", time.Now())
	if err := client.DeleteRun(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(ctx, expID, known()); err != nil {
		t.Fatal(err)
	}
	k := known()
	if len(k.Runs) != 5 || !k.Deleted[ids[0]] {
		t.Fatalf("after a new run and a deletion the index holds %d runs (deleted: %v), want 5 and %s deleted", len(k.Runs), k.Deleted, ids[0])
	}
	finish(running)
	if err := s.Sync(ctx, expID, k); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reconcile(ctx, expID, true); err != nil {
		t.Fatal(err)
	}
	for _, r := range known().Runs {
		if r.ID == running && r.Status != "FINISHED" {
			t.Errorf("the run that ended reads as %s", r.Status)
		}
	}
	mu.Lock()
	if searches != 0 || served[tracking.PathREST] != 0 || served[tracking.PathDatabase] == 0 || failed != 0 {
		t.Errorf("with the database: %d runs/search requests, reads served %v, %d failed; want none through REST", searches, served, failed)
	}
	mu.Unlock()
	if got := s.ServedBy(expID); got != tracking.PathDatabase {
		t.Errorf("ServedBy = %q, want %q", got, tracking.PathDatabase)
	}

	// The database goes away: every read falls back to REST, and the sync still succeeds.
	_ = db.Close()
	newRun("after the database", time.Now())
	if err := s.Sync(ctx, expID, known()); err != nil {
		t.Fatalf("a sync after the database failed: %v", err)
	}
	if n := len(known().Runs); n != 6 {
		t.Errorf("after the fallback the index holds %d runs, want 6", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if searches == 0 || failed == 0 || served[tracking.PathREST] != failed {
		t.Errorf("after the database closed: %d runs/search requests, %d failed database reads, reads served %v", searches, failed, served)
	}
	if got := s.ServedBy(expID); got != tracking.PathREST {
		t.Errorf("ServedBy = %q, want %q", got, tracking.PathREST)
	}
}
