package mlmd_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlmdtest"
	"github.com/mlexp-dev/mlexp/internal/pgtest"
	"github.com/mlexp-dev/mlexp/mlmd"
)

var pg *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &pg) }

// TestOpenRefusesWhatItCannotRead: another schema version, a database that is not a store
// and a missing file are EUNAVAILABLE errors of the MLMD dependency that say what is wrong.
func TestOpenRefusesWhatItCannotRead(t *testing.T) {
	path, _ := mlmdtest.WriteSQLite(t, mlmdtest.Spec{Trainings: []mlmdtest.Training{{Key: "a"}}})
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE MLMDEnv SET schema_version = 11`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, dsn, want string }{
		{"newer schema", path, "has schema version 11, and mlexp reads version 10"},
		{"not a store", empty, "cannot be read as an ML Metadata store"},
		{"missing file", filepath.Join(t.TempDir(), "nope.db"), "check --mlmd-db"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := mlmd.Open(context.Background(), c.dsn)
			var e *mlexp.Error
			if !errors.As(err, &e) || e.Code != mlexp.EUNAVAILABLE || e.Dependency != mlexp.DependencyMLMD {
				t.Fatalf("Open = %v, want an EUNAVAILABLE error of %s", err, mlexp.DependencyMLMD)
			}
			if !strings.Contains(e.Message, c.want) || !strings.Contains(e.Message, "lineage is off") && c.name != "missing file" {
				t.Errorf("message %q does not say %q and that lineage is off", e.Message, c.want)
			}
		})
	}
}

// TestLineageOnPostgreSQL reads a store the library wrote on PostgreSQL.
func TestLineageOnPostgreSQL(t *testing.T) {
	dsn := pg.NewDatabase(t)
	written := mlmdtest.WritePostgres(t, dsn, pipeline)
	store, err := mlmd.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	checkLinks(t, store, written)
}

// TestOpenIsReadOnly: the reader never writes; a SQLite store is opened read-only.
func TestOpenIsReadOnly(t *testing.T) {
	path, _ := mlmdtest.WriteSQLite(t, mlmdtest.Spec{Trainings: []mlmdtest.Training{{Key: "a"}}})
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	store, err := mlmd.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Lineage(context.Background(), mlexp.LineageRef{RunID: "x", ExecutionID: 1}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("reading the store changed its file")
	}
}
