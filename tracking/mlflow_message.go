package tracking

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// maxMLflowSays bounds how much of MLflow's own message reaches a user.
const maxMLflowSays = 300

// internalsMarkers start the parts of an MLflow message that describe its inside rather
// than the request: SQLAlchemy's statement, parameters and link, the database driver's
// exception (which names tables and columns) and Python tracebacks.
var internalsMarkers = []string{
	"\n", "[SQL", "[parameters", "(Background on", "Traceback",
	"(sqlite3.", "(psycopg", "(pymysql.", "(MySQLdb.", "(sqlalchemy.", "(pyodbc.",
}

// mlflowSays is what MLflow said was wrong with a request, fit to be shown to the user who
// sent it: its error code and the first sentence of its message, cut before any SQL,
// traceback or URL. "" when err carries no answer of MLflow.
func mlflowSays(err error) string {
	var me *mlflow.Error
	if !errors.As(err, &me) {
		return ""
	}
	msg := me.Message
	for _, m := range internalsMarkers {
		if i := strings.Index(msg, m); i >= 0 {
			msg = msg[:i]
		}
	}
	if i := strings.Index(msg, "://"); i >= 0 { // a URL names a host of the deployment
		msg = msg[:strings.LastIndexAny(msg[:i], " \t\"'(")+1]
	}
	msg = strings.TrimRight(strings.TrimSpace(msg), " :")
	msg = strings.TrimSpace(strings.TrimSuffix(msg, "Error"))
	if len(msg) > maxMLflowSays {
		cut := maxMLflowSays
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	switch {
	case me.Code == "" || me.Code == "UNREACHABLE":
		return msg
	case msg == "":
		return me.Code
	}
	return me.Code + ": " + msg
}

// refusedMessage is the message of a request that MLflow refused as invalid.
func refusedMessage(doing string, err error) string {
	if says := mlflowSays(err); says != "" {
		return doing + ": MLflow refused the request: " + says
	}
	return doing + ": MLflow refused the request"
}

// mlflowStatus says in a few safe words how a call to MLflow failed when it got no useful
// answer: the HTTP status, or that there was no answer; never the transport error, which
// names MLflow's URL.
func mlflowStatus(err error) string {
	var me *mlflow.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer in time"
	case errors.As(err, &me) && me.HTTPStatus != 0:
		return fmt.Sprintf("HTTP %d", me.HTTPStatus)
	}
	return "no answer"
}

// outboxMessage is what the outbox keeps of a delivery's error, which clients read
// (last_error, "MLflow refused this result: …"): a domain error's message, or MLflow's own
// words without SQL, tracebacks or URLs, or how the call failed; the log keeps the whole error.
func outboxMessage(err error) string {
	var e *mlexp.Error
	if errors.As(err, &e) && e.Code != mlexp.EINTERNAL {
		return e.Message
	}
	if says := mlflowSays(err); says != "" {
		return says
	}
	return "MLflow: " + mlflowStatus(err)
}
