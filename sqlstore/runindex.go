package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// The run index (mlexp.RunIndex): see migrations/0005_run_index.sql.

// IndexState returns the state of an experiment's index; the zero state when it has none.
func (s *DB) IndexState(ctx context.Context, experimentID string) (mlexp.IndexState, error) {
	st := mlexp.IndexState{ExperimentID: experimentID}
	var complete int
	var synced, deletions, reconciled int64
	err := s.db.QueryRowContext(ctx, s.rebind(`SELECT codec, complete, loaded, cursor_start, cursor_run, newest_start, synced_at,
		deletions_at, reconciled_at, version FROM run_index_state WHERE experiment_id = ?`), experimentID).Scan(
		&st.Codec, &complete, &st.Loaded, &st.Cursor.Start, &st.Cursor.RunID, &st.NewestStart, &synced, &deletions, &reconciled, &st.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, storeError(err, "reading the run index state")
	}
	st.Complete = complete != 0
	st.SyncedAt, st.DeletionsAt, st.ReconciledAt = fromMillis(synced), fromMillis(deletions), fromMillis(reconciled)
	return st, nil
}

// IndexedRuns returns the runs written after version since, tombstones included, and the
// version they bring the reader to.
func (s *DB) IndexedRuns(ctx context.Context, experimentID string, since int64) ([]mlexp.IndexedRun, int64, error) {
	var out []mlexp.IndexedRun
	next, err := s.EachIndexedRun(ctx, experimentID, since, func(r mlexp.IndexedRun) error {
		out = append(out, r)
		return nil
	})
	return out, next, err
}

// EachIndexedRun calls fn with each run written after version since, tombstones included, in
// the order of (start time, run id), without holding them all, and returns the version they
// bring the reader to. The state's version is read first: a write that commits while the rows
// are read is then either read whole or left for the next call.
func (s *DB) EachIndexedRun(ctx context.Context, experimentID string, since int64, fn func(mlexp.IndexedRun) error) (int64, error) {
	st, err := s.IndexState(ctx, experimentID)
	if err != nil {
		return since, err
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`SELECT run_id, start_time, status, deleted, version, body, data FROM run_index
		WHERE experiment_id = ? AND version > ? ORDER BY start_time, run_id`), experimentID, since)
	if err != nil {
		return since, storeError(err, "reading the run index")
	}
	defer rows.Close()
	next := max(since, st.Version)
	for rows.Next() {
		var r mlexp.IndexedRun
		var deleted int
		var version int64
		var text, data []byte
		if err := rows.Scan(&r.ID, &r.Start, &r.Status, &deleted, &version, &text, &data); err != nil {
			return since, storeError(err, "reading the run index")
		}
		r.Deleted, r.Body = deleted != 0, data
		if data == nil { // written before migration 0008
			r.Body = text
		}
		next = max(next, version)
		if err := fn(r); err != nil {
			return since, err
		}
	}
	if err := rows.Err(); err != nil {
		return since, storeError(err, "reading the run index")
	}
	return next, nil
}

// SaveIndex writes runs and st in one transaction under the next version of the experiment,
// which it returns. The state row is written first, so that on PostgreSQL concurrent writes
// of one experiment queue on its lock and versions follow commit order.
func (s *DB) SaveIndex(ctx context.Context, st mlexp.IndexState, runs []mlexp.IndexedRun) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, storeError(err, "writing the run index")
	}
	defer tx.Rollback()
	if err := s.ensureState(ctx, tx, st.ExperimentID); err != nil {
		return 0, err
	}
	var version int64
	err = tx.QueryRowContext(ctx, s.rebind(`UPDATE run_index_state SET codec = ?, complete = ?, loaded = ?, cursor_start = ?, cursor_run = ?,
		newest_start = ?, synced_at = ?, deletions_at = ?, reconciled_at = ?, version = version + 1 WHERE experiment_id = ? RETURNING version`),
		st.Codec, boolInt(st.Complete), st.Loaded, st.Cursor.Start, st.Cursor.RunID, st.NewestStart, millis(st.SyncedAt),
		millis(st.DeletionsAt), millis(st.ReconciledAt), st.ExperimentID).Scan(&version)
	if err != nil {
		return 0, storeError(err, "writing the run index state")
	}
	if err := s.upsertIndexed(ctx, tx, st.ExperimentID, version, runs); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, storeError(err, "writing the run index")
	}
	return version, nil
}

// indexBatch is how many runs one statement of SaveIndex writes: one statement a run spent
// more time going through the driver than writing (docs/benchmarks.md).
const indexBatch = 100

// upsertIndexed writes runs to the index under version, indexBatch runs a statement. A run
// whose body and deletion are unchanged keeps its version (and is not read again by readers);
// when runs names a run twice, its last row is written.
func (s *DB) upsertIndexed(ctx context.Context, tx *sql.Tx, experimentID string, version int64, runs []mlexp.IndexedRun) error {
	runs = lastOfEach(runs)
	stmts := map[int]*sql.Stmt{}
	args := make([]any, 0, 7*indexBatch)
	for batch := range slices.Chunk(runs, indexBatch) {
		stmt := stmts[len(batch)]
		if stmt == nil {
			var err error
			if stmt, err = tx.PrepareContext(ctx, s.rebind(upsertIndexedText(len(batch)))); err != nil {
				return storeError(err, "writing the run index")
			}
			defer stmt.Close()
			stmts[len(batch)] = stmt
		}
		args = args[:0]
		for _, r := range batch {
			args = append(args, experimentID, r.ID, r.Start, r.Status, boolInt(r.Deleted), version, r.Body)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return storeError(err, fmt.Sprintf("writing runs %s … %s to the run index", batch[0].ID, batch[len(batch)-1].ID))
		}
	}
	return nil
}

