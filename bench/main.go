// Command bench measures mlexp against a real MLflow, side by side in one run, and writes
// the table of docs/benchmarks.md (`make bench`). See that file for what is measured.
//
//	go run ./bench [-n 1000,10000] [-out docs/benchmarks.md] [-repeats 5]
//
// Environment: MLEXP_BENCH_LOAD_SECONDS (default 30) bounds the 50-client load on the
// heatmap API; MLEXP_BENCH_PY_LOG_RUNS (default 200: at ~35 requests each it is the slow
// part; the comparison is of rates) is how many quick tests the Python one-call-per-value
// logger logs; MLEXP_MLFLOW_WORKERS the MLflow server's workers.
//
// It starts its own MLflow server (SQLite backend, served artifacts) in a temporary
// directory, and stops and removes it when it ends, also on Ctrl-C.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
	"github.com/mlexp-dev/mlexp/web"
)

func main() {
	var (
		ns       = flag.String("n", "1000,10000", "comma-separated run counts of the cold-load benchmarks; the largest one is used for the heatmap API")
		out      = flag.String("out", "docs/benchmarks.md", "the Markdown file to write the results into (between the bench markers); empty: stdout only")
		repeats  = flag.Int("repeats", 5, "repetitions of each cold load (medians are reported)")
		apiReqs  = flag.Int("api-requests", 500, "sequential heatmap API requests for p50/p99")
		memRuns  = flag.Int("mem-runs", 100_000, "runs held in the reader's cache for the memory measurement")
		logRuns  = flag.Int("log-runs", 1000, "quick tests logged one at a time by mlexp's logger")
		memChild = flag.Int("mem-child", 0, "internal: measure memory with this many runs in this process and print JSON")
		hmCheck  = flag.Int("heatmap-check", 0, "only time the parts of a heatmap request over this many synthetic runs, and exit")
		parts    = flag.Int("read-parts", 2, "concurrent searches of mlexp's reader, as `mlexp serve --mlflow-read-parts`")
		pgNs     = flag.String("pg-n", "10000", "comma-separated run counts of the cold loads against a PostgreSQL-backed MLflow; empty: none")
	)
	flag.Parse()
	if *hmCheck > 0 {
		if err := heatmapCheck(*hmCheck); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *memChild > 0 {
		if err := memoryChild(*memChild); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	cfg := config{logRuns: *logRuns, repeats: *repeats, apiRequests: *apiReqs, memRuns: *memRuns, out: *out, readParts: *parts,
		loadSeconds: envInt("MLEXP_BENCH_LOAD_SECONDS", 30), pyLogRuns: envInt("MLEXP_BENCH_PY_LOG_RUNS", 200)}
	var err error
	if cfg.ns, err = counts(*ns); err != nil || len(cfg.ns) == 0 {
		fmt.Fprintf(os.Stderr, "bench: -n %q: want comma-separated positive counts\n", *ns)
		os.Exit(2)
	}
	if cfg.pgNs, err = counts(*pgNs); err != nil {
		fmt.Fprintf(os.Stderr, "bench: -pg-n %q: want comma-separated positive counts, or nothing\n", *pgNs)
		os.Exit(2)
	}
	if cfg.readParts < 1 {
		fmt.Fprintf(os.Stderr, "bench: -read-parts %d: want at least 1\n", cfg.readParts)
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type config struct {
	ns, pgNs                        []int
	repeats, apiRequests, memRuns   int
	loadSeconds, pyLogRuns, logRuns int
	readParts                       int
	out                             string
}

// counts parses a comma-separated list of positive counts, sorted; "" is none.
func counts(list string) ([]int, error) {
	var ns []int
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive count", s)
		}
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return ns, nil
}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil && v > 0 {
		return v
	}
	return def
}

// bench holds the server and what has been measured.
type bench struct {
	cfg     config
	srv     *mlflowtest.Server
	backend string // of srv: SQLite or PostgreSQL
	root    string
	res     results
	started time.Time
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func run(cfg config) error {
	root, err := mlflowtest.ProjectRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "mlexp-bench-")
	if err != nil {
		return err
	}
	logf("starting MLflow (SQLite backend) in %s", dir)
	srv, err := mlflowtest.Start(dir, 0)
	if err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	var once sync.Once
	cleanup := func() {
		once.Do(func() {
			_ = srv.Stop()
			_ = os.RemoveAll(dir)
		})
	}
	defer cleanup()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		logf("interrupted: stopping MLflow")
		cleanup()
		os.Exit(130)
	}()

	b := &bench{cfg: cfg, srv: srv, backend: "SQLite", root: root, started: time.Now()}
	b.res.machine = describeMachine(srv)
	b.res.ns = cfg.ns
	for _, n := range cfg.ns {
		if err := b.coldLoad(n); err != nil {
			return fmt.Errorf("cold load of %d runs: %w", n, err)
		}
	}
	if err := b.heatmapAPI(cfg.ns[len(cfg.ns)-1]); err != nil {
		return fmt.Errorf("heatmap API: %w", err)
	}
	if err := b.logging(cfg.logRuns); err != nil {
		return fmt.Errorf("logging: %w", err)
	}
	if err := b.memory(); err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	if len(cfg.pgNs) > 0 {
		if err := b.onPostgreSQL(cfg.pgNs); err != nil {
			return fmt.Errorf("PostgreSQL-backed MLflow: %w", err)
		}
	}
	b.res.duration = time.Since(b.started)
	table := b.res.markdown()
	fmt.Println(table)
	if cfg.out != "" {
		path := cfg.out
		if !filepath.IsAbs(path) {
			path = filepath.Join(root, path)
		}
		if err := writeBetweenMarkers(path, table); err != nil {
			return err
		}
		logf("wrote %s", path)
	}
	return nil
}

// newClient is an MLflow client of the bench's server; observe may be nil.
func (b *bench) newClient(observe func(mlflow.Call)) *mlflow.Client {
	opts := []mlflow.Option{mlflow.WithHTTPClient(&http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxIdleConns: 64}})}
	if observe != nil {
		opts = append(opts, mlflow.WithObserver(observe))
	}
	c, err := mlflow.NewClient(b.srv.URL, opts...)
	if err != nil {
		panic(err)
	}
	return c
}

