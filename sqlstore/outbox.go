package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/mlexp-dev/mlexp"
)

var _ mlexp.Outbox = (*DB)(nil)

const outboxColumns = `id, kind, idempotency_key, payload, status, attempts, run_id, last_error, next_attempt_at, created_at, updated_at`

// Enqueue stores a new pending item, or returns the stored one with the same idempotency key.
func (s *DB) Enqueue(ctx context.Context, item mlexp.OutboxItem) (mlexp.OutboxItem, bool, error) {
	if item.ID == "" {
		item.ID = newID()
	}
	now := item.CreatedAt
	if now.IsZero() {
		now = time.Now()
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO outbox (id, kind, idempotency_key, payload, status, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`),
		item.ID, item.Kind, item.IdempotencyKey, string(item.Payload), mlexp.OutboxPending, now.UnixMilli(), now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return mlexp.OutboxItem{}, false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mlexp.OutboxItem{}, false, err
	}
	stored, err := s.scanOne(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE idempotency_key = ?`, item.IdempotencyKey)
	if err != nil {
		return mlexp.OutboxItem{}, false, err
	}
	return *stored, n == 1, nil
}

// Claim leases the oldest due pending item to worker and counts the attempt.
func (s *DB) Claim(ctx context.Context, worker string, now time.Time, lease time.Duration) (*mlexp.OutboxItem, error) {
	skipLocked := ""
	if s.dialect == "postgres" {
		skipLocked = " FOR UPDATE SKIP LOCKED"
	}
	ms := now.UnixMilli()
	item, err := s.scanOne(ctx, `UPDATE outbox SET locked_by = ?, locked_until = ?, attempts = attempts + 1, updated_at = ?
		WHERE id = (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND locked_until <= ?
		            ORDER BY next_attempt_at, created_at LIMIT 1`+skipLocked+`)
		  AND status = 'pending' AND locked_until <= ?
		RETURNING `+outboxColumns,
		worker, now.Add(lease).UnixMilli(), ms, ms, ms, ms)
	if mlexp.ErrorCode(err) == mlexp.ENOTFOUND {
		return nil, nil
	}
	return item, err
}

// Extend renews worker's lease.
func (s *DB) Extend(ctx context.Context, id, worker string, until time.Time) error {
	return s.settle(ctx, `UPDATE outbox SET locked_until = ? WHERE id = ? AND locked_by = ? AND status = 'pending'`, until.UnixMilli(), id, worker)
}

// Delivered records that the item is in MLflow as run runID.
func (s *DB) Delivered(ctx context.Context, id, worker, runID string, now time.Time) error {
	return s.settle(ctx, `UPDATE outbox SET status = 'delivered', run_id = ?, last_error = '', locked_by = '', locked_until = 0, updated_at = ?
		WHERE id = ? AND locked_by = ? AND status = 'pending'`, runID, now.UnixMilli(), id, worker)
}

// Retry releases the item for another attempt at next.
func (s *DB) Retry(ctx context.Context, id, worker, lastError string, next, now time.Time) error {
	return s.settle(ctx, `UPDATE outbox SET last_error = ?, next_attempt_at = ?, locked_by = '', locked_until = 0, updated_at = ?
		WHERE id = ? AND locked_by = ? AND status = 'pending'`, lastError, next.UnixMilli(), now.UnixMilli(), id, worker)
}

// Fail records that MLflow refused the item for good; it is kept with the reason.
func (s *DB) Fail(ctx context.Context, id, worker, lastError string, now time.Time) error {
	return s.settle(ctx, `UPDATE outbox SET status = 'failed', last_error = ?, locked_by = '', locked_until = 0, updated_at = ?
		WHERE id = ? AND locked_by = ? AND status = 'pending'`, lastError, now.UnixMilli(), id, worker)
}

func (s *DB) settle(ctx context.Context, q string, args ...any) error {
	res, err := s.db.ExecContext(ctx, s.rebind(q), args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return &mlexp.Error{Code: mlexp.ECONFLICT, Message: "outbox item is no longer leased to this worker", Err: err}
	}
	return nil
}

// OutboxItem returns the item with the given id.
func (s *DB) OutboxItem(ctx context.Context, id string) (*mlexp.OutboxItem, error) {
	return s.scanOne(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id)
}

// OutboxCounts returns the number of items by status.
func (s *DB) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]int{mlexp.OutboxPending: 0, mlexp.OutboxDelivered: 0, mlexp.OutboxFailed: 0}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, err
		}
		counts[status] = n
	}
	return counts, rows.Err()
}

func (s *DB) scanOne(ctx context.Context, q string, args ...any) (*mlexp.OutboxItem, error) {
	it, err := scanItem(s.db.QueryRowContext(ctx, s.rebind(q), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, mlexp.Errorf(mlexp.ENOTFOUND, "no ingest item with that id")
	}
	return it, err
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
