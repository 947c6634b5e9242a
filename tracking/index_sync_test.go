package tracking_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// indexed reads the index's live runs of x through a new reader, by id.
func (x *indexedExperiment) indexed() map[string]mlexp.Run {
	x.t.Helper()
	s := tracking.NewSyncer(x.c, x.store, tracking.SyncConfig{}, "reader", time.Now, slog.New(slog.DiscardHandler))
	r := tracking.NewReader(x.c, time.Hour, time.Now, slog.New(slog.DiscardHandler), tracking.WithIndex(s))
	set, err := r.Runs(ctx(x.t), x.id)
	if err != nil {
		x.t.Fatal(err)
	}
	out := map[string]mlexp.Run{}
	for _, run := range set.Runs {
		out[run.ID] = run
	}
	return out
}

// runCounter counts the runs MLflow returns to runs/search.
type runCounter struct{ n atomic.Int64 }

func (c *runCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "runs/search") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	var page struct {
		Runs []json.RawMessage `json:"runs"`
	}
	if json.Unmarshal(body, &page) == nil {
		c.n.Add(int64(len(page.Runs)))
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, err
}

// TestIndexSyncSeesWhatChanged checks what an incremental sync picks up, against a real
// MLflow, on both store back-ends: new runs (also one whose start time is a little behind
// the newest, as a skewed clock makes it), runs that finish, deleted and restored runs; and
// that a tag changed elsewhere on a finished run is picked up by the reconciliation, which
// counts it.
func TestIndexSyncSeesWhatChanged(t *testing.T) {
	onEachStore(t, func(t *testing.T, dsn string) {
		x := newIndexedExperiment(t, dsn, 6)
		running := x.run(x.t0.Add(10*time.Second), mlflow.StatusRunning, 0.2)
		clk := &clock{t: time.Now()}
		s := tracking.NewSyncer(x.c, x.store, tracking.SyncConfig{DeletionsEvery: time.Minute, ReconcileEvery: time.Hour}, "replica-a", clk.now, slog.New(slog.DiscardHandler))
		// The reader's own reconciliation, started after each sync, may run the due one before
		// the test's call does: count what both correct.
		var corrected atomic.Int64
		s.Corrected = func(n int) { corrected.Add(int64(n)) }
		reader := tracking.NewReader(x.c, 30*time.Second, clk.now, slog.New(slog.DiscardHandler), tracking.WithIndex(s))
		if set, _ := serveUntilLoaded(t, reader, x.id); len(set.Runs) != 7 {
			t.Fatalf("first load: %d runs, want 7", len(set.Runs))
		}
		sync := func() map[string]mlexp.Run {
			t.Helper()
			clk.add(31 * time.Second)
			reader.InvalidateRuns(x.id, []string{running}) // the next request waits for a sync
			if _, err := reader.Runs(ctx(t), x.id); err != nil {
				t.Fatal(err)
			}
			return x.indexed()
		}
		fresh := x.run(time.Now(), mlflow.StatusFinished, 0.5)
		skewed := x.run(time.Now().Add(-2*time.Minute), mlflow.StatusFinished, 0.51) // behind the newest, within the margin
		if _, err := x.c.UpdateRun(ctx(t), mlflow.UpdateRunRequest{RunID: running, Status: mlflow.StatusFinished, EndTime: time.Now()}); err != nil {
			t.Fatal(err)
		}
		got := sync()
		if _, ok := got[fresh]; !ok {
			t.Error("a new run was not picked up")
		}
		if _, ok := got[skewed]; !ok {
			t.Error("a run started a little before the newest one was not picked up")
		}
		if got[running].Status != mlexp.RunFinished {
			t.Errorf("the run that finished is %s", got[running].Status)
		}
		victim := x.run(x.t0.Add(3*time.Second+100*time.Millisecond), mlflow.StatusFinished, 0.1) // old start: left to the reconciliation
		if _, ok := sync()[victim]; ok {
			t.Log("the sync saw an old run created late") // only the reconciliation must
		}
		before := corrected.Load()
		clk.add(2 * time.Hour)
		if _, err := s.Reconcile(ctx(t), x.id, false); err != nil || corrected.Load() == before {
			t.Fatalf("reconciliation corrected %d runs, %v; want the late one", corrected.Load()-before, err)
		}
		if _, ok := x.indexed()[victim]; !ok {
			t.Fatal("the reconciliation did not pick up a run created late with an old start time")
		}
		if err := x.c.DeleteRun(ctx(t), victim); err != nil {
			t.Fatal(err)
		}
		clk.add(time.Minute)
		if _, ok := sync()[victim]; ok {
			t.Error("a deleted run is still indexed")
		}
		if err := x.c.RestoreRun(ctx(t), victim); err != nil {
			t.Fatal(err)
		}
		clk.add(time.Minute)
		if _, ok := sync()[victim]; !ok {
			t.Error("a restored run did not come back")
		}
		// A tag set elsewhere on a finished, old run: the reconciliation's business.
		if err := x.c.SetTag(ctx(t), victim, mlflow.Tag{Key: tracking.TagDeployed, Value: "true"}); err != nil {
			t.Fatal(err)
		}
		before = corrected.Load()
		clk.add(2 * time.Hour)
		if _, err := s.Reconcile(ctx(t), x.id, false); err != nil || corrected.Load()-before != 1 {
			t.Errorf("reconciliation corrected %d runs, %v; want the tagged one", corrected.Load()-before, err)
		}
		if !x.indexed()[victim].Deployed {
			t.Error("the reconciliation did not pick up the tag")
		}
	})
}

