package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/mlexp-dev/mlexp/sqlstore"
)

func migrateOptions(getenv func(string) string) []option {
	return []option{
		{name: "data-dir", arg: "DIR", env: "MLEXP_DATA_DIR", def: defaultDataDir(getenv),
			usage: "directory for mlexp's own data, such as its database"},
		{name: "db", arg: "PATH|URL", env: "MLEXP_DB",
			usage: "the database: a SQLite file path or a postgres:// URL (default: mlexp.db in the data directory)"},
	}
}

func migrateHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp migrate [flags]

Applies the database migrations that are not applied yet, in order, each in its own
transaction, and prints the schema version. 'mlexp serve' does the same at start; this
command lets a deployment migrate before it rolls out new replicas. Several processes
migrating at once are safe.

`)
	writeOptions(w, migrateOptions(e.getenv))
}

// migrate runs `mlexp migrate`.
func migrate(ctx context.Context, args []string, e env) error {
	s, rest, err := parseOptions("migrate", args, migrateOptions(e.getenv), migrateHelp, e)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("migrate: unexpected argument %q", rest[0])
	}
	db := s["db"].value
	if db == "" {
		if s["data-dir"].value == "" {
			return s["data-dir"].errorf("must not be empty")
		}
		db = filepath.Join(s["data-dir"].value, "mlexp.db")
	}
	store, err := sqlstore.Open(ctx, db)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer store.Close()
	v, err := store.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fmt.Fprintf(e.stdout, "%s database is at schema version %d\n", store.Dialect(), v)
	return nil
}
