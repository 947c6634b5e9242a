package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// OutboxStatusAll lists items of every status (OutboxItems).
const OutboxStatusAll = "all"

// OutboxItems lists up to limit items, newest first: those of one status (pending,
// delivered or failed), or all of them when status is "all" or empty.
func (s *DB) OutboxItems(ctx context.Context, status string, limit int) ([]mlexp.OutboxItem, error) {
	q := `SELECT ` + outboxColumns + ` FROM outbox`
	var args []any
	switch status {
	case "", OutboxStatusAll:
	case mlexp.OutboxPending, mlexp.OutboxDelivered, mlexp.OutboxFailed:
		q += ` WHERE status = ?`
		args = append(args, status)
	default:
		return nil, mlexp.InvalidField("status", "%q is not a status: use pending, delivered, failed or all", status)
	}
	if limit <= 0 {
		return nil, mlexp.InvalidField("limit", "must be positive")
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(q+` ORDER BY created_at DESC, id DESC LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []mlexp.OutboxItem
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		items = append(items, *it)
	}
	return items, rows.Err()
}

// Requeue puts a failed item back in the queue: pending, due at now, with its attempts
// counted from zero again (so that the delivery's backoff starts short) and its last
// error kept until the next attempt settles it. It fails with ENOTFOUND when there is no
// such item and with ECONFLICT when the item has not failed.
func (s *DB) Requeue(ctx context.Context, id string, now time.Time) (*mlexp.OutboxItem, error) {
	ms := now.UnixMilli()
	it, err := s.scanOne(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, locked_by = '', locked_until = 0, updated_at = ?
		WHERE id = ? AND status = 'failed' RETURNING `+outboxColumns, ms, ms, id)
	if mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		return it, err
	}
	current, err := s.OutboxItem(ctx, id)
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("ingest item %s has not failed: it is %s", id, current.Status)
	switch current.Status {
	case mlexp.OutboxDelivered:
		msg += " (MLflow run " + current.RunID + ")"
	case mlexp.OutboxPending:
		msg += fmt.Sprintf(" after %d attempts, next due at %s", current.Attempts, current.NextAttemptAt.UTC().Format(time.RFC3339))
	}
	return nil, &mlexp.Error{Code: mlexp.ECONFLICT, Field: "id", Message: msg}
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanItem reads the outboxColumns of one row.
func scanItem(row scanner) (*mlexp.OutboxItem, error) {
	var it mlexp.OutboxItem
	var payload string
	var next, created, updated int64
	if err := row.Scan(&it.ID, &it.Kind, &it.IdempotencyKey, &payload, &it.Status,
		&it.Attempts, &it.RunID, &it.LastError, &next, &created, &updated); err != nil {
		return nil, err
	}
	it.Payload = []byte(payload)
	it.NextAttemptAt, it.CreatedAt, it.UpdatedAt = time.UnixMilli(next), time.UnixMilli(created), time.UnixMilli(updated)
	return &it, nil
}
