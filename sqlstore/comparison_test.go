package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/sqlstore"
)

func comparison(name string) *mlexp.SavedComparison {
	return &mlexp.SavedComparison{Name: name, ModelID: "model-7", RunIDs: []string{"run-a", "run-b"}, Notes: "quick vs full", CreatedBy: "ana"}
}

func TestComparisonsCRUD(t *testing.T) { forEachStore(t, testComparisonsCRUD) }

func testComparisonsCRUD(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	c := comparison("config-042 vs deployed")
	if err := db.CreateComparison(ctx, c); err != nil {
		t.Fatal(err)
	}
	if c.ID == "" || c.CreatedAt.IsZero() {
		t.Fatalf("created %+v", c)
	}
	got, err := db.Comparison(ctx, c.ID)
	if err != nil || got.Name != c.Name || got.CreatedBy != "ana" || len(got.RunIDs) != 2 || got.RunIDs[1] != "run-b" || !got.CreatedAt.Equal(c.CreatedAt) {
		t.Fatalf("read back %+v, %v", got, err)
	}
	time.Sleep(2 * time.Millisecond) // creation times are in milliseconds
	other := comparison("other model")
	other.ModelID = "model-8"
	if err := db.CreateComparison(ctx, other); err != nil {
		t.Fatal(err)
	}
	if list, _ := db.Comparisons(ctx, "model-7"); len(list) != 1 || list[0].ID != c.ID {
		t.Errorf("filter by model: %+v", list)
	}
	if list, _ := db.Comparisons(ctx, ""); len(list) != 2 || list[0].ID != other.ID {
		t.Errorf("all, newest first: %+v", list)
	}

	notes, runs := "promoted after review", []string{"run-a", "run-b", "run-c"}
	if _, err := db.UpdateComparison(ctx, c.ID, mlexp.ComparisonUpdate{Notes: &notes}, "bob"); mlexp.ErrorCode(err) != mlexp.EFORBIDDEN {
		t.Errorf("update by someone else: %v, want forbidden", err)
	}
	if _, err := db.UpdateComparison(ctx, c.ID, mlexp.ComparisonUpdate{Notes: &notes}, ""); mlexp.ErrorCode(err) != mlexp.EUNAUTHORIZED {
		t.Errorf("update without a user: %v", err)
	}
	up, err := db.UpdateComparison(ctx, c.ID, mlexp.ComparisonUpdate{Notes: &notes, RunIDs: &runs}, "ana")
	if err != nil || up.Notes != notes || len(up.RunIDs) != 3 || up.Name != c.Name {
		t.Fatalf("update: %+v, %v", up, err)
	}
	// The Edit form of the saved comparison's page sets name and notes together.
	name, edited := "config-042 vs deployed, reviewed", "line one\nline two"
	renamed, err := db.UpdateComparison(ctx, c.ID, mlexp.ComparisonUpdate{Name: &name, Notes: &edited}, "ana")
	if err != nil || renamed.Name != name || renamed.Notes != edited || len(renamed.RunIDs) != 3 || renamed.UpdatedAt.Before(up.UpdatedAt) {
		t.Fatalf("rename: %+v, %v", renamed, err)
	}
	if list, _ := db.Comparisons(ctx, "model-7"); len(list) != 1 || list[0].Name != name || list[0].Notes != edited || list[0].CreatedBy != "ana" {
		t.Errorf("the list after renaming: %+v", list)
	}
	one := []string{"run-a"}
	if _, err := db.UpdateComparison(ctx, c.ID, mlexp.ComparisonUpdate{RunIDs: &one}, "ana"); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("update to one run: %v", err)
	}
	if err := db.DeleteComparison(ctx, c.ID, "bob"); mlexp.ErrorCode(err) != mlexp.EFORBIDDEN {
		t.Errorf("delete by someone else: %v", err)
	}
	if err := db.DeleteComparison(ctx, c.ID, "ana"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Comparison(ctx, c.ID); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Errorf("after delete: %v", err)
	}
	if err := db.DeleteComparison(ctx, c.ID, "ana"); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Errorf("delete twice: %v", err)
	}
	bad := comparison("")
	if err := db.CreateComparison(ctx, bad); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("no name: %v", err)
	}
}

func TestConcurrentComparisonWriters(t *testing.T) { forEachStore(t, testConcurrentComparisonWriters) }

func testConcurrentComparisonWriters(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	c := comparison("shared")
	if err := db.CreateComparison(ctx, c); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if err := db.CreateComparison(ctx, comparison(fmt.Sprintf("w%d-%d", w, i))); err != nil {
					t.Error(err)
				}
				n := fmt.Sprintf("note by %d/%d", w, i)
				if _, err := db.UpdateComparison(ctx, c.ID, mlexp.ComparisonUpdate{Notes: &n}, "ana"); err != nil {
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Wait()
	list, err := db.Comparisons(ctx, "")
	if err != nil || len(list) != 81 {
		t.Errorf("%d comparisons after 80 concurrent creations, want 81 (%v)", len(list), err)
	}
}
