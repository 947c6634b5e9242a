package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp/internal/pgtest"
)

func TestMigrateSQLiteAndPostgres(t *testing.T) {
	pg, err := pgtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Stop)
	for _, db := range []string{filepath.Join(t.TempDir(), "new", "mlexp.db"), pg.NewDatabase(t)} {
		for i := 0; i < 2; i++ { // a second run finds nothing to do
			var out bytes.Buffer
			if err := runWithInput(context.Background(), []string{"mlexp", "migrate", "--db", db}, envOf(nil), nil, &out, &out); err != nil {
				t.Fatalf("migrate %s: %v", db, err)
			}
			if !strings.Contains(out.String(), "schema version 7") {
				t.Errorf("migrate %s said %q", db, out.String())
			}
		}
	}
	if err := runWithInput(context.Background(), []string{"mlexp", "migrate", "--db", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2"}, envOf(nil), nil, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("migrating an unreachable PostgreSQL succeeded")
	}
}
