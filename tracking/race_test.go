package tracking_test

import (
	"cmp"
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// The tests of this file are the regression tests of two outboxes (two mlexp processes on
// separate databases) delivering the same results at once: between a logger's search for
// the run carrying the idempotency key and its create, another process could create one,
// which made duplicate runs; and two deliveries logging to one run at once made MLflow
// refuse a param (UNIQUE constraint failed: params.key), which failed the item for good.

// raceReports are n quick tests of one fresh experiment, numbered 1..n.
func raceReports(t *testing.T, n int) []mlexp.QuickTestReport {
	base := sample.QuickTestReport()
	isolate(t, &base.Model, &base.Dataset)
	out := make([]mlexp.QuickTestReport, n)
	for i := range out {
		out[i] = base
		out[i].QuickTest.ID = i + 1
	}
	return out
}

// raceOutbox is one mlexp process: its own store, MLflow client, logger (with its own
// experiment cache) and delivery.
type raceOutbox struct {
	store    *sqlstore.DB
	delivery *tracking.Delivery
	items    []string // ids of the items committed to it
}

func newRaceOutbox(t *testing.T, name string) *raceOutbox {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), name+".db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d := tracking.NewDelivery(db, newLogger(t), log, tracking.DeliveryConfig{Worker: name, Workers: 4,
		Lease: 10 * time.Second, Poll: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond, Timeout: time.Minute})
	return &raceOutbox{store: db, delivery: d}
}

// TestRaceTwoOutboxesDeliverTheSameResultsOnce commits the same 40 quick tests to two
// outboxes and delivers both at once: MLflow must end with exactly 40 runs, each FINISHED
// with every param and metric, and no item of either outbox may have failed.
func TestRaceTwoOutboxesDeliverTheSameResultsOnce(t *testing.T) {
	const n = 40
	reports := raceReports(t, n)
	boxes := []*raceOutbox{newRaceOutbox(t, "one"), newRaceOutbox(t, "two")}
	for _, b := range boxes {
		ingest := tracking.NewIngest(b.store, nil, 0)
		for _, r := range reports {
			it, err := ingest.SubmitQuickTest(ctx(t), r)
			if err != nil {
				t.Fatal(err)
			}
			b.items = append(b.items, it.ID)
		}
	}
	runCtx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, b := range boxes {
		wg.Add(1)
		go func() { defer wg.Done(); b.delivery.Run(runCtx) }()
	}
	raceDrain(t, boxes, time.Now().Add(3*time.Minute))
	stop()
	wg.Wait()

	var runIDs []string
	stale := 0
	c := client(t, srv.URL)
	for i, b := range boxes {
		counts, _ := b.store.OutboxCounts(ctx(t))
		if counts[mlexp.OutboxDelivered] != n {
			t.Errorf("outbox %d: %v, want %d delivered", i+1, counts, n)
		}
		for _, id := range b.items {
			it, err := b.store.OutboxItem(ctx(t), id)
			if err != nil {
				t.Fatal(err)
			}
			if it.Status == mlexp.OutboxFailed {
				t.Errorf("outbox %d: %s failed for good: %s", i+1, it.IdempotencyKey, it.LastError)
			}
			if it.RunID == "" {
				continue
			}
			runIDs = append(runIDs, it.RunID)
			// The run the item names carries its key (it may be a duplicate deleted in the
			// race: MLflow keeps deleted runs, so the id still leads somewhere).
			run, err := c.GetRun(ctx(t), it.RunID)
			if err != nil {
				t.Fatalf("outbox %d: %s names run %s: %v", i+1, it.IdempotencyKey, it.RunID, err)
			}
			if k, _ := run.Data.Tag(tracking.TagIdempotencyKey); k != it.IdempotencyKey {
				t.Errorf("outbox %d: %s names run %s, which carries %q", i+1, it.IdempotencyKey, it.RunID, k)
			}
			if run.Info.LifecycleStage != "active" {
				stale++
			}
		}
	}
	if len(runIDs) == 0 {
		t.Fatal("nothing was delivered")
	}
	t.Logf("%d of %d deliveries name a duplicate deleted in the race", stale, len(runIDs))
	assertOneCompleteRunPerKey(t, runIDs[0], reports)
}

