package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/sqlstore"
)

func indexed(id string, start int64, status string) mlexp.IndexedRun {
	return mlexp.IndexedRun{ID: id, Start: start, Status: status, Body: []byte(`{"id":"` + id + `","status":"` + status + `"}`)}
}

func TestRunIndex(t *testing.T) { forEachStore(t, testRunIndex) }

func testRunIndex(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	st, err := db.IndexState(ctx, "7")
	if err != nil || st.Complete || st.Version != 0 || st.ExperimentID != "7" {
		t.Fatalf("state of a new experiment: %+v, %v", st, err)
	}
	st.Codec, st.Loaded, st.Cursor = 1, 2, mlexp.IndexCursor{Start: 20, RunID: "b"}
	v1, err := db.SaveIndex(ctx, st, []mlexp.IndexedRun{indexed("a", 10, "FINISHED"), indexed("b", 20, "RUNNING")})
	if err != nil || v1 != 1 {
		t.Fatalf("first save: version %d, %v", v1, err)
	}
	st.Complete, st.NewestStart, st.SyncedAt = true, 20, time.UnixMilli(1_700_000_000_000).UTC()
	b := indexed("b", 20, "FINISHED")
	gone := mlexp.IndexedRun{ID: "a", Start: 10, Deleted: true, Body: []byte(`{}`)}
	v2, err := db.SaveIndex(ctx, st, []mlexp.IndexedRun{b, gone, indexed("c", 30, "RUNNING")})
	if err != nil || v2 != 2 {
		t.Fatalf("second save: version %d, %v", v2, err)
	}
	got, err := db.IndexState(ctx, "7")
	if err != nil || !got.Complete || got.Loaded != 2 || got.Cursor.RunID != "b" || got.Version != 2 || !got.SyncedAt.Equal(st.SyncedAt) || got.Codec != 1 {
		t.Errorf("state %+v, %v", got, err)
	}
	all, next, err := db.IndexedRuns(ctx, "7", 0)
	if err != nil || next != 2 || len(all) != 3 || !all[0].Deleted || all[1].ID != "b" || all[1].Status != "FINISHED" || all[2].ID != "c" {
		t.Errorf("every run: %+v next %d, %v; want the tombstone of a, b (finished), c", all, next, err)
	}
	// A run written again unchanged keeps its version: readers see no change.
	if v3, err := db.SaveIndex(ctx, st, []mlexp.IndexedRun{b}); err != nil || v3 != 3 {
		t.Fatalf("third save: %d, %v", v3, err)
	}
	if same, _, err := db.IndexedRuns(ctx, "7", 2); err != nil || len(same) != 0 {
		t.Errorf("an unchanged run was written as a change: %+v, %v", same, err)
	}
	delta, next, err := db.IndexedRuns(ctx, "7", 1)
	if err != nil || next != 3 || len(delta) != 3 || !delta[0].Deleted || delta[0].ID != "a" {
		t.Errorf("changes since version 1: %+v next %d, %v; want the tombstone of a, then b and c", delta, next, err)
	}
	if none, next, err := db.IndexedRuns(ctx, "7", 3); err != nil || len(none) != 0 || next != 3 {
		t.Errorf("changes since the last version: %+v next %d, %v", none, next, err)
	}
	if other, _, err := db.IndexedRuns(ctx, "8", 0); err != nil || len(other) != 0 {
		t.Errorf("another experiment: %+v, %v", other, err)
	}
	if err := db.ResetIndex(ctx, "7"); err != nil {
		t.Fatal(err)
	}
	if st, err := db.IndexState(ctx, "7"); err != nil || st.Complete || st.Version != 4 {
		t.Errorf("state after a reset: %+v, %v", st, err)
	}
	if runs, _, _ := db.IndexedRuns(ctx, "7", 0); len(runs) != 0 {
		t.Errorf("runs after a reset: %+v", runs)
	}
}

func TestSyncLease(t *testing.T) { forEachStore(t, testSyncLease) }

