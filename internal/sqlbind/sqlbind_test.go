package sqlbind

import "testing"

func TestPostgres(t *testing.T) {
	if got := Postgres(`SELECT a FROM t WHERE b = ? AND c IN (?, ?)`); got != `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)` {
		t.Errorf("Postgres = %q", got)
	}
}