// raceDrain waits until no outbox of boxes has a pending item, or the deadline.
func raceDrain(t *testing.T, boxes []*raceOutbox, deadline time.Time) {
	for _, b := range boxes {
		for {
			counts, err := b.store.OutboxCounts(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if counts[mlexp.OutboxPending] == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// TestRaceTwoLoggersLogOneResultAtOnce logs each result through two loggers (as two
// processes would) released at the same moment: both must succeed, with one run.
func TestRaceTwoLoggersLogOneResultAtOnce(t *testing.T) {
	const n = 12
	reports := raceReports(t, n)
	loggers := []*tracking.Logger{newLogger(t), newLogger(t)}
	var some string
	for _, r := range reports {
		start := make(chan struct{})
		ids := make([]string, len(loggers))
		errs := make([]error, len(loggers))
		var wg sync.WaitGroup
		for i, l := range loggers {
			wg.Add(1)
			go func() { defer wg.Done(); <-start; ids[i], errs[i] = l.LogQuickTest(ctx(t), r) }()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("quick test #%d, logger %d: %v", r.QuickTest.ID, i+1, err)
			}
		}
		some = cmp.Or(some, ids[0], ids[1])
	}
	if some == "" {
		t.Fatal("nothing was logged")
	}
	assertOneCompleteRunPerKey(t, some, reports)
}

// TestRaceChangedParamStillFailsForGood checks that the tolerance for races does not hide a
// real conflict: the same key with a different param value is refused by MLflow.
func TestRaceChangedParamStillFailsForGood(t *testing.T) {
	r := raceReports(t, 1)[0]
	l := newLogger(t)
	id, err := l.LogQuickTest(ctx(t), r)
	if err != nil {
		t.Fatal(err)
	}
	c := client(t, srv.URL)
	// A half-made run (as a crash leaves it), then the same key reported with another epochs.
	if _, err := c.UpdateRun(ctx(t), mlflow.UpdateRunRequest{RunID: id, Status: mlflow.StatusRunning}); err != nil {
		t.Fatal(err)
	}
	r.QuickTest.Epochs++
	if _, err := newLogger(t).LogQuickTest(ctx(t), r); !errors.Is(err, mlflow.ErrInvalidParameter) {
		t.Fatalf("re-logging epochs with another value: %v, want MLflow's INVALID_PARAMETER_VALUE", err)
	}
}

// assertOneCompleteRunPerKey checks the experiment of runID: exactly one active run per
// report, FINISHED, with the params and metrics of a reference logging of the same report.
func assertOneCompleteRunPerKey(t *testing.T, runID string, reports []mlexp.QuickTestReport) {
	t.Helper()
	c := client(t, srv.URL)
	some, err := c.GetRun(ctx(t), runID)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{some.Info.ExperimentID}})
	if err != nil {
		t.Fatal(err)
	}
	want := referenceRun(t, reports[0])
	byKey := map[string]int{}
	for _, run := range runs {
		key, _ := run.Data.Tag(tracking.TagIdempotencyKey)
		byKey[key]++
		if run.Info.Status != mlflow.StatusFinished {
			t.Errorf("run %s (%s) is %s", run.Info.RunID, key, run.Info.Status)
		}
		if got := paramMap(run); !maps.Equal(got, want.params) {
			t.Errorf("run %s (%s) has params %v, want %v", run.Info.RunID, key, got, want.params)
		}
		for k, v := range want.metrics {
			if got, ok := run.Data.Metric(k); !ok || got != v {
				t.Errorf("run %s (%s): metric %s = %v, want %v", run.Info.RunID, key, k, got, v)
			}
		}
	}
	for _, r := range reports {
		if k := tracking.QuickTestKey(r); byKey[k] != 1 {
			t.Errorf("%d active runs carry %s, want 1", byKey[k], k)
		}
	}
	if len(runs) != len(reports) {
		t.Errorf("%d active runs for %d results", len(runs), len(reports))
	}
}

type runContent struct {
	params  map[string]string
	metrics map[string]float64
}

// referenceRun logs r alone in an experiment of its own and returns what it holds.
func referenceRun(t *testing.T, r mlexp.QuickTestReport) runContent {
	t.Helper()
	isolate(t, &r.Model, &r.Dataset)
	id, err := newLogger(t).LogQuickTest(ctx(t), r)
	if err != nil {
		t.Fatal(err)
	}
	run, err := client(t, srv.URL).GetRun(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	rc := runContent{params: paramMap(*run), metrics: map[string]float64{}}
	for _, m := range run.Data.Metrics {
		rc.metrics[m.Key] = float64(m.Value)
	}
	if len(rc.params) == 0 || len(rc.metrics) == 0 {
		t.Fatalf("the reference run has params %v, metrics %v", rc.params, rc.metrics)
	}
	return rc
}

func paramMap(run mlflow.Run) map[string]string {
	m := make(map[string]string, len(run.Data.Params))
	for _, p := range run.Data.Params {
		m[p.Key] = p.Value
	}
	return m
}
