package tracking_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// mlflowSQLMessage is what MLflow's SQLAlchemy store answers when the database refuses a
// statement: the statement, its parameters and a link come with it.
const mlflowSQLMessage = "Experiment(name=x) already exists. Error: (sqlite3.IntegrityError) UNIQUE constraint failed: experiments.workspace, experiments.name\n" +
	"[SQL: INSERT INTO experiments (name, workspace, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, ?, ?, ?)]\n" +
	"[parameters: ('x', 'default', '', 'active', 1796222908756, 1796222908756)]\n(Background on this error at: https://sqlalche.me/e/21/gkpj)"

// Issue 16: MLflow's SQL text, tracebacks and internal URLs reached clients in the messages
// of MLflowError. The message keeps what MLflow says is wrong, and nothing of its inside.
func TestMLflowErrorKeepsInternalsOut(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	for _, tc := range []struct {
		name string
		err  error
		code string
		keep string // what the user still reads
	}{
		{"refused with SQL", &mlflow.Error{Endpoint: "runs/search", HTTPStatus: 400, Code: "INVALID_PARAMETER_VALUE", Message: mlflowSQLMessage},
			mlexp.EINVALID, "Experiment(name=x) already exists"},
		{"a server error with SQL", &mlflow.Error{Endpoint: "runs/search", HTTPStatus: 500, Code: "INTERNAL_ERROR", Message: mlflowSQLMessage},
			mlexp.EUNAVAILABLE, "cannot be reached"},
		{"a traceback", &mlflow.Error{Endpoint: "runs/get", HTTPStatus: 400, Code: "BAD_REQUEST",
			Message: "bad run\nTraceback (most recent call last):\n  File \"/srv/mlflow/server/handlers.py\", line 1, in x"},
			mlexp.EINVALID, "bad run"},
		{"unreachable", &mlflow.Error{Endpoint: "runs/get", Code: "UNREACHABLE",
			Err: fmt.Errorf(`Post "http://mlflow.internal.example:5000/api/2.0/mlflow/runs/get": %w`, dial)},
			mlexp.EUNAVAILABLE, "cannot be reached"},
		{"refused credentials", &mlflow.Error{Endpoint: "runs/get", HTTPStatus: 401, Code: "UNAUTHENTICATED",
			Message: "token rejected by http://mlflow.internal.example:5000/auth"},
			mlexp.EUNAVAILABLE, "MLFLOW_TRACKING_TOKEN"},
		{"timed out", fmt.Errorf(`Post "http://mlflow.internal.example:5000/x": %w`, context.DeadlineExceeded),
			mlexp.EUNAVAILABLE, "cannot be reached"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tracking.MLflowError(tc.err, "reading run r1")
			msg := mlexp.ErrorMessage(err)
			if mlexp.ErrorCode(err) != tc.code || !strings.Contains(msg, tc.keep) || !strings.HasPrefix(msg, "reading run r1") {
				t.Errorf("%q (%s), want %s keeping %q", msg, mlexp.ErrorCode(err), tc.code, tc.keep)
			}
			for _, leak := range []string{"[SQL", "INSERT", "parameters", "sqlalche", "Traceback", "handlers.py", "internal.example", "http://"} {
				if strings.Contains(msg, leak) {
					t.Errorf("message %q shows %q", msg, leak)
				}
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("the cause is not kept for the log")
			}
		})
	}
}

// What MLflow says is wrong stays readable: its code and its first sentence.
func TestMLflowErrorKeepsWhatMLflowSays(t *testing.T) {
	err := tracking.MLflowError(&mlflow.Error{Endpoint: "runs/search", HTTPStatus: 400, Code: "INVALID_PARAMETER_VALUE", Message: mlflowSQLMessage}, "reading run r1")
	if msg, want := mlexp.ErrorMessage(err), "reading run r1: MLflow refused the request: INVALID_PARAMETER_VALUE: Experiment(name=x) already exists."; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
	long := &mlflow.Error{HTTPStatus: 400, Code: "BAD_REQUEST", Message: strings.Repeat("é", 400)}
	if msg := mlexp.ErrorMessage(tracking.MLflowError(long, "x")); len(msg) > 400 || !strings.HasSuffix(msg, "é…") {
		t.Errorf("a long message is not cut cleanly: %d bytes, ends %q", len(msg), msg[len(msg)-8:])
	}
	bare := &mlflow.Error{HTTPStatus: 400, Code: "INVALID_PARAMETER_VALUE", Message: "[SQL: SELECT 1]"}
	if msg, want := mlexp.ErrorMessage(tracking.MLflowError(bare, "x")), "x: MLflow refused the request: INVALID_PARAMETER_VALUE"; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
}
