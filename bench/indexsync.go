package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// visibility is how long a run logged by MLflow's Python client took to show in mlexp.
type visibility struct {
	created  time.Duration // from create_run's answer to the run in Runs
	finished time.Duration // from set_terminated's answer to the run in Runs as FINISHED
}

// visibilityGap is the pause between the runs the Python client logs: not a multiple of
// the TTL, so that the runs land at different points of the reader's cycle.
const visibilityGap = 3.3

// newRunVisibility logs cfg.visibilityRuns quick tests with MLflow's Python client into
// the experiment while a reader over the index with a TTL of ir.ttl is asked for its runs
// every 100 ms, as requests of `mlexp serve` would, and records when each run shows.
func (b *bench) newRunVisibility(ctx context.Context, store *sqlstore.DB, expID string, ir *indexResult) error {
	reader, _ := indexedReader(b.newClient(nil), store, tracking.SyncConfig{}, indexOwner(ir.n), ir.ttl)
	if _, err := reader.Runs(ctx, expID); err != nil {
		return err
	}
	job := struct {
		ExperimentID string     `json:"experiment_id"`
		Runs         []pyLogRun `json:"runs"`
	}{ExperimentID: expID}
	for j := range b.cfg.visibilityRuns {
		job.Runs = append(job.Runs, pyLogRunOf(syntheticRun(ir.n+20_000+j)))
	}
	js, _ := json.Marshal(job)
	logf("index of %d runs: %d runs logged by the Python client, %.1f s apart, while a reader (TTL %v) is asked every 100 ms", ir.n, len(job.Runs), visibilityGap, ir.ttl)
	lines, wait, err := b.pythonLines("log_new_runs.py", js, strconv.FormatFloat(visibilityGap, 'f', -1, 64))
	if err != nil {
		return err
	}
	seen, err := pollUntilSeen(ctx, reader, expID, lines, ir.ttl+time.Minute)
	if werr := wait(); err == nil {
		err = werr
	}
	if err != nil {
		return err
	}
	ir.visible = seen
	return nil
}

// pollUntilSeen asks reader for the runs every 100 ms until every run announced on lines
// (by log_new_runs.py) shows as FINISHED, or patience after the last one.
func pollUntilSeen(ctx context.Context, reader *tracking.Reader, expID string, lines <-chan []byte, patience time.Duration) ([]visibility, error) {
	type logged struct {
		ID      string  `json:"run_id"`
		Created float64 `json:"created"`
		Ended   float64 `json:"ended"`
		seen    time.Time
		done    time.Time
	}
	var runs []*logged
	var closed time.Time
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				lines, closed = nil, time.Now()
				continue
			}
			if !bytes.HasPrefix(line, []byte("{")) {
				continue // MLflow's own words ("View run … at: …")
			}
			var l logged
			if err := json.Unmarshal(line, &l); err != nil {
				return nil, fmt.Errorf("log_new_runs.py: %w: %s", err, line)
			}
			runs = append(runs, &l)
		case <-tick.C:
			set, err := reader.Runs(ctx, expID)
			if err != nil {
				return nil, err
			}
			now, all := time.Now(), true
			for _, l := range runs {
				for i := range set.Runs {
					if r := &set.Runs[i]; r.ID == l.ID && l.seen.IsZero() {
						l.seen = now
					}
					if r := &set.Runs[i]; r.ID == l.ID && r.Status == mlexp.RunFinished && l.done.IsZero() {
						l.done = now
					}
				}
				all = all && !l.done.IsZero()
			}
			if lines == nil && all {
				out := make([]visibility, len(runs))
				for i, l := range runs {
					out[i] = visibility{created: l.seen.Sub(unixSeconds(l.Created)), finished: l.done.Sub(unixSeconds(l.Ended))}
				}
				return out, nil
			}
			if lines == nil && time.Since(closed) > patience {
				return nil, fmt.Errorf("runs logged by the Python client did not show within %v", patience)
			}
		}
	}
}

func unixSeconds(s float64) time.Time { return time.Unix(0, int64(s*1e9)) }

