package tracking_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// TestOutboxSurvivesAnMLflowOutage ingests 200 quick tests while the MLflow server is
// stopped part of the way through, starts it again, and checks that every result is in
// MLflow exactly once.
func TestOutboxSurvivesAnMLflowOutage(t *testing.T) {
	dir := t.TempDir()
	own, err := mlflowtest.Start(filepath.Join(dir, "mlflow"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = own.Stop() })

	db, err := sqlstore.Open(context.Background(), filepath.Join(dir, "mlexp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	logger := tracking.NewLogger(client(t, own.URL), nil)
	delivery := tracking.NewDelivery(db, logger, log, tracking.DeliveryConfig{Workers: 4, Lease: 5 * time.Second, Poll: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, Timeout: 20 * time.Second})
	ingest := tracking.NewIngest(db, delivery, 0)

	runCtx, stopDelivery := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); delivery.Run(runCtx) }()
	defer func() { stopDelivery(); wg.Wait() }()

	const n = 200
	base := sample.QuickTestReport()
	isolate(t, &base.Model, &base.Dataset)
	for i := 1; i <= n; i++ {
		if i == 60 {
			if err := own.Stop(); err != nil {
				t.Fatal(err)
			}
		}
		r := base
		r.QuickTest.ID = i
		item, err := ingest.SubmitQuickTest(ctx(t), r)
		if err != nil {
			t.Fatalf("ingest #%d while MLflow is %s: %v", i, map[bool]string{true: "down", false: "up"}[i >= 60], err)
		}
		if item.Status == mlexp.OutboxFailed {
			t.Fatalf("item %d failed for good: %s", i, item.LastError)
		}
		if i == 60 {
			time.Sleep(time.Second) // let workers hit the outage mid-delivery
		}
	}
	counts, _ := db.OutboxCounts(ctx(t))
	if counts[mlexp.OutboxPending] == 0 {
		t.Fatalf("nothing was pending during the outage: %v", counts)
	}
	restarted, err := mlflowtest.Start(own.DataDir, own.Port)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = restarted.Stop() })

	deadline := time.Now().Add(3 * time.Minute)
	for {
		counts, err = db.OutboxCounts(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if counts[mlexp.OutboxPending] == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if counts[mlexp.OutboxDelivered] != n || counts[mlexp.OutboxFailed] != 0 {
		t.Fatalf("outbox after recovery: %v, want %d delivered", counts, n)
	}
	assertExactlyOnce(t, client(t, restarted.URL), mlexp.ExperimentName(base.Model, base.Dataset), n)
}

// assertExactlyOnce checks that the experiment holds n finished runs with n distinct
// idempotency keys.
func assertExactlyOnce(t *testing.T, c *mlflow.Client, experiment string, n int) {
	t.Helper()
	exp, err := c.GetExperimentByName(ctx(t), experiment)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp.ID}, RunViewType: mlflow.AllViews})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]int{}
	for _, r := range runs {
		k, _ := r.Data.Tag(tracking.TagIdempotencyKey)
		keys[k]++
		if r.Info.Status != mlflow.StatusFinished {
			t.Errorf("run %s (%s) is %s", r.Info.RunID, k, r.Info.Status)
		}
	}
	if len(runs) != n || len(keys) != n {
		dups := 0
		for _, c := range keys {
			if c > 1 {
				dups++
			}
		}
		t.Fatalf("%d runs with %d distinct keys (%d duplicated), want %d of each", len(runs), len(keys), dups, n)
	}
}