func benchModel(n int, kind string) mlexp.Model {
	return mlexp.Model{ID: fmt.Sprintf("bench-%s-%d", kind, n), Name: fmt.Sprintf("bench-%s-%d", kind, n)}
}

// logParallel logs quick tests from..to of model m with workers goroutines; the first one
// alone, so that the experiment is made once.
func logParallel(ctx context.Context, l *tracking.Logger, m mlexp.Model, from, to, workers int) error {
	if from < to {
		if _, err := l.LogQuickTest(ctx, quickTest(m, from)); err != nil {
			return err
		}
		from++
	}
	var next atomic.Int64
	next.Store(int64(from))
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= to {
					return
				}
				if _, err := l.LogQuickTest(ctx, quickTest(m, i)); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

const logWorkers = 16

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

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

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

// python runs a script of bench/python with the virtualenv's MLflow pointed at the server
// and returns the last line it printed.
func (b *bench) python(script string, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command(b.srv.Python(), append([]string{filepath.Join(b.root, "bench", "python", script)}, args...)...)
	cmd.Env = append(os.Environ(), "MLFLOW_TRACKING_URI="+b.srv.URL, "MLFLOW_DISABLE_TELEMETRY=true", "DO_NOT_TRACK=true", "PYTHONUTF8=1")
	if stdin != nil {
		cmd.Stdin = strings.NewReader(string(stdin))
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("python %s: %w\n%s", script, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return []byte(lines[len(lines)-1]), nil
}

// heatmapAPI serves the heatmap of the n-run experiment through a real web server on a
// loopback listener, from a warm cache: sequential requests for p50/p99, then 50
// concurrent clients for a bounded time.
func (b *bench) heatmapAPI(n int) error {
	ctx := context.Background()
	m := benchModel(n, "load")
	reader := tracking.NewReader(b.newClient(nil), time.Hour, time.Now, slog.New(slog.DiscardHandler), tracking.ReadInParts(b.cfg.readParts))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: web.NewServer(web.Deps{Runs: reader}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	url := "http://" + ln.Addr().String() + "/api/models/" + m.ID + "/experiments/heatmap/"
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxIdleConns: 64}, Timeout: 30 * time.Second}
	get := func() (time.Duration, error) {
		t := time.Now()
		resp, err := hc.Get(url)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return time.Since(t), err
	}
	api := apiResult{n: n}
	if api.first, err = get(); err != nil { // fills the cache
		return err
	}
	for range 20 { // warm up connections and code paths
		if _, err := get(); err != nil {
			return err
		}
	}
	for range b.cfg.apiRequests {
		d, err := get()
		if err != nil {
			return err
		}
		api.seq = append(api.seq, d)
	}
	logf("heatmap API: p50 %v p99 %v; now 50 clients for %ds", percentile(api.seq, 50), percentile(api.seq, 99), b.cfg.loadSeconds)
	const clients = 50
	deadline := time.Now().Add(time.Duration(b.cfg.loadSeconds) * time.Second)
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			errs := 0
			for time.Now().Before(deadline) {
				d, err := get()
				if err != nil {
					errs++
					continue
				}
				mine = append(mine, d)
			}
			mu.Lock()
			api.load = append(api.load, mine...)
			api.loadErrors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	api.loadTime = time.Since(start)
	api.clients = clients
	b.res.api = api
	return nil
}

// logging compares logging 1,000 quick tests with mlexp's logger (one at a time, and in
// parallel) with one MLflow call per param, metric and tag through the Python client.
func (b *bench) logging(n int) error {
	ctx := context.Background()
	lr := logResult{n: n}
	if err := b.logOneAtATime(ctx, &lr); err != nil {
		return err
	}
	if err := b.logInParallel(ctx, &lr); err != nil {
		return err
	}
	if err := b.logPerCallPython(ctx, &lr); err != nil {
		return err
	}
	b.res.log = lr
	return nil
}

// logOneAtATime logs lr.n quick tests with mlexp's logger one at a time, counting the
// requests of each.
func (b *bench) logOneAtATime(ctx context.Context, lr *logResult) error {
	n := lr.n
	m := benchModel(n, "log-seq")
	var calls atomic.Int64
	l := tracking.NewLogger(b.newClient(func(mlflow.Call) { calls.Add(1) }), nil)
	if _, err := l.LogQuickTest(ctx, quickTest(m, 0)); err != nil { // makes the experiment
		return err
	}
	lr.firstRequests = calls.Load()
	logf("logging %d quick tests with mlexp's logger, one at a time", n)
	t := time.Now()
	for i := 1; i <= n; i++ {
		calls.Store(0)
		if _, err := l.LogQuickTest(ctx, quickTest(m, i)); err != nil {
			return err
		}
		lr.maxRequests = max(lr.maxRequests, calls.Load())
		lr.totalRequests += calls.Load()
	}
	lr.mlexpSeq = time.Since(t)
	return nil
}

// logInParallel times logging lr.n quick tests with mlexp's logger in parallel: measured
// while logging the cold-load runs of the same size, else now.
func (b *bench) logInParallel(ctx context.Context, lr *logResult) error {
	n := lr.n
	for _, s := range b.res.logged {
		if s.n == n {
			lr.mlexpPar = s.d
		}
	}
	if lr.mlexpPar == 0 {
		m := benchModel(n, "log-par")
		t := time.Now()
		if err := logParallel(ctx, tracking.NewLogger(b.newClient(nil), nil), m, 0, n, logWorkers); err != nil {
			return err
		}
		lr.mlexpPar = time.Since(t)
	}
	return nil
}

// pyLogRun is a run for log_per_call.py to log.
type pyLogRun struct {
	Name    string             `json:"name"`
	Start   int64              `json:"start"`
	End     int64              `json:"end"`
	Params  map[string]string  `json:"params"`
	Metrics map[string]float64 `json:"metrics"`
	Tags    map[string]string  `json:"tags"`
}

// logPerCallPython times logging up to cfg.pyLogRuns (at most lr.n) quick tests with the
// Python client, one call per value.
func (b *bench) logPerCallPython(ctx context.Context, lr *logResult) error {
	pyN := min(b.cfg.pyLogRuns, lr.n)
	expID, err := b.newClient(nil).CreateExperiment(ctx, "bench-log-python", "", nil)
	if err != nil {
		return err
	}
	job := struct {
		ExperimentID string     `json:"experiment_id"`
		Runs         []pyLogRun `json:"runs"`
	}{ExperimentID: expID}
	for i := range pyN {
		job.Runs = append(job.Runs, pyLogRunOf(syntheticRun(i)))
	}
	js, _ := json.Marshal(job)
	logf("logging %d quick tests with the Python client, one call per value", pyN)
	out, err := b.python("log_per_call.py", js)
	if err != nil {
		return err
	}
	var py struct {
		Seconds float64 `json:"seconds"`
		Runs    int     `json:"runs"`
		Calls   int     `json:"calls"`
	}
	if err := json.Unmarshal(out, &py); err != nil {
		return fmt.Errorf("log_per_call.py: %w: %s", err, out)
	}
	lr.pyN, lr.py, lr.pyCalls = py.Runs, seconds(py.Seconds), py.Calls
	return nil
}

// pyLogRunOf is MLflow run r as log_per_call.py takes it.
func pyLogRunOf(r mlflow.Run) pyLogRun {
	p := pyLogRun{Name: r.Info.RunName, Start: r.Info.StartTime, End: r.Info.EndTime, Params: map[string]string{}, Metrics: map[string]float64{}, Tags: map[string]string{}}
	for _, x := range r.Data.Params {
		p.Params[x.Key] = x.Value
	}
	for _, x := range r.Data.Metrics {
		p.Metrics[x.Key] = float64(x.Value)
	}
	for _, x := range r.Data.Tags {
		p.Tags[x.Key] = x.Value
	}
	return p
}

// memory measures, in a child process of its own, the RSS with cfg.memRuns runs in a
// reader's cache, and the in-process heatmap over them.
func (b *bench) memory() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	logf("memory: %d runs in a reader's cache, in a child process", b.cfg.memRuns)
	cmd := exec.Command(exe, "-mem-child", strconv.Itoa(b.cfg.memRuns))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(out, &b.res.mem); err != nil {
		return fmt.Errorf("memory child: %w: %s", err, out)
	}
	return nil
}
