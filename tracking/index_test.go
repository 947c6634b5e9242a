package tracking_test

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// indexedExperiment is an experiment of the shared MLflow server with runs made directly
// through the client, and a store for its index.
type indexedExperiment struct {
	t     *testing.T
	c     *mlflow.Client
	id    string
	store *sqlstore.DB
	t0    time.Time
}

func newIndexedExperiment(t *testing.T, dsn string, runs int) *indexedExperiment {
	t.Helper()
	c := client(t, srv.URL)
	id, err := c.CreateExperiment(ctx(t), fmt.Sprintf("index-%d-%d", time.Now().UnixNano(), seq.Add(1)), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	x := &indexedExperiment{t: t, c: c, id: id, store: openStore(t, dsn), t0: time.Now().Add(-time.Hour).Truncate(time.Second)}
	for i := range runs {
		x.run(x.t0.Add(time.Duration(i)*time.Second), mlflow.StatusFinished, 0.3+float64(i)/100)
	}
	return x
}

// run makes a run that started at start, in status, with a recall.
func (x *indexedExperiment) run(start time.Time, status mlflow.RunStatus, recall float64) string {
	x.t.Helper()
	r, err := x.c.CreateRun(ctx(x.t), mlflow.CreateRunRequest{ExperimentID: x.id, StartTime: start})
	if err != nil {
		x.t.Fatal(err)
	}
	id := r.Info.RunID
	if err := x.c.LogBatch(ctx(x.t), id, []mlflow.Metric{{Key: "recall_at_100", Value: mlflow.Float(recall), Timestamp: start.UnixMilli()}},
		[]mlflow.Param{{Key: "run_type", Value: "quick_test"}}, nil); err != nil {
		x.t.Fatal(err)
	}
	if status != mlflow.StatusRunning {
		if _, err := x.c.UpdateRun(ctx(x.t), mlflow.UpdateRunRequest{RunID: id, Status: status, EndTime: start.Add(time.Minute)}); err != nil {
			x.t.Fatal(err)
		}
	}
	return id
}

// syncer is a syncer of x's index as replica owner, counting the runs MLflow returns.
func (x *indexedExperiment) syncer(owner string, cfg tracking.SyncConfig, clk func() time.Time) (*tracking.Syncer, *atomic.Int64) {
	var searches atomic.Int64
	c := client(x.t, srv.URL, mlflow.WithObserver(func(call mlflow.Call) {
		if call.Endpoint == "runs/search" {
			searches.Add(1)
		}
	}))
	return tracking.NewSyncer(c, x.store, cfg, owner, clk, slog.New(slog.DiscardHandler)), &searches
}

// serveUntilLoaded asks reader for x's runs until its first load has ended.
func serveUntilLoaded(t *testing.T, reader *tracking.Reader, experimentID string) (*mlexp.RunSet, []int) {
	t.Helper()
	var progress []int
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		set, err := reader.Runs(ctx(t), experimentID)
		if n, loading := mlexp.LoadingProgress(err); loading {
			progress = append(progress, n)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		return set, progress
	}
	t.Fatal("the first load did not end within a minute")
	return nil, nil
}

func ids(runs []mlexp.Run) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.ID
	}
	sort.Strings(out)
	return out
}

// TestIndexFirstLoadAndRestart loads an experiment into the index page by page, telling
// requests how far it has got, then serves it from the index after a restart — with MLflow
// unreachable, so that nothing but the index can have answered.
func TestIndexFirstLoadAndRestart(t *testing.T) {
	onEachStore(t, func(t *testing.T, dsn string) {
		x := newIndexedExperiment(t, dsn, 12)
		s, _ := x.syncer("replica-a", tracking.SyncConfig{PageSize: 5}, time.Now)
		reader := tracking.NewReader(x.c, 30*time.Second, time.Now, slog.New(slog.DiscardHandler), tracking.WithIndex(s),
			tracking.WaitForFirstLoad(0)) // answer at once how far the load has got
		set, progress := serveUntilLoaded(t, reader, x.id)
		if len(set.Runs) != 12 || len(progress) == 0 {
			t.Fatalf("loaded %d runs after %d loading answers, want 12 after at least one", len(set.Runs), len(progress))
		}
		dead := client(t, "http://127.0.0.1:1")
		restarted := tracking.NewReader(dead, 30*time.Second, time.Now, slog.New(slog.DiscardHandler),
			tracking.WithIndex(tracking.NewSyncer(dead, x.store, tracking.SyncConfig{}, "replica-a", time.Now, slog.New(slog.DiscardHandler))))
		again, err := restarted.Runs(ctx(t), x.id)
		if err != nil || fmt.Sprint(ids(again.Runs)) != fmt.Sprint(ids(set.Runs)) {
			t.Fatalf("after a restart: %d runs, %v; want the 12 from the index", len(again.Runs), err)
		}
		for _, r := range again.Runs {
			if r.Type != mlexp.QuickTestRun || r.Status != mlexp.RunFinished || !(r.Metrics.Value("recall_at_100") >= 0.3) {
				t.Errorf("run read back from the index: %+v", r)
				break
			}
		}
	})
}

// TestIndexResumesAnInterruptedLoad stops a first load after its first page, as a crash
// would, and checks that the next load goes on from there and ends with every run once.
func TestIndexResumesAnInterruptedLoad(t *testing.T) {
	onEachStore(t, func(t *testing.T, dsn string) {
		x := newIndexedExperiment(t, dsn, 11)
		s, _ := x.syncer("replica-a", tracking.SyncConfig{PageSize: 4}, time.Now)
		cctx, cancel := context.WithCancel(ctx(t))
		err := s.Load(cctx, x.id, func(read int) { cancel() }) // dies after the first page is committed
		if err == nil {
			t.Fatal("the interrupted load ended")
		}
		st, _ := x.store.IndexState(ctx(t), x.id)
		if st.Complete || st.Loaded != 4 {
			t.Fatalf("after the interruption: %+v, want 4 runs read", st)
		}
		resumed, searches := x.syncer("replica-a", tracking.SyncConfig{PageSize: 4}, time.Now)
		if err := resumed.Load(ctx(t), x.id, nil); err != nil {
			t.Fatal(err)
		}
		if n := searches.Load(); n != 2 {
			t.Errorf("the resumed load made %d searches, want 2 (7 runs left in pages of 4)", n)
		}
		rows, _, err := x.store.IndexedRuns(ctx(t), x.id, 0)
		if err != nil || len(rows) != 11 {
			t.Errorf("the index holds %d runs, %v; want 11", len(rows), err)
		}
	})
}
