package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/sqlstore"
)

func mustOpen(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	db, err := sqlstore.Open(context.Background(), filepath.Join(tb.TempDir(), "sub", "mlexp.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func item(key string) mlexp.OutboxItem {
	return mlexp.OutboxItem{Kind: mlexp.KindQuickTest, IdempotencyKey: key, Payload: []byte(`{"k":"` + key + `"}`)}
}

func TestEnqueueIsIdempotentByKey(t *testing.T) {
	db, ctx := mustOpen(t), context.Background()
	first, created, err := db.Enqueue(ctx, item("quick-test/m/d/c/1"))
	if err != nil || !created || first.ID == "" || first.Status != mlexp.OutboxPending {
		t.Fatalf("first enqueue = %+v, %v, %v", first, created, err)
	}
	again, created, err := db.Enqueue(ctx, item("quick-test/m/d/c/1"))
	if err != nil || created || again.ID != first.ID || string(again.Payload) != string(first.Payload) {
		t.Fatalf("second enqueue = %+v, created %v, %v; want the first item back", again, created, err)
	}
	counts, _ := db.OutboxCounts(ctx)
	if counts[mlexp.OutboxPending] != 1 {
		t.Errorf("counts = %v", counts)
	}
	if _, err := db.OutboxItem(ctx, "nope"); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Errorf("missing item: %v", err)
	}
}

func TestClaimLeaseAndSettle(t *testing.T) {
	db, ctx := mustOpen(t), context.Background()
	now := time.Now()
	a, _, _ := db.Enqueue(ctx, item("a"))
	time.Sleep(2 * time.Millisecond)
	b, _, _ := db.Enqueue(ctx, item("b"))

	got, err := db.Claim(ctx, "w1", now.Add(time.Second), time.Minute)
	if err != nil || got == nil || got.ID != a.ID || got.Attempts != 1 {
		t.Fatalf("first claim = %+v, %v; want the oldest item, attempt 1", got, err)
	}
	got2, _ := db.Claim(ctx, "w2", now.Add(time.Second), time.Minute)
	if got2 == nil || got2.ID != b.ID {
		t.Fatalf("second claim = %+v; want the other item (a is leased)", got2)
	}
	if none, err := db.Claim(ctx, "w3", now.Add(time.Second), time.Minute); none != nil || err != nil {
		t.Fatalf("third claim = %+v, %v; want nothing", none, err)
	}
	if err := db.Delivered(ctx, a.ID, "w2", "run-x", now); mlexp.ErrorCode(err) != mlexp.ECONFLICT {
		t.Errorf("settling another worker's item: %v, want conflict", err)
	}
	if err := db.Delivered(ctx, a.ID, "w1", "run-a", now); err != nil {
		t.Fatal(err)
	}
	done, _ := db.OutboxItem(ctx, a.ID)
	if done.Status != mlexp.OutboxDelivered || done.RunID != "run-a" {
		t.Errorf("delivered item = %+v", done)
	}

	// b's worker gives up for now; b is due again only after its next attempt time.
	if err := db.Retry(ctx, b.ID, "w2", "mlflow unavailable", now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if early, _ := db.Claim(ctx, "w3", now.Add(time.Minute), time.Minute); early != nil {
		t.Fatalf("claimed %s before its next attempt time", early.ID)
	}
	later, _ := db.Claim(ctx, "w3", now.Add(2*time.Hour), time.Minute)
	if later == nil || later.ID != b.ID || later.Attempts != 2 || later.LastError != "mlflow unavailable" {
		t.Fatalf("claim after the retry time = %+v", later)
	}
	// w3 crashes: its lease expires and another worker takes the item over.
	over, _ := db.Claim(ctx, "w4", now.Add(2*time.Hour+2*time.Minute), time.Minute)
	if over == nil || over.ID != b.ID || over.Attempts != 3 {
		t.Fatalf("claim after lease expiry = %+v", over)
	}
	if err := db.Fail(ctx, b.ID, "w3", "late", now); mlexp.ErrorCode(err) != mlexp.ECONFLICT {
		t.Errorf("the crashed worker settled an item it lost: %v", err)
	}
	if err := db.Fail(ctx, b.ID, "w4", "INVALID_PARAMETER_VALUE", now); err != nil {
		t.Fatal(err)
	}
	counts, _ := db.OutboxCounts(ctx)
	if counts[mlexp.OutboxDelivered] != 1 || counts[mlexp.OutboxFailed] != 1 || counts[mlexp.OutboxPending] != 0 {
		t.Errorf("counts = %v", counts)
	}
}

func TestConcurrentClaimersTakeEachItemOnce(t *testing.T) {
	db, ctx := mustOpen(t), context.Background()
	const n = 200
	for i := 0; i < n; i++ {
		if _, _, err := db.Enqueue(ctx, item(fmt.Sprint("k", i))); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(worker string) {
			defer wg.Done()
			for {
				it, err := db.Claim(ctx, worker, time.Now(), time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if it == nil {
					return
				}
				mu.Lock()
				if prev, dup := seen[it.ID]; dup {
					t.Errorf("item %s claimed by %s and %s", it.ID, prev, worker)
				}
				seen[it.ID] = worker
				mu.Unlock()
				if err := db.Delivered(ctx, it.ID, worker, "run", time.Now()); err != nil {
					t.Error(err)
				}
			}
		}(fmt.Sprint("w", w))
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("%d items delivered, want %d", len(seen), n)
	}
}

func TestMigrationsAreAppliedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	for i := 0; i < 2; i++ {
		db, err := sqlstore.Open(context.Background(), path)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		db.Close()
	}
}
