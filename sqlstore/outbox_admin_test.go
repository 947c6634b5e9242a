package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/sqlstore"
)

func TestOutboxListAndRequeue(t *testing.T) { forEachStore(t, testOutboxListAndRequeue) }

// testOutboxListAndRequeue lists items by status and puts a failed item back in the queue:
// no command could, so an item that failed (for instance in a race of two outboxes) stayed
// failed for ever.
func testOutboxListAndRequeue(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	now := time.Now()
	var ids []string
	for _, k := range []string{"k1", "k2", "k3"} {
		it := item(k)
		it.CreatedAt = now.Add(time.Duration(len(ids)) * time.Millisecond)
		stored, _, err := db.Enqueue(ctx, it)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, stored.ID)
	}
	// k1 is delivered, k2 failed for good, k3 waits.
	settle := func(want string, do func(id string) error) {
		t.Helper()
		got, err := db.Claim(ctx, "w", now.Add(time.Second), time.Minute)
		if err != nil || got == nil || got.IdempotencyKey != want {
			t.Fatalf("claim = %+v, %v; want %s", got, err, want)
		}
		if err := do(got.ID); err != nil {
			t.Fatal(err)
		}
	}
	settle("k1", func(id string) error { return db.Delivered(ctx, id, "w", "run-1", now) })
	settle("k2", func(id string) error { return db.Fail(ctx, id, "w", "MLflow said no", now) })

	for status, want := range map[string][]string{"": {"k3", "k2", "k1"}, "all": {"k3", "k2", "k1"},
		mlexp.OutboxFailed: {"k2"}, mlexp.OutboxPending: {"k3"}, mlexp.OutboxDelivered: {"k1"}} {
		items, err := db.OutboxItems(ctx, status, 10)
		if err != nil {
			t.Fatalf("list %q: %v", status, err)
		}
		if keys := keysOf(items); !slices.Equal(keys, want) {
			t.Errorf("list %q = %v, want %v (newest first)", status, keys, want)
		}
	}
	if items, _ := db.OutboxItems(ctx, "all", 2); len(items) != 2 {
		t.Errorf("a limit of 2 listed %d", len(items))
	}
	if _, err := db.OutboxItems(ctx, "stuck", 10); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("an unknown status: %v, want %s", err, mlexp.EINVALID)
	}

	// Only a failed item is put back; it is due at once, its attempts counted anew.
	later := now.Add(time.Hour)
	if k3, err := db.Claim(ctx, "w", now.Add(time.Second), 2*time.Hour); err != nil || k3 == nil || k3.ID != ids[2] {
		t.Fatalf("claim of k3 = %+v, %v", k3, err)
	}
	back, err := db.Requeue(ctx, ids[1], later)
	if err != nil {
		t.Fatal(err)
	}
	if back.Status != mlexp.OutboxPending || back.Attempts != 0 || !back.NextAttemptAt.Equal(later.Truncate(time.Millisecond)) || back.LastError != "MLflow said no" {
		t.Errorf("requeued item = %+v", back)
	}
	got, err := db.Claim(ctx, "w", later, time.Minute)
	if err != nil || got == nil || got.ID != ids[1] || got.Attempts != 1 {
		t.Fatalf("claim after requeue = %+v, %v; want the requeued item on its first attempt", got, err)
	}
	for _, id := range []string{ids[0], ids[1], ids[2]} { // delivered; pending (claimed); pending
		if _, err := db.Requeue(ctx, id, later); mlexp.ErrorCode(err) != mlexp.ECONFLICT {
			t.Errorf("requeue of %s: %v, want %s", id, err, mlexp.ECONFLICT)
		}
	}
	if _, err := db.Requeue(ctx, "nope", later); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Errorf("requeue of a missing item: %v", err)
	}
}

func keysOf(items []mlexp.OutboxItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.IdempotencyKey)
	}
	return out
}