// TestIndexSteadyStateReadsLittle checks that a sync in steady state asks MLflow for the new
// and unfinished runs only, with the default margin: all 41 runs started within it (a burst),
// yet MLflow returns the running run and the new ones, not the burst again.
func TestIndexSteadyStateReadsLittle(t *testing.T) {
	onEachStore(t, func(t *testing.T, dsn string) {
		x := newIndexedExperiment(t, dsn, 40)
		x.run(x.t0.Add(-time.Minute), mlflow.StatusRunning, 0.2) // still running
		cfg := tracking.SyncConfig{PageSize: 50, DeletionsEvery: time.Hour}
		if err := tracking.NewSyncer(x.c, x.store, cfg, "replica-a", time.Now, slog.New(slog.DiscardHandler)).Load(ctx(t), x.id, nil); err != nil {
			t.Fatal(err)
		}
		counter := &runCounter{}
		c := client(t, srv.URL, mlflow.WithHTTPClient(&http.Client{Transport: counter}))
		clock := &clock{t: time.Now().Truncate(time.Second)} // whole seconds, as the index keeps times
		s := tracking.NewSyncer(c, x.store, cfg, "replica-a", clock.now, slog.New(slog.DiscardHandler))
		reader := tracking.NewReader(c, time.Minute, clock.now, slog.New(slog.DiscardHandler), tracking.WithIndex(s))
		awaitRefresh(t, reader, x.id, clock.now()) // the sync after a load from the index
		for i, want := range []int{0, 3} {
			for j := range want {
				x.run(x.t0.Add(time.Duration(40+j)*time.Second), mlflow.StatusFinished, 0.5)
			}
			counter.n.Store(0)
			clock.add(2 * time.Minute)
			set := awaitRefresh(t, reader, x.id, clock.now())
			if got := counter.n.Load(); got != int64(want+1) {
				t.Errorf("refresh %d: MLflow returned %d runs, want the %d new and the running one", i+1, got, want)
			}
			if len(set.Runs) != 41+want {
				t.Errorf("refresh %d: %d runs served, want %d", i+1, len(set.Runs), 41+want)
			}
		}
	})
}

// awaitRefresh asks reader for the experiment's runs until it serves a snapshot synced at
// or after at.
func awaitRefresh(t *testing.T, reader *tracking.Reader, experimentID string, at time.Time) *mlexp.RunSet {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		set, err := reader.Runs(ctx(t), experimentID)
		if err != nil {
			t.Fatal(err)
		}
		if !set.FetchedAt.Before(at) {
			return set
		}
	}
	t.Fatalf("the reader did not refresh experiment %s within 30 s", experimentID)
	return nil
}

// TestIndexReplicasShareOneLoad starts the first load of one experiment on two replicas
// sharing a store: one loads it, the other is told another replica does, and the index ends
// with every run read once.
func TestIndexReplicasShareOneLoad(t *testing.T) {
	onEachStore(t, func(t *testing.T, dsn string) {
		x := newIndexedExperiment(t, dsn, 9)
		other := openStore(t, dsn) // the second replica's own connection
		cfg := tracking.SyncConfig{PageSize: 3}
		syncers := []*tracking.Syncer{
			tracking.NewSyncer(client(t, srv.URL), x.store, cfg, "replica-a", time.Now, slog.New(slog.DiscardHandler)),
			tracking.NewSyncer(client(t, srv.URL), other, cfg, "replica-b", time.Now, slog.New(slog.DiscardHandler)),
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		for i, s := range syncers {
			wg.Go(func() { <-start; errs[i] = s.Load(ctx(t), x.id, nil) })
		}
		close(start)
		wg.Wait()
		elsewhere := 0
		for _, err := range errs {
			switch {
			case errors.Is(err, tracking.ErrSyncedElsewhere):
				elsewhere++
			case err != nil:
				t.Error(err)
			}
		}
		if elsewhere != 1 {
			t.Errorf("%d of 2 replicas were told another loads the experiment (%v), want 1", elsewhere, errs)
		}
		if st, _ := x.store.IndexState(ctx(t), x.id); !st.Complete || st.Loaded != 9 {
			t.Errorf("index state %+v, want complete with 9 runs read once", st)
		}
	})
}
