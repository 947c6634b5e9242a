package tracking_test

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// TestReaderWhileMLflowIsDown probes the reader as an operator did with MLflow killed:
//   - the runs are marked stale from the first attempt of a refresh that fails to reach
//     MLflow, while the refresh is still retrying (they said stale:false for 10–16 s);
//   - a stale snapshot keeps the time its runs were read (the banner said "last read at"
//     the time of the failed refresh);
//   - with nothing cached, a request is refused at once, saying since when MLflow is down,
//     and the model list is served from the cache (requests took 4–10 s each).
func TestReaderWhileMLflowIsDown(t *testing.T) {
	own, err := mlflowtest.Start(filepath.Join(t.TempDir(), "mlflow"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = own.Stop() })
	r := sample.QuickTestReport()
	isolate(t, &r.Model, &r.Dataset)
	if _, err := tracking.NewLogger(client(t, own.URL), nil).LogQuickTest(ctx(t), r); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	health := tracking.NewHealth(clk.now)
	// Retries that would take at least 10 s before the first refresh gives up.
	c, err := mlflow.NewClient(own.URL, mlflow.WithObserver(health.Observe),
		mlflow.WithRetry(mlflow.RetryPolicy{MaxAttempts: 3, Initial: 20 * time.Second, Max: 20 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	reader := tracking.NewReader(c, 30*time.Second, clk.now, slog.New(slog.DiscardHandler), tracking.WatchHealth(health))
	models, err := reader.Models(ctx(t))
	if err != nil || len(models) == 0 {
		t.Fatalf("models: %v, %v", models, err)
	}
	_, d, err := reader.Experiment(ctx(t), r.Model.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	first, err := reader.Runs(ctx(t), d.ExperimentID)
	if err != nil || first.Stale {
		t.Fatalf("first read: %+v, %v", first, err)
	}
	readAt := first.FetchedAt

	if err := own.Stop(); err != nil {
		t.Fatal(err)
	}
	clk.add(time.Minute) // past the TTL: the next request starts a refresh
	snap, _ := reader.Runs(ctx(t), d.ExperimentID)
	for deadline := time.Now().Add(8 * time.Second); !snap.Stale && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		snap, _ = reader.Runs(ctx(t), d.ExperimentID)
	}
	if !snap.Stale || !strings.Contains(snap.StaleReason, "cannot be reached") {
		t.Fatalf("while the refresh retries, stale=%v %q: want stale from its first failed attempt", snap.Stale, snap.StaleReason)
	}
	if !snap.FetchedAt.Equal(readAt) {
		t.Errorf("the stale snapshot says it was read at %v; its runs were read at %v", snap.FetchedAt, readAt)
	}
	if len(snap.Runs) != 1 {
		t.Errorf("stale snapshot has %d runs, want the cached 1", len(snap.Runs))
	}

	_, err = reader.Runs(ctx(t), "424242")
	if mlexp.ErrorCode(err) != mlexp.EUNAVAILABLE || !strings.Contains(err.Error(), "cannot be reached since") {
		t.Errorf("a cold read while MLflow is down: %v, want an answer at once saying since when", err)
	}
	clk.add(time.Minute) // the model list is past its TTL too
	if again, err := reader.Models(ctx(t)); err != nil || len(again) != len(models) {
		t.Errorf("models while MLflow is down: %d, %v; want the cached %d", len(again), err, len(models))
	}
}
