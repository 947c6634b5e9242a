package sqlstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/sqlstore"
)

func TestTowerMappings(t *testing.T) { forEachStore(t, testTowerMappings) }

func testTowerMappings(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	if _, err := db.TowerMapping(ctx, "model-7"); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Fatalf("no mapping yet: %v", err)
	}
	m := &mlexp.TowerMapping{ModelID: "model-7", QueryTower: []string{"user_id", "city"}, CandidateTower: []string{"product_id"}, UpdatedBy: "ana"}
	if err := db.SetTowerMapping(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, err := db.TowerMapping(ctx, "model-7")
	if err != nil || !slices.Equal(got.QueryTower, m.QueryTower) || !slices.Equal(got.CandidateTower, m.CandidateTower) ||
		got.UpdatedBy != "ana" || !got.UpdatedAt.Equal(m.UpdatedAt) || m.UpdatedAt.IsZero() {
		t.Fatalf("read back %+v, %v; set %+v", got, err, m)
	}
	// Setting it again replaces it; an empty tower reads back as [], not null.
	again := &mlexp.TowerMapping{ModelID: "model-7", QueryTower: []string{"user_id"}, UpdatedBy: "bob"}
	if err := db.SetTowerMapping(ctx, again); err != nil {
		t.Fatal(err)
	}
	if got, err = db.TowerMapping(ctx, "model-7"); err != nil || !slices.Equal(got.QueryTower, []string{"user_id"}) || got.CandidateTower == nil ||
		len(got.CandidateTower) != 0 || got.UpdatedBy != "bob" {
		t.Errorf("replaced: %+v, %v", got, err)
	}
	// Another model's mapping is its own.
	if _, err := db.TowerMapping(ctx, "model-8"); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Errorf("model-8: %v", err)
	}
	// Invalid input is refused before it is stored, naming the field.
	bad := &mlexp.TowerMapping{ModelID: "model-7", QueryTower: []string{"user_id"}, CandidateTower: []string{"user_id"}}
	if err := db.SetTowerMapping(ctx, bad); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("a feature in both towers: %v", err)
	}
	if got, _ := db.TowerMapping(ctx, "model-7"); got.UpdatedBy != "bob" {
		t.Errorf("a refused mapping replaced the stored one: %+v", got)
	}
}
