package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/pgtest"
	"github.com/mlexp-dev/mlexp/sqlstore"
)

// pg is the real PostgreSQL these tests run against, beside SQLite.
var pg *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &pg) }

// forEachStore runs test against a fresh SQLite store and a fresh PostgreSQL store.
func forEachStore(t *testing.T, test func(t *testing.T, db *sqlstore.DB)) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { test(t, mustOpen(t, dsn(t, backend))) })
	}
}

func dsn(t testing.TB, backend string) string {
	if backend == "postgres" {
		return pg.NewDatabase(t)
	}
	return filepath.Join(t.TempDir(), "sub", "mlexp.db")
}

func mustOpen(tb testing.TB, dsn string) *sqlstore.DB {
	tb.Helper()
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func item(key string) mlexp.OutboxItem {
	return mlexp.OutboxItem{Kind: mlexp.KindQuickTest, IdempotencyKey: key, Payload: []byte(`{"k":"` + key + `"}`)}
}

func TestEnqueueIsIdempotentByKey(t *testing.T) { forEachStore(t, testEnqueueIsIdempotentByKey) }

func testEnqueueIsIdempotentByKey(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
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

func TestClaimLeaseAndSettle(t *testing.T) { forEachStore(t, testClaimLeaseAndSettle) }

func testClaimLeaseAndSettle(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
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
	forEachStore(t, testConcurrentClaimersTakeEachItemOnce)
}

func testConcurrentClaimersTakeEachItemOnce(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
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
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			path := dsn(t, backend)
			// Several processes starting at once each migrate: one applies, none fails.
			var wg sync.WaitGroup
			for i := 0; i < 4; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db, err := sqlstore.Open(context.Background(), path)
					if err != nil {
						t.Errorf("open: %v", err)
						return
					}
					db.Close()
				}()
			}
			wg.Wait()
		})
	}
}
