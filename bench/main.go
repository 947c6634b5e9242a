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
// With -index (the default) it also measures the run index of issue 14 at each -n: first
// loads in pages of each -sync-page-sizes, a restart served from the index, new runs of the
// Python client seen by a polled reader, the runs steady-state syncs have MLflow return, and
// (in a child process, -mem-runs synthetic runs) the memory of an index-backed reader.
//
// It starts its own MLflow server (SQLite backend, served artifacts) in a temporary
// directory, and stops and removes it when it ends, also on Ctrl-C.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/internal/pgtest"
	"github.com/mlexp-dev/mlexp/mlflow"
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
		index    = flag.Bool("index", true, "measure the run index (issue 14) at each -n: first load, restart, new-run visibility, steady-state syncs, memory")
		sizes    = flag.String("sync-page-sizes", "500,2000,10000", "comma-separated page sizes of the index's first loads (the default of mlexp serve is always measured)")
		ttl      = flag.Duration("index-ttl", 2*time.Second, "cache TTL of the reader polled for new runs")
		visRuns  = flag.Int("visibility-runs", 5, "runs logged by the Python client while the index-backed reader is polled")
		adds     = flag.String("steady-adds", "10,100", "comma-separated numbers of new runs before each counted steady-state sync")
		cpuProf  = flag.String("cpuprofile", "", "write CPU profiles of the restarts served from the index to FILE.restart-N (and FILE.restart-mem)")
		dbNs     = flag.String("mlflow-db-n", "10000", "comma-separated run counts of the loads from MLflow's database (issue 15), side by side with REST and a bare SQL read; empty: none")
		dbPGNs   = flag.String("mlflow-db-pg-n", "10000", "comma-separated run counts of the same loads from a PostgreSQL-backed MLflow's database; empty: none")
		dbReps   = flag.Int("mlflow-db-repeats", 5, "repetitions of each load from MLflow's database and through REST (medians are reported)")
		dbREST   = flag.Int("mlflow-db-rest-max", 10000, "the largest -mlflow-db-n also loaded through REST, side by side")
		dbOpen   = flag.Bool("mlflow-db-rest-open", false, "also open each -mlflow-db-n experiment through REST with progress, as serve does, beside Python's search_runs (issue 14; minutes at 100,000)")
		dbOnly   = flag.Bool("mlflow-db-only", false, "measure only the loads from MLflow's database, and print their table (-out is not written)")
		memIdx   = flag.Int("mem-index-child", 0, "internal: measure the index-backed reader's memory with this many runs in this process and print JSON")
	)
	flag.Parse()
	if *hmCheck > 0 {
		if err := heatmapCheck(*hmCheck); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *memIdx > 0 {
		if err := indexMemoryChild(*memIdx, *cpuProf); err != nil {
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
		loadSeconds: envInt("MLEXP_BENCH_LOAD_SECONDS", 30), pyLogRuns: envInt("MLEXP_BENCH_PY_LOG_RUNS", 200),
		index: *index, indexTTL: *ttl, visibilityRuns: *visRuns, cpuProfile: *cpuProf, dbRepeats: max(1, *dbReps), dbRESTMax: *dbREST, dbOnly: *dbOnly, dbRESTOpen: *dbOpen}
	if cfg.dbOnly {
		cfg.out = ""
	}
	var err error
	if cfg.ns, err = counts(*ns); err != nil || len(cfg.ns) == 0 {
		fmt.Fprintf(os.Stderr, "bench: -n %q: want comma-separated positive counts\n", *ns)
		os.Exit(2)
	}
	for _, c := range []struct {
		name, list string
		dst        *[]int
	}{{"pg-n", *pgNs, &cfg.pgNs}, {"mlflow-db-n", *dbNs, &cfg.dbNs}, {"mlflow-db-pg-n", *dbPGNs, &cfg.pgDBNs}, {"sync-page-sizes", *sizes, &cfg.pageSizes}, {"steady-adds", *adds, &cfg.steadyAdds}} {
		if *c.dst, err = counts(c.list); err != nil {
			fmt.Fprintf(os.Stderr, "bench: -%s %q: want comma-separated positive counts\n", c.name, c.list)
			os.Exit(2)
		}
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

	// The run index.
	index                 bool
	pageSizes, steadyAdds []int
	indexTTL              time.Duration
	visibilityRuns        int
	cpuProfile            string

	// MLflow's database (issue 15).
	dbNs, pgDBNs         []int
	dbRepeats, dbRESTMax int
	dbOnly, dbRESTOpen   bool
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
	cfg      config
	srv      *mlflowtest.Server
	backend  string         // of srv: SQLite or PostgreSQL
	pg       *pgtest.Server // of srv's backend store when PostgreSQL: the index is kept there too
	storeDSN string         // srv's backend store when PostgreSQL (its URL); "": srv.SQLitePath()
	root     string
	res      results
	started  time.Time
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
	if err := b.measure(); err != nil {
		return err
	}
	b.res.duration = time.Since(b.started)
	var table string
	if cfg.dbOnly {
		table = b.res.dbMarkdown()
	} else {
		table = b.res.markdown()
	}
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

// measure runs every measurement, in order: the cold loads first, while each experiment
// holds only the runs they logged.
func (b *bench) measure() error {
	if b.cfg.dbOnly {
		if err := b.measureDB(b.cfg.dbNs); err != nil || len(b.cfg.pgDBNs) == 0 {
			return err
		}
		return b.onPostgreSQL(nil)
	}
	for _, n := range b.cfg.ns {
		if err := b.coldLoad(n); err != nil {
			return fmt.Errorf("cold load of %d runs: %w", n, err)
		}
	}
	if err := b.heatmapAPI(b.cfg.ns[len(b.cfg.ns)-1]); err != nil {
		return fmt.Errorf("heatmap API: %w", err)
	}
	if b.cfg.index {
		for _, n := range b.cfg.ns {
			if err := b.indexBench(n); err != nil {
				return fmt.Errorf("run index of %d runs: %w", n, err)
			}
		}
	}
	if err := b.logging(b.cfg.logRuns); err != nil {
		return fmt.Errorf("logging: %w", err)
	}
	if err := b.memory(); err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	if b.cfg.index {
		if err := b.indexMemory(); err != nil {
			return fmt.Errorf("memory with the run index: %w", err)
		}
	}
	if err := b.measureDB(b.cfg.dbNs); err != nil {
		return err
	}
	if len(b.cfg.pgNs) > 0 || len(b.cfg.pgDBNs) > 0 {
		if err := b.onPostgreSQL(b.cfg.pgNs); err != nil {
			return fmt.Errorf("PostgreSQL-backed MLflow: %w", err)
		}
	}
	return nil
}

// measureDB measures the loads from the database of the bench's MLflow at each of ns.
func (b *bench) measureDB(ns []int) error {
	for _, n := range ns {
		r, err := b.mlflowDB(n)
		if err != nil {
			return fmt.Errorf("loads from MLflow's database, %d runs: %w", n, err)
		}
		b.res.db = append(b.res.db, r)
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

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

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
