// Package sqlbind writes SQL placeholders for the database at hand, so that the SQL
// adapters (sqlstore, mlmd) write their queries once with '?' for SQLite and PostgreSQL.
package sqlbind

import (
	"strconv"
	"strings"
)

// Postgres turns the ? placeholders of q into PostgreSQL's $1, $2, …
func Postgres(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
