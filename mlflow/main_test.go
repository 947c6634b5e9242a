package mlflow_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// srv is the real MLflow server these tests run against.
var srv *mlflowtest.Server

func TestMain(m *testing.M) { mlflowtest.Main(m, &srv) }

// newClient returns a client of the test server that fails fast.
func newClient(tb testing.TB, opts ...mlflow.Option) *mlflow.Client {
	tb.Helper()
	opts = append([]mlflow.Option{mlflow.WithRetry(mlflow.RetryPolicy{MaxAttempts: 3, Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond})}, opts...)
	c, err := mlflow.NewClient(srv.URL, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func ctx(tb testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	tb.Cleanup(cancel)
	return c
}

var seq atomic.Int64

// uniqueName gives every test its own experiment name on the shared server.
func uniqueName(tb testing.TB) string {
	return fmt.Sprintf("%s-%d-%d", tb.Name(), time.Now().UnixNano(), seq.Add(1))
}

// mustExperiment creates a fresh experiment and returns its id.
func mustExperiment(tb testing.TB, c *mlflow.Client) string {
	tb.Helper()
	id, err := c.CreateExperiment(ctx(tb), uniqueName(tb), "", nil)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// mustRun creates a run in experiment expID.
func mustRun(tb testing.TB, c *mlflow.Client, expID, name string) *mlflow.Run {
	tb.Helper()
	r, err := c.CreateRun(ctx(tb), mlflow.CreateRunRequest{ExperimentID: expID, RunName: name})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}