// pythonLines runs a script of bench/python like python, and sends each line it prints as
// it prints it; wait, called once the lines have ended, returns how the script ended.
func (b *bench) pythonLines(script string, stdin []byte, args ...string) (<-chan []byte, func() error, error) {
	cmd := exec.Command(b.srv.Python(), append([]string{filepath.Join(b.root, "bench", "python", script)}, args...)...)
	cmd.Env = append(os.Environ(), "MLFLOW_TRACKING_URI="+b.srv.URL, "MLFLOW_DISABLE_TELEMETRY=true", "DO_NOT_TRACK=true", "PYTHONUTF8=1")
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	lines := make(chan []byte)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- bytes.Clone(sc.Bytes())
		}
	}()
	wait := func() error {
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("python %s: %w\n%s", script, err, stderr.String())
		}
		return nil
	}
	return lines, wait, nil
}

// steadySync is one incremental sync of the index.
type steadySync struct {
	added    int   // quick tests logged (started now) since the sync before
	returned int64 // runs MLflow returned to the sync's searches
	margin   int   // runs of the index started within the margin of the newest, the added ones among them
	requests int64
	d        time.Duration
}

// runCounter counts the runs MLflow returns to runs/search, and the requests.
type runCounter struct {
	next           http.RoundTripper
	runs, requests atomic.Int64
}

func (c *runCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "runs/search") {
		return resp, err
	}
	c.requests.Add(1)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	var page struct {
		Runs []json.RawMessage `json:"runs"`
	}
	if json.Unmarshal(body, &page) == nil {
		c.runs.Add(int64(len(page.Runs)))
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, err
}

// steadyState syncs the index with nothing changed, then after each of cfg.steadyAdds quick
// tests logged with mlexp's logger (started now), then with nothing changed again, counting
// the runs MLflow returns to each sync.
func (b *bench) steadyState(ctx context.Context, store *sqlstore.DB, expID string, ir *indexResult) error {
	counter := &runCounter{next: &http.Transport{MaxIdleConnsPerHost: 8}}
	client, err := mlflow.NewClient(b.srv.URL, mlflow.WithHTTPClient(&http.Client{Transport: counter}))
	if err != nil {
		return err
	}
	syncer := tracking.NewSyncer(client, store, tracking.SyncConfig{}, indexOwner(ir.n), time.Now, quiet)
	l := tracking.NewLogger(b.newClient(nil), nil)
	m := benchModel(ir.n, "load")
	next := ir.n + 30_000
	for _, k := range append(append([]int{0}, b.cfg.steadyAdds...), 0) {
		now := time.Now()
		err := logParallelFn(ctx, l, next, next+k, logWorkers, func(i int) mlexp.QuickTestReport {
			q := quickTest(m, i)
			q.QuickTest.Timing.StartedAt, q.QuickTest.Timing.FinishedAt = now.Add(-time.Second), now
			return q
		})
		if err != nil {
			return err
		}
		next += k
		counter.runs.Store(0)
		counter.requests.Store(0)
		known, err := syncer.KnownFromIndex(ctx, expID) // what a reader holding the experiment knows
		if err != nil {
			return err
		}
		t := time.Now()
		if err := syncer.Sync(ctx, expID, known); err != nil {
			return err
		}
		s := steadySync{added: k, d: time.Since(t), returned: counter.runs.Load(), requests: counter.requests.Load()}
		if s.margin, err = withinMargin(ctx, store, expID); err != nil {
			return err
		}
		ir.steady = append(ir.steady, s)
		logf("index of %d runs: a sync after %d new runs had MLflow return %d runs in %d requests (%v); %d indexed runs within the margin", ir.n, k, s.returned, s.requests, s.d, s.margin)
	}
	return nil
}

// withinMargin counts the indexed runs that started within the sync margin of the newest.
func withinMargin(ctx context.Context, store *sqlstore.DB, expID string) (int, error) {
	rows, _, err := store.IndexedRuns(ctx, expID, 0)
	if err != nil {
		return 0, err
	}
	var newest int64
	for _, r := range rows {
		newest = max(newest, r.Start)
	}
	n := 0
	for _, r := range rows {
		if r.Start >= newest-tracking.DefaultSyncConfig.Margin.Milliseconds() {
			n++
		}
	}
	return n, nil
}
