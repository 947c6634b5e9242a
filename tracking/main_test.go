package tracking_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

var srv *mlflowtest.Server

func TestMain(m *testing.M) { mlflowtest.Main(m, &srv) }

func ctx(tb testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	tb.Cleanup(cancel)
	return c
}

// counter counts the HTTP requests a client makes to MLflow.
type counter struct{ n atomic.Int64 }

func (c *counter) observe(mlflow.Call) { c.n.Add(1) }

func client(tb testing.TB, url string, opts ...mlflow.Option) *mlflow.Client {
	tb.Helper()
	opts = append([]mlflow.Option{mlflow.WithRetry(mlflow.RetryPolicy{MaxAttempts: 2, Initial: 10 * time.Millisecond, Max: 20 * time.Millisecond})}, opts...)
	c, err := mlflow.NewClient(url, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

var seq atomic.Int64

// isolate gives a report its own model and dataset, hence its own experiment on the shared
// server.
func isolate(tb testing.TB, m *mlexp.Model, d *mlexp.Dataset) {
	n := seq.Add(1)
	m.ID = fmt.Sprintf("%s-%d-%d", m.ID, time.Now().UnixNano(), n)
	m.Name = fmt.Sprintf("%s-%d-%d", m.Name, time.Now().UnixNano(), n)
	_ = tb
}

func newLogger(tb testing.TB, opts ...mlflow.Option) *tracking.Logger {
	return tracking.NewLogger(client(tb, srv.URL, opts...), chart.TrainingCurves)
}
