package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// experimentOf returns the experiment id of model m's benchmark runs.
func (b *bench) experimentOf(ctx context.Context, m mlexp.Model) (string, error) {
	q := quickTest(m, 0)
	exp, err := b.newClient(nil).GetExperimentByName(ctx, mlexp.ExperimentName(m, q.Dataset))
	if err != nil {
		return "", err
	}
	return exp.ID, nil
}

// coldLoad logs n quick tests, then loads all of them repeatedly: mlexp's reader, bare
// paged runs/search, and the Python client.
func (b *bench) coldLoad(n int) error {
	ctx := context.Background()
	m := benchModel(n, "load")
	if err := b.logLoadRuns(ctx, m, n); err != nil {
		return err
	}
	expID, err := b.experimentOf(ctx, m)
	if err != nil {
		return err
	}
	cl := coldLoad{n: n, backend: b.backend, parts: b.cfg.readParts}
	runs, err := b.timeReads(ctx, expID, &cl)
	if err != nil {
		return err
	}
	if cl.cells, err = b.timeHeatmap(runs, &cl); err != nil {
		return err
	}
	if err := b.pythonLoad(expID, &cl); err != nil {
		return err
	}
	b.res.loads = append(b.res.loads, cl)
	logf("%d runs on %s: mlexp %v (%d searches: %v), bare %v, Python %v + %v", n, b.backend, median(cl.mlexp), cl.parts, median(cl.split), median(cl.bare), median(cl.pySearch), median(cl.pyPivot))
	return nil
}

// logLoadRuns logs the n quick tests of model m with mlexp's logger in parallel, and
// records how long that took and how many requests it made.
func (b *bench) logLoadRuns(ctx context.Context, m mlexp.Model, n int) error {
	var calls atomic.Int64
	l := tracking.NewLogger(b.newClient(func(mlflow.Call) { calls.Add(1) }), nil)
	logf("logging %d quick tests with mlexp's logger (%d in parallel)", n, logWorkers)
	t0 := time.Now()
	if err := logParallel(ctx, l, m, 0, n, logWorkers); err != nil {
		return err
	}
	elapsed := time.Since(t0)
	b.res.logged = append(b.res.logged, loggedSet{n: n, backend: b.backend, d: elapsed, requests: calls.Load()})
	return nil
}

// timeReads reads the cl.n runs of experiment expID cfg.repeats times each way, mlexp's
// reader with one search and with cfg.readParts, and bare runs/search, into the times of
// cl. It returns the runs the reader read.
func (b *bench) timeReads(ctx context.Context, expID string, cl *coldLoad) ([]mlexp.Run, error) {
	n := cl.n
	quiet := slog.New(slog.DiscardHandler)
	var runs []mlexp.Run
	readerLoad := func(parts int, into *[]time.Duration) func() error {
		return func() error {
			reader := tracking.NewReader(b.newClient(nil), time.Hour, time.Now, quiet, tracking.ReadInParts(parts))
			t := time.Now()
			set, err := reader.Runs(ctx, expID)
			if err != nil {
				return err
			}
			*into = append(*into, time.Since(t))
			if len(set.Runs) != n {
				return fmt.Errorf("mlexp's reader (%d searches) read %d runs, want %d", parts, len(set.Runs), n)
			}
			runs = set.Runs
			return nil
		}
	}
	for r := range b.cfg.repeats {
		// Rotate which goes first, so none always meets a warmer server.
		steps := []func() error{
			readerLoad(1, &cl.mlexp),
			func() error {
				t := time.Now()
				got, err := bareLoad(ctx, b.srv.URL, expID)
				if err != nil {
					return err
				}
				cl.bare = append(cl.bare, time.Since(t))
				if got != n {
					return fmt.Errorf("bare runs/search read %d runs, want %d", got, n)
				}
				return nil
			},
			readerLoad(b.cfg.readParts, &cl.split),
		}
		k := r % len(steps)
		steps = slices.Concat(steps[k:], steps[:k])
		for _, s := range steps {
			if err := s(); err != nil {
				return nil, err
			}
		}
	}
	return runs, nil
}

