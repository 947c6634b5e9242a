package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sqlbind"
)

// TestRunIndexKeepsBinaryBodiesAndReadsOldRows checks, on both back-ends, that a body of any
// bytes (NUL, invalid UTF-8) comes back as written, and that a row written as text before
// migration 0008 is still read, then replaced by the next write of its run.
func TestRunIndexKeepsBinaryBodiesAndReadsOldRows(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := dsn(t, backend)
			db := mustOpen(t, dsn)
			body := []byte{0x02, 0x00, 0xff, 0xfe, 'a', 0x00}
			st := mlexp.IndexState{ExperimentID: "7", Codec: 1}
			if _, err := db.SaveIndex(ctx, st, []mlexp.IndexedRun{{ID: "bin", Start: 1, Status: "FINISHED", Body: body}}); err != nil {
				t.Fatal(err)
			}
			raw := rawDB(t, backend, dsn)
			if _, err := raw.ExecContext(ctx, rebind(backend, `INSERT INTO run_index (experiment_id, run_id, start_time, status, deleted, version, body)
				VALUES ('7', 'old', 2, 'FINISHED', 0, 1, ?)`), `{"i":"old"}`); err != nil {
				t.Fatal(err)
			}
			rows, _, err := db.IndexedRuns(ctx, "7", 0)
			if err != nil || len(rows) != 2 || !bytes.Equal(rows[0].Body, body) || string(rows[1].Body) != `{"i":"old"}` {
				t.Fatalf("rows %+v, %v; want the binary body as written and the old text body", rows, err)
			}
			v, err := db.SaveIndex(ctx, st, []mlexp.IndexedRun{{ID: "old", Start: 2, Status: "FINISHED", Body: body}})
			if err != nil {
				t.Fatal(err)
			}
			if changed, _, err := db.IndexedRuns(ctx, "7", v-1); err != nil || len(changed) != 1 || !bytes.Equal(changed[0].Body, body) {
				t.Errorf("the old row written again: %+v, %v", changed, err)
			}
		})
	}
}

// rawDB opens the store's database without sqlstore, to write a row as an older mlexp did.
func rawDB(t *testing.T, backend, dsn string) *sql.DB {
	t.Helper()
	driver, source := "sqlite", "file:"+dsn
	if backend == "postgres" {
		driver, source = "pgx", dsn
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func rebind(backend, q string) string {
	if backend == "postgres" {
		return sqlbind.Postgres(q)
	}
	return q
}
