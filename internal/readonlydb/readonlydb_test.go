package readonlydb

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestCloudSQLDSN: the DSN of deploy/cloudrun/mlexp.yaml (the Cloud SQL connector's unix
// socket) is read as that socket, every session read-only, and is never shown with its password.
func TestCloudSQLDSN(t *testing.T) {
	dsn := "postgres://mlexp_reader:s3cr%40t@/mlflow?host=/cloudsql/proj:europe-west1:mlflow-pg"
	cfg, err := pgx.ParseConfig(postgresReadOnly(dsn))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "/cloudsql/proj:europe-west1:mlflow-pg" || cfg.Database != "mlflow" || cfg.User != "mlexp_reader" || cfg.Password != "s3cr@t" {
		t.Errorf("parsed as host %q, database %q, user %q, password %q", cfg.Host, cfg.Database, cfg.User, cfg.Password)
	}
	if cfg.RuntimeParams["default_transaction_read_only"] != "on" {
		t.Errorf("runtime params %v: sessions are not read-only", cfg.RuntimeParams)
	}
	for _, d := range []string{dsn, "postgres://u:pw@db.internal:5432/mlflow?sslmode=require", "postgres://u@h/db?password=pw", "postgres://u:pw@%zz/db"} {
		if r := Redact(d); strings.Contains(r, "s3cr") || strings.Contains(r, "pw") {
			t.Errorf("Redact(%q) = %q", d, r)
		}
	}
}
