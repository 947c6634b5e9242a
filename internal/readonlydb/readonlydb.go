// Package readonlydb opens another system's database to read it, never to write it: MLflow's
// backend store (mlflowdb) and an ML Metadata store (mlmd). A SQLite file is opened with
// mode=ro and query_only; a PostgreSQL session makes every transaction read-only
// (default_transaction_read_only), whatever its role allows.
package readonlydb

import (
	"database/sql"
	"net/url"
	"os"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver, registered as "pgx"
	_ "modernc.org/sqlite"             // the pure-Go SQLite driver, registered as "sqlite"
)

// IsPostgres says whether dsn is a postgres:// URL rather than a SQLite file path.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database at dsn (a SQLite file path, which must exist, or a postgres:// URL)
// read-only. Its errors never hold a password.
func Open(dsn string) (*sql.DB, error) {
	if IsPostgres(dsn) {
		return sql.Open("pgx", postgresReadOnly(dsn))
	}
	if _, err := os.Stat(dsn); err != nil {
		return nil, err
	}
	return sql.Open("sqlite", "file:"+dsn+"?mode=ro&_pragma=query_only(1)&_pragma=busy_timeout(5000)")
}

// postgresReadOnly is dsn with every transaction of its sessions read-only.
func postgresReadOnly(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn // pgx says what is wrong with it
	}
	q := u.Query()
	q.Set("default_transaction_read_only", "on")
	u.RawQuery = q.Encode()
	return u.String()
}

// Redact is dsn without its password, for messages.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		if i := strings.Index(dsn, "://"); i >= 0 {
			if j := strings.LastIndex(dsn, "@"); j > i {
				return dsn[:i+3] + "…" + dsn[j:]
			}
		}
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "…")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "…")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
