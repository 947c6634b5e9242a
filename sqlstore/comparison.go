package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/mlexp-dev/mlexp"
)

var _ mlexp.ComparisonStore = (*DB)(nil)

const comparisonColumns = `id, name, model_id, run_ids, notes, created_at, created_by, updated_at`

// CreateComparison stores a new comparison; ID, CreatedAt and UpdatedAt are set on c.
func (s *DB) CreateComparison(ctx context.Context, c *mlexp.SavedComparison) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.CreatedBy == "" {
		return mlexp.Errorf(mlexp.EUNAUTHORIZED, "saving a comparison needs a signed-in user")
	}
	c.ID = newID()
	c.CreatedAt = time.Now().UTC().Truncate(time.Millisecond)
	c.UpdatedAt = c.CreatedAt
	ids, _ := json.Marshal(c.RunIDs)
	_, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO comparisons (`+comparisonColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		c.ID, c.Name, c.ModelID, string(ids), c.Notes, c.CreatedAt.UnixMilli(), c.CreatedBy, c.UpdatedAt.UnixMilli())
	return err
}

// Comparison returns one saved comparison.
func (s *DB) Comparison(ctx context.Context, id string) (*mlexp.SavedComparison, error) {
	return scanComparison(s.db.QueryRowContext(ctx, s.rebind(`SELECT `+comparisonColumns+` FROM comparisons WHERE id = ?`), id))
}

// Comparisons lists saved comparisons, newest first; of one model when modelID is set.
func (s *DB) Comparisons(ctx context.Context, modelID string) ([]mlexp.SavedComparison, error) {
	q, args := `SELECT `+comparisonColumns+` FROM comparisons ORDER BY created_at DESC, id`, []any{}
	if modelID != "" {
		q, args = `SELECT `+comparisonColumns+` FROM comparisons WHERE model_id = ? ORDER BY created_at DESC, id`, []any{modelID}
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []mlexp.SavedComparison{}
	for rows.Next() {
		c, err := scanComparison(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// UpdateComparison changes a comparison; only its creator may.
func (s *DB) UpdateComparison(ctx context.Context, id string, u mlexp.ComparisonUpdate, by string) (*mlexp.SavedComparison, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	lock := ""
	if s.dialect == "postgres" {
		lock = " FOR UPDATE"
	}
	c, err := scanComparison(tx.QueryRowContext(ctx, s.rebind(`SELECT `+comparisonColumns+` FROM comparisons WHERE id = ?`+lock), id))
	if err != nil {
		return nil, err
	}
	if err := mayChange(c, by); err != nil {
		return nil, err
	}
	updated, err := u.Apply(*c)
	if err != nil {
		return nil, err
	}
	updated.UpdatedAt = time.Now().UTC().Truncate(time.Millisecond)
	ids, _ := json.Marshal(updated.RunIDs)
	if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE comparisons SET name = ?, notes = ?, run_ids = ?, updated_at = ? WHERE id = ?`),
		updated.Name, updated.Notes, string(ids), updated.UpdatedAt.UnixMilli(), id); err != nil {
		return nil, err
	}
	return &updated, tx.Commit()
}

// DeleteComparison deletes a comparison; only its creator may.
func (s *DB) DeleteComparison(ctx context.Context, id, by string) error {
	c, err := s.Comparison(ctx, id)
	if err != nil {
		return err
	}
	if err := mayChange(c, by); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM comparisons WHERE id = ? AND created_by = ?`), id, by)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return mlexp.Errorf(mlexp.ENOTFOUND, "no saved comparison %s", id)
	}
	return nil
}

func mayChange(c *mlexp.SavedComparison, by string) error {
	switch {
	case by == "":
		return mlexp.Errorf(mlexp.EUNAUTHORIZED, "changing a saved comparison needs a signed-in user")
	case by != c.CreatedBy:
		return mlexp.Errorf(mlexp.EFORBIDDEN, "only %s, who saved comparison %q, may change or delete it", c.CreatedBy, c.Name)
	}
	return nil
}

type rowScanner interface{ Scan(dest ...any) error }

func scanComparison(row rowScanner) (*mlexp.SavedComparison, error) {
	var c mlexp.SavedComparison
	var ids string
	var created, updated int64
	err := row.Scan(&c.ID, &c.Name, &c.ModelID, &ids, &c.Notes, &created, &c.CreatedBy, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, mlexp.Errorf(mlexp.ENOTFOUND, "no saved comparison with that id")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ids), &c.RunIDs); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return &c, nil
}
