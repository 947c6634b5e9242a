package tracking

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// TestOutboxKeepsNoInternals checks what the outbox keeps of a failed delivery, which
// clients read as last_error: MLflow's words without its SQL, or how the call failed
// without MLflow's URL (found when mlexp was probed: the SQL text reached clients).
func TestOutboxKeepsNoInternals(t *testing.T) {
	sqlErr := &mlflow.Error{Endpoint: "runs/log-batch", Code: "BAD_REQUEST", HTTPStatus: 400,
		Message: "(sqlite3.IntegrityError) UNIQUE constraint failed: params.key, params.run_uuid\n[SQL: INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)]"}
	unreachable := &mlflow.Error{Endpoint: "runs/create", Code: "UNREACHABLE", Err: errors.New(`Post "http://mlflow.internal:5000/api/2.0/mlflow/runs/create": dial tcp 10.0.0.7:5000: connect: connection refused`)}
	for _, c := range []struct {
		err  error
		want string
		not  []string
	}{
		{sqlErr, "BAD_REQUEST", []string{"INSERT", "sqlite3", "[SQL"}},
		{unreachable, "MLflow: no answer", []string{"mlflow.internal", "10.0.0.7"}},
		{mlexp.InvalidField("quick_test.epochs", "must be at least 1"), "quick_test.epochs: must be at least 1", nil},
	} {
		got := outboxMessage(c.err)
		if !strings.Contains(got, c.want) {
			t.Errorf("outboxMessage(%v) = %q, want it to say %q", c.err, got, c.want)
		}
		for _, n := range c.not {
			if strings.Contains(got, n) {
				t.Errorf("outboxMessage(%v) = %q shows %q", c.err, got, n)
			}
		}
	}
}