// upsertIndexedText is the statement that writes n runs to the index.
func upsertIndexedText(n int) string {
	return `INSERT INTO run_index (experiment_id, run_id, start_time, status, deleted, version, body, data) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, '', ?),", n), ",") +
		` ON CONFLICT (experiment_id, run_id) DO UPDATE SET start_time = excluded.start_time,
		status = excluded.status, deleted = excluded.deleted, version = excluded.version, body = '', data = excluded.data
		WHERE run_index.data IS DISTINCT FROM excluded.data OR run_index.deleted <> excluded.deleted`
}

// lastOfEach is runs with each run once, at its last row: one statement cannot write a row twice.
func lastOfEach(runs []mlexp.IndexedRun) []mlexp.IndexedRun {
	at := make(map[string]int, len(runs))
	for i, r := range runs {
		at[r.ID] = i
	}
	if len(at) == len(runs) {
		return runs
	}
	out := make([]mlexp.IndexedRun, 0, len(runs))
	for i, r := range runs {
		if at[r.ID] == i {
			out = append(out, r)
		}
	}
	return out
}

// ResetIndex drops the experiment's runs and state (not its lease).
func (s *DB) ResetIndex(ctx context.Context, experimentID string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storeError(err, "resetting the run index")
	}
	defer tx.Rollback()
	// The state row first, as SaveIndex locks them: two writers never wait on each other.
	if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE run_index_state SET codec = 0, complete = 0, loaded = 0, cursor_start = 0, cursor_run = '',
		newest_start = 0, synced_at = 0, deletions_at = 0, reconciled_at = 0, version = version + 1 WHERE experiment_id = ?`), experimentID); err != nil {
		return storeError(err, "resetting the run index")
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM run_index WHERE experiment_id = ?`), experimentID); err != nil {
		return storeError(err, "resetting the run index")
	}
	return storeError(tx.Commit(), "resetting the run index")
}

// ClaimSync gives owner the experiment's sync lease until until, unless another owner holds
// one that has not expired by now.
func (s *DB) ClaimSync(ctx context.Context, experimentID, owner string, now, until time.Time) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, storeError(err, "claiming the sync of experiment "+experimentID)
	}
	defer tx.Rollback()
	if err := s.ensureState(ctx, tx, experimentID); err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, s.rebind(`UPDATE run_index_state SET lease_owner = ?, lease_until = ?
		WHERE experiment_id = ? AND (lease_owner = ? OR lease_owner = '' OR lease_until < ?)`),
		owner, millis(until), experimentID, owner, now.UnixMilli())
	if err != nil {
		return false, storeError(err, "claiming the sync of experiment "+experimentID)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, storeError(err, "claiming the sync of experiment "+experimentID)
	}
	return n == 1, storeError(tx.Commit(), "claiming the sync of experiment "+experimentID)
}

// ReleaseSyncs gives up every sync lease owner holds, so that a replica that stops does not
// keep the next one (a restart is a new owner) from syncing for a lease's length.
func (s *DB) ReleaseSyncs(ctx context.Context, owner string) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`UPDATE run_index_state SET lease_owner = '', lease_until = 0 WHERE lease_owner = ?`), owner)
	return storeError(err, "releasing the sync leases")
}

// AddRechecks records runs that mlexp changed, for the next sync of the experiment to read
// again, in whichever process or replica syncs it.
func (s *DB) AddRechecks(ctx context.Context, experimentID string, runIDs []string) error {
	for _, id := range runIDs {
		if _, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO run_index_recheck (experiment_id, run_id) VALUES (?, ?)
			ON CONFLICT (experiment_id, run_id) DO NOTHING`), experimentID, id); err != nil {
			return storeError(err, "recording a changed run")
		}
	}
	return nil
}

// Rechecks returns the runs of the experiment that mlexp changed since they were last read.
func (s *DB) Rechecks(ctx context.Context, experimentID string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`SELECT run_id FROM run_index_recheck WHERE experiment_id = ? ORDER BY run_id`), experimentID)
	if err != nil {
		return nil, storeError(err, "reading the changed runs")
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, storeError(err, "reading the changed runs")
		}
		ids = append(ids, id)
	}
	return ids, storeError(rows.Err(), "reading the changed runs")
}

// DoneRechecks forgets runs that a sync has read again.
func (s *DB) DoneRechecks(ctx context.Context, experimentID string, runIDs []string) error {
	for _, id := range runIDs {
		if _, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM run_index_recheck WHERE experiment_id = ? AND run_id = ?`), experimentID, id); err != nil {
			return storeError(err, "forgetting a changed run")
		}
	}
	return nil
}

// ensureState makes the experiment's state row, if it has none.
func (s *DB) ensureState(ctx context.Context, tx *sql.Tx, experimentID string) error {
	_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO run_index_state (experiment_id) VALUES (?) ON CONFLICT (experiment_id) DO NOTHING`), experimentID)
	return storeError(err, "writing the run index state")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// storeError wraps a database error of doing as EUNAVAILABLE of the database; nil stays nil.
func storeError(err error, doing string) error {
	if err == nil {
		return nil
	}
	return mlexp.Unavailable(mlexp.DependencyDatabase, err, "%s: the database did not answer; try again shortly", doing)
}

var _ mlexp.RunIndex = (*DB)(nil)