// timeHeatmap builds the heatmap of runs in process, at least 5 times, into cl.heatmap.
// It returns the number of its cells with a value.
func (b *bench) timeHeatmap(runs []mlexp.Run, cl *coldLoad) (int, error) {
	var cells int
	for range max(b.cfg.repeats, 5) {
		t := time.Now()
		q := mlexp.HeatmapQuery{}
		if err := q.Check(runs); err != nil {
			return 0, err
		}
		h := mlexp.BuildHeatmap(runs, q)
		cl.heatmap = append(cl.heatmap, time.Since(t))
		cells = 0
		for _, c := range h.Cells {
			if c.Value != nil {
				cells++
			}
		}
	}
	return cells, nil
}

// pythonLoad times mlflow.search_runs and a pandas pivot of the cl.n runs of experiment
// expID into cl, and checks that Python finds the same cl.cells cells.
func (b *bench) pythonLoad(expID string, cl *coldLoad) error {
	n, cells := cl.n, cl.cells
	logf("Python: mlflow.search_runs + pandas pivot of %d runs, %d times", n, b.cfg.repeats)
	t := time.Now()
	out, err := b.python("search_heatmap.py", nil, expID, strconv.Itoa(b.cfg.repeats))
	if err != nil {
		return err
	}
	wall := time.Since(t)
	var py struct {
		Search []float64 `json:"search_s"`
		Pivot  []float64 `json:"pivot_s"`
		Rows   int       `json:"rows"`
		Cells  int       `json:"cells"`
		Import float64   `json:"import_s"`
		MLflow string    `json:"mlflow"`
		Pandas string    `json:"pandas"`
	}
	if err := json.Unmarshal(out, &py); err != nil {
		return fmt.Errorf("search_heatmap.py: %w: %s", err, out)
	}
	if py.Rows != n || py.Cells != cells {
		return fmt.Errorf("Python read %d runs into %d cells; mlexp %d runs into %d cells", py.Rows, py.Cells, n, cells)
	}
	for i := range py.Search {
		cl.pySearch = append(cl.pySearch, seconds(py.Search[i]))
		cl.pyPivot = append(cl.pyPivot, seconds(py.Pivot[i]))
	}
	cl.pyImport, cl.pyWall = seconds(py.Import), wall
	b.res.machine.pandas = py.Pandas
	return nil
}

// bareLoad reads every run of the experiment with nothing but net/http and encoding/json
// into the smallest struct that still holds what a heatmap needs, in pages of the same size
// as mlexp's client asks for. It returns the number of runs.
func bareLoad(ctx context.Context, base, expID string) (int, error) {
	type kv struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	type metric struct {
		Key   string  `json:"key"`
		Value float64 `json:"value"`
	}
	type run struct {
		Info struct {
			RunID     string `json:"run_id"`
			RunName   string `json:"run_name"`
			Status    string `json:"status"`
			StartTime int64  `json:"start_time"`
			EndTime   int64  `json:"end_time"`
		} `json:"info"`
		Data struct {
			Params  []kv     `json:"params"`
			Metrics []metric `json:"metrics"`
			Tags    []kv     `json:"tags"`
		} `json:"data"`
	}
	var all []run
	token := ""
	for {
		body := map[string]any{"experiment_ids": []string{expID}, "max_results": mlflow.MaxSearchRunsPageSize}
		if token != "" {
			body["page_token"] = token
		}
		js, _ := json.Marshal(body)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/2.0/mlflow/runs/search", strings.NewReader(string(js)))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		var page struct {
			Runs          []run  `json:"runs"`
			NextPageToken string `json:"next_page_token"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("runs/search: %s", resp.Status)
		}
		all = append(all, page.Runs...)
		if page.NextPageToken == "" {
			return len(all), nil
		}
		token = page.NextPageToken
	}
}
