package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// childArgsEnv makes the test binary run as `mlexp ARGS...` (args separated by \x1f).
const childArgsEnv = "MLEXP_TEST_CHILD_ARGS"

// child is `mlexp serve` running in a process of its own, so that it can be killed.
type child struct {
	cmd  *exec.Cmd
	URL  string
	logs *logSink
}

func startChild(t *testing.T, vars map[string]string, args ...string) *child {
	t.Helper()
	c := &child{logs: newLogSink()}
	c.cmd = exec.Command(os.Args[0])
	c.cmd.Env = []string{childArgsEnv + "=" + strings.Join(append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, args...), "\x1f")}
	for k, v := range vars {
		c.cmd.Env = append(c.cmd.Env, k+"="+v)
	}
	c.cmd.Stdout, c.cmd.Stderr = c.logs, c.logs
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.cmd.Process.Kill(); _ = c.cmd.Wait() })
	select {
	case addr := <-c.logs.listening:
		c.URL = "http://" + addr
	case <-time.After(30 * time.Second):
		t.Fatalf("the mlexp process did not listen within 30s:\n%s", c.logs)
	}
	return c
}

// TestOutboxSurvivesAKilledProcess ingests 200 quick tests into an `mlexp serve` process,
// kills it with SIGKILL while it is delivering, starts it again on the same database, and
// checks that every result is in MLflow exactly once.
func TestOutboxSurvivesAKilledProcess(t *testing.T) {
	dir := t.TempDir()
	own, err := mlflowtest.Start(filepath.Join(dir, "mlflow"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = own.Stop() })
	vars := map[string]string{"MLFLOW_TRACKING_URI": own.URL, "MLEXP_DATA_DIR": filepath.Join(dir, "data"), "MLEXP_INGEST_WAIT": "0s", "MLEXP_OUTBOX_LEASE": "3s"}
	first := startChild(t, vars)

	const n = 200
	base := sample.QuickTestReport()
	base.Model = mlexp.Model{ID: "crash-model", Name: "crash-model"}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w + 1; i <= n; i += 4 {
				r := base
				r.QuickTest.ID = i
				body, _ := json.Marshal(r)
				resp, err := http.Post(first.URL+"/api/experiments/quick-tests/", "application/json", bytes.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusCreated {
					errs <- fmt.Errorf("quick test %d: HTTP %d", i, resp.StatusCode)
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Every result was accepted, so every one is in the outbox. Kill the process while it
	// delivers: some runs are then half-made in MLflow.
	db, err := sqlstore.Open(context.Background(), filepath.Join(dir, "data", "mlexp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	waitFor(t, db, func(c map[string]int) bool { return c[mlexp.OutboxDelivered] >= 20 })
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	counts, _ := db.OutboxCounts(context.Background())
	if counts[mlexp.OutboxPending] == 0 {
		t.Fatalf("everything was delivered before the kill: %v", counts)
	}
	t.Logf("killed with %v", counts)

	startChild(t, vars) // the same database: it takes over once the dead process's leases expire
	waitFor(t, db, func(c map[string]int) bool { return c[mlexp.OutboxPending] == 0 })
	counts, _ = db.OutboxCounts(context.Background())
	if counts[mlexp.OutboxDelivered] != n {
		t.Fatalf("after the restart: %v, want %d delivered", counts, n)
	}

	mustHoldEachResultOnce(t, own.URL, mlexp.ExperimentName(base.Model, base.Dataset), n)
}

// mustHoldEachResultOnce checks that the experiment holds n finished runs of n distinct
// results (idempotency keys), and returns them.
func mustHoldEachResultOnce(t *testing.T, trackingURI, experiment string, n int) []mlflow.Run {
	t.Helper()
	c, _ := mlflow.NewClient(trackingURI)
	exp, err := c.GetExperimentByName(context.Background(), experiment)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := c.SearchRuns(context.Background(), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp.ID}, RunViewType: mlflow.AllViews})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, r := range runs {
		k, _ := r.Data.Tag(tracking.TagIdempotencyKey)
		keys[k] = true
		if r.Info.Status != mlflow.StatusFinished {
			t.Errorf("run %s (%s) is %s", r.Info.RunID, k, r.Info.Status)
		}
	}
	if len(runs) != n || len(keys) != n {
		t.Fatalf("MLflow holds %d runs with %d distinct results, want %d of each", len(runs), len(keys), n)
	}
	return runs
}

func waitFor(t *testing.T, db *sqlstore.DB, ok func(map[string]int) bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		c, err := db.OutboxCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if ok(c) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox stuck at %v", c)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