func testSyncLease(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	soon := time.Now().Add(time.Minute)
	if ok, err := db.ClaimSync(ctx, "7", "replica-a", time.Now(), soon); !ok || err != nil {
		t.Fatalf("a free lease: %v, %v", ok, err)
	}
	if ok, err := db.ClaimSync(ctx, "7", "replica-b", time.Now(), soon); ok || err != nil {
		t.Errorf("a lease held by another: %v, %v; want refused", ok, err)
	}
	if ok, err := db.ClaimSync(ctx, "7", "replica-a", time.Now(), soon.Add(time.Minute)); !ok || err != nil {
		t.Errorf("its holder renews it: %v, %v", ok, err)
	}
	if ok, err := db.ClaimSync(ctx, "8", "replica-b", time.Now(), soon); !ok || err != nil {
		t.Errorf("another experiment's lease: %v, %v", ok, err)
	}
	// A replica that stops gives up its leases: the one after it (a restart) syncs at once.
	if err := db.ReleaseSyncs(ctx, "replica-a"); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.ClaimSync(ctx, "7", "replica-c", time.Now(), soon); !ok || err != nil {
		t.Errorf("a released lease: %v, %v; want taken", ok, err)
	}
	if ok, err := db.ClaimSync(ctx, "8", "replica-c", time.Now(), soon); ok || err != nil {
		t.Errorf("another replica's lease was released too: %v, %v", ok, err)
	}
	if ok, err := db.ClaimSync(ctx, "9", "replica-a", time.Now(), time.Now().Add(-time.Second)); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, err := db.ClaimSync(ctx, "9", "replica-b", time.Now(), soon); !ok || err != nil {
		t.Errorf("an expired lease: %v, %v; want taken over", ok, err)
	}
	// Many claimants at once: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 8 {
		wg.Go(func() {
			ok, err := db.ClaimSync(ctx, "10", fmt.Sprintf("replica-%d", i), time.Now(), soon)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d of 8 concurrent claimants won the lease, want 1", won)
	}
}

func TestRechecks(t *testing.T) { forEachStore(t, testRechecks) }

func testRechecks(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	if err := db.AddRechecks(ctx, "7", []string{"b", "a", "b"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddRechecks(ctx, "8", []string{"c"}); err != nil {
		t.Fatal(err)
	}
	ids, err := db.Rechecks(ctx, "7")
	if err != nil || fmt.Sprint(ids) != "[a b]" {
		t.Fatalf("rechecks %v, %v; want [a b]", ids, err)
	}
	if err := db.DoneRechecks(ctx, "7", []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if ids, _ := db.Rechecks(ctx, "7"); fmt.Sprint(ids) != "[b]" {
		t.Errorf("after one is done: %v, want [b]", ids)
	}
}

func TestRunIndexWritesInBatches(t *testing.T) { forEachStore(t, testRunIndexWritesInBatches) }

// testRunIndexWritesInBatches: a page of a load is written in statements of many runs; 250 runs
// (two full statements and a shorter one) come back as written, and a run named twice in one
// write — twice in one statement, which PostgreSQL refuses — is written once, as its last row
// says.
func testRunIndexWritesInBatches(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	st := mlexp.IndexState{ExperimentID: "9", Codec: 1, Complete: true}
	var runs []mlexp.IndexedRun
	for i := range 250 {
		runs = append(runs, indexed(fmt.Sprintf("run-%03d", i), int64(i), "FINISHED"))
	}
	again := indexed("run-007", 7, "FAILED")
	if _, err := db.SaveIndex(ctx, st, slices.Insert(slices.Clone(runs), 20, again)); err != nil {
		t.Fatal(err)
	}
	got, _, err := db.IndexedRuns(ctx, "9", 0)
	if err != nil || len(got) != 250 {
		t.Fatalf("read back %d runs, %v; want 250", len(got), err)
	}
	for i, r := range got {
		want := runs[i]
		if i == 7 {
			want = again
		}
		if r.ID != want.ID || r.Start != want.Start || r.Status != want.Status || string(r.Body) != string(want.Body) || r.Deleted {
			t.Errorf("run %d read back as %+v, want %+v", i, r, want)
		}
	}
}
