package tracking_test

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// TestIndexSeesRunsChangedElsewhere checks that a run mlexp logged in another process (mlexp
// log, another replica) with a start time far older than the newest run is read by the next
// sync, which finds it among the runs recorded in the store; and that a replica without the
// lease reads such runs too.
func TestIndexSeesRunsChangedElsewhere(t *testing.T) {
	onEachStore(t, func(t *testing.T, dsn string) {
		x := newIndexedExperiment(t, dsn, 4)
		holder := tracking.NewSyncer(x.c, x.store, tracking.SyncConfig{}, "replica-a", time.Now, slog.New(slog.DiscardHandler))
		if err := holder.Load(ctx(t), x.id, nil); err != nil {
			t.Fatal(err)
		}
		old := x.run(x.t0.Add(-24*time.Hour), mlflow.StatusFinished, 0.9)        // logged now, started a day ago
		if err := x.store.AddRechecks(ctx(t), x.id, []string{old}); err != nil { // as the other process's reader does
			t.Fatal(err)
		}
		other := tracking.NewSyncer(x.c, openStore(t, dsn), tracking.SyncConfig{}, "replica-b", time.Now, slog.New(slog.DiscardHandler))
		if err := other.Sync(ctx(t), x.id, tracking.Known{}); !errors.Is(err, tracking.ErrSyncedElsewhere) {
			t.Fatalf("a replica without the lease: %v, want ErrSyncedElsewhere", err)
		}
		if _, ok := x.indexed()[old]; !ok {
			t.Error("the replica without the lease did not read the run mlexp changed")
		}
		if ids, _ := x.store.Rechecks(ctx(t), x.id); len(ids) != 0 {
			t.Errorf("runs left to recheck: %v", ids)
		}
		older := x.run(x.t0.Add(-48*time.Hour), mlflow.StatusFinished, 0.8)
		if err := x.store.AddRechecks(ctx(t), x.id, []string{older}); err != nil {
			t.Fatal(err)
		}
		if err := holder.Sync(ctx(t), x.id, tracking.Known{}); err != nil {
			t.Fatal(err)
		}
		if _, ok := x.indexed()[older]; !ok {
			t.Error("the lease holder's sync did not read the run mlexp changed")
		}
	})
}

// TestIndexLoadsManyRunsOfOneStartTime loads more runs that started at the same millisecond
// than a page holds: the load reads them all once and goes past that start time.
func TestIndexLoadsManyRunsOfOneStartTime(t *testing.T) {
	onEachStore(t, func(t *testing.T, dsn string) {
		x := newIndexedExperiment(t, dsn, 0)
		same := x.t0
		for range 5 {
			x.run(same, mlflow.StatusFinished, 0.4)
		}
		x.run(same.Add(time.Second), mlflow.StatusFinished, 0.5)
		s := tracking.NewSyncer(x.c, x.store, tracking.SyncConfig{PageSize: 2}, "replica-a", time.Now, slog.New(slog.DiscardHandler))
		if err := s.Load(ctx(t), x.id, nil); err != nil {
			t.Fatal(err)
		}
		if st, _ := x.store.IndexState(ctx(t), x.id); !st.Complete || st.Loaded != 6 {
			t.Errorf("index state %+v, want complete with 6 runs read once", st)
		}
		if n := len(x.indexed()); n != 6 {
			t.Errorf("the index serves %d runs, want 6", n)
		}
	})
}
