package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
)

var _ mlexp.DeploymentStore = (*DB)(nil)

const deploymentColumns = `id, model_id, seq, action, run_id, run_name, experiment_id, dataset_id, previous_run_id, previous_run_name, promoted_by, promoted_at, note, registered_model, alias, version, previous_version`

// promotionHold bounds how long a promotion holds the model's lock once it has it: apply's
// context carries this deadline, and the transaction is rolled back when it passes. It is
// well above what the Promoter needs while holding the lock: 30 seconds to change MLflow,
// then, when that fails, 30 more to put it back.
const promotionHold = 2 * time.Minute

// Promote runs apply while it holds the model's promotion lock, and records what apply
// returns. The lock is a transaction: on PostgreSQL it holds the model's row of
// deployment_locks FOR UPDATE, so that promotions of one model (from any process sharing the
// database) wait for each other while those of other models go on; on SQLite the
// transaction is BEGIN IMMEDIATE (the store's _txlock), which holds the database's write
// lock. A process that dies while holding the lock loses its connection, and with it the
// transaction and the lock: nothing is half-recorded.
//
// ctx bounds only the wait for the lock. Once the lock is held, the transaction no longer
// follows ctx: cancelling the caller (a client hanging up) must not release the lock while
// apply is still changing MLflow or putting it back, or a waiting promotion would run at
// the same time and be undone. apply's context is ctx's values without its cancellation,
// with a deadline of its own (promotionHold); when it passes, the transaction is rolled back.
func (s *DB) Promote(ctx context.Context, modelID string, apply func(ctx context.Context, current *mlexp.Deployment) (*mlexp.Deployment, error)) (*mlexp.Deployment, error) {
	if modelID == "" {
		return nil, mlexp.InvalidField("model_id", "is required")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// txCtx is the transaction's: cancelled with ctx until the lock is held, then only by
	// the hold's deadline or when Promote returns (the transaction is over by then).
	txCtx, cancelTx := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelTx()
	stopWaiting := context.AfterFunc(ctx, cancelTx)
	defer stopWaiting()
	tx, err := s.db.BeginTx(txCtx, nil)
	if err != nil {
		return nil, s.lockError(waitError(ctx, err))
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(txCtx, s.rebind(`INSERT INTO deployment_locks (model_id) VALUES (?) ON CONFLICT (model_id) DO NOTHING`), modelID); err != nil {
		return nil, s.lockError(waitError(ctx, err))
	}
	if s.dialect == "postgres" {
		var held string
		if err := tx.QueryRowContext(txCtx, `SELECT model_id FROM deployment_locks WHERE model_id = $1 FOR UPDATE`, modelID).Scan(&held); err != nil {
			return nil, s.lockError(waitError(ctx, err))
		}
	}
	if !stopWaiting() {
		// ctx ended just as the lock was had: the transaction is being rolled back.
		return nil, ctx.Err()
	}
	// The lock is held: from here on only the hold's deadline ends the transaction.
	ctx, cancel := context.WithTimeout(txCtx, promotionHold)
	defer cancel()
	stopHold := context.AfterFunc(ctx, cancelTx)
	defer stopHold()
	current, err := newestDeployment(ctx, tx, s, modelID)
	if err != nil {
		return nil, err
	}
	next, err := apply(ctx, current)
	if err != nil {
		return nil, err
	}
	if next == nil {
		return current, tx.Commit()
	}
	d := *next
	d.ID, d.ModelID, d.Seq = newID(), modelID, 1
	if current != nil {
		d.Seq = current.Seq + 1
	}
	if d.PromotedAt.IsZero() {
		d.PromotedAt = time.Now()
	}
	d.PromotedAt = d.PromotedAt.UTC().Truncate(time.Millisecond)
	if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO deployments (`+deploymentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		d.ID, d.ModelID, d.Seq, d.Action, d.RunID, d.RunName, d.ExperimentID, d.DatasetID, d.PreviousRunID, d.PreviousRunName,
		d.PromotedBy, d.PromotedAt.UnixMilli(), d.Note, d.RegisteredModel, d.Alias, d.Version, d.PreviousVersion); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return &d, nil
}

// waitError is err, or ctx's error when ctx ended while waiting for the lock.
func waitError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("waiting for the promotion lock: %w", ctx.Err())
	}
	return err
}

// lockError says that the promotion lock could not be had, when SQLite's busy timeout ran
// out behind another long write.
func (s *DB) lockError(err error) error {
	if strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked") {
		return mlexp.Unavailable(mlexp.DependencyDatabase, err, "another promotion is in progress and holds the database; try again in a moment")
	}
	return err
}

// Deployments returns the model's history, newest first, at most limit entries (all when
// limit ≤ 0).
func (s *DB) Deployments(ctx context.Context, modelID string, limit int) ([]mlexp.Deployment, error) {
	q := `SELECT ` + deploymentColumns + ` FROM deployments WHERE model_id = ? ORDER BY seq DESC`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(q), modelID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []mlexp.Deployment{}
	for rows.Next() {
		d, err := scanDeployment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

func newestDeployment(ctx context.Context, tx *sql.Tx, s *DB, modelID string) (*mlexp.Deployment, error) {
	d, err := scanDeployment(tx.QueryRowContext(ctx, s.rebind(`SELECT `+deploymentColumns+` FROM deployments WHERE model_id = ? ORDER BY seq DESC LIMIT 1`), modelID))
	if err == sql.ErrNoRows {
		return nil, nil
	}
	return d, err
}

func scanDeployment(row rowScanner) (*mlexp.Deployment, error) {
	var d mlexp.Deployment
	var at int64
	if err := row.Scan(&d.ID, &d.ModelID, &d.Seq, &d.Action, &d.RunID, &d.RunName, &d.ExperimentID, &d.DatasetID,
		&d.PreviousRunID, &d.PreviousRunName, &d.PromotedBy, &at, &d.Note, &d.RegisteredModel, &d.Alias, &d.Version, &d.PreviousVersion); err != nil {
		return nil, err
	}
	d.PromotedAt = time.UnixMilli(at).UTC()
	return &d, nil
}
