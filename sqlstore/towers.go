package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/mlexp-dev/mlexp"
)

var _ mlexp.TowerStore = (*DB)(nil)

// TowerMapping returns the tower mapping of a model; ENOTFOUND (field model_id) if it has none.
func (s *DB) TowerMapping(ctx context.Context, modelID string) (*mlexp.TowerMapping, error) {
	m := mlexp.TowerMapping{ModelID: modelID}
	var query, candidate string
	var updated int64
	err := s.db.QueryRowContext(ctx, s.rebind(`SELECT query_tower, candidate_tower, updated_at, updated_by FROM tower_mappings WHERE model_id = ?`), modelID).
		Scan(&query, &candidate, &updated, &m.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mlexp.Error{Code: mlexp.ENOTFOUND, Field: "model_id", Message: "model " + modelID + " has no tower mapping"}
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(query), &m.QueryTower); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(candidate), &m.CandidateTower); err != nil {
		return nil, err
	}
	m.UpdatedAt = time.UnixMilli(updated).UTC()
	return &m, nil
}

// SetTowerMapping validates m and stores it as its model's mapping, replacing any other;
// UpdatedAt is set on m.
func (s *DB) SetTowerMapping(ctx context.Context, m *mlexp.TowerMapping) error {
	if err := m.Validate(); err != nil {
		return err
	}
	m.UpdatedAt = time.Now().UTC().Truncate(time.Millisecond)
	query, _ := json.Marshal(nonNil(m.QueryTower))
	candidate, _ := json.Marshal(nonNil(m.CandidateTower))
	_, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO tower_mappings (model_id, query_tower, candidate_tower, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (model_id) DO UPDATE SET query_tower = excluded.query_tower, candidate_tower = excluded.candidate_tower,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by`),
		m.ModelID, string(query), string(candidate), m.UpdatedAt.UnixMilli(), m.UpdatedBy)
	return err
}

// nonNil is xs, or an empty list for nil, so that JSON says [] rather than null.
func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
