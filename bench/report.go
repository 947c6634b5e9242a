package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
)

type machine struct {
	cpu, kernel, memTotal, goVersion, mlflow, pandas, workers string
	cores                                                     int
}

type loggedSet struct {
	n        int
	backend  string
	d        time.Duration
	requests int64
}

type coldLoad struct {
	n                    int
	backend              string // MLflow's backend store
	parts                int    // concurrent searches of the split reader
	mlexp, bare, heatmap []time.Duration
	split                []time.Duration // the reader with parts searches
	pySearch, pyPivot    []time.Duration
	pyImport, pyWall     time.Duration
	cells                int
}

type apiResult struct {
	n          int
	first      time.Duration
	seq, load  []time.Duration
	loadErrors int
	loadTime   time.Duration
	clients    int
}

type logResult struct {
	n                                         int
	mlexpSeq, mlexpPar, py                    time.Duration
	pyN, pyCalls                              int
	firstRequests, maxRequests, totalRequests int64
}

type memResult struct {
	Runs         int     `json:"runs"`
	RSSBeforeMB  float64 `json:"rss_before_mb"`
	RSSAfterMB   float64 `json:"rss_after_mb"`
	HeapMB       float64 `json:"heap_mb"`
	LoadSeconds  float64 `json:"load_seconds"`
	CheckMedianS float64 `json:"check_median_s"`
	BuildMedianS float64 `json:"build_median_s"`
	Cells        int     `json:"cells"`
}

type results struct {
	machine  machine
	ns       []int
	logged   []loggedSet
	loads    []coldLoad
	api      apiResult
	log      logResult
	mem      memResult
	index    []indexResult
	indexMem *indexMemResult
	db       []dbResult
	duration time.Duration
}

func describeMachine(srv *mlflowtest.Server) machine {
	m := machine{cores: runtime.NumCPU(), goVersion: runtime.Version(), workers: "2"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				var kb float64
				fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
				m.memTotal = fmt.Sprintf("%.0f GiB", kb/1024/1024)
			}
		}
	}
	if w := os.Getenv("MLEXP_MLFLOW_WORKERS"); w != "" {
		m.workers = w
	}
	if out, err := execOutput(srv.Python(), "-c", "import mlflow; print(mlflow.__version__)"); err == nil {
		m.mlflow = strings.TrimSpace(out)
	}
	return m
}

func median(ds []time.Duration) time.Duration { return percentile(ds, 50) }

// percentile is the nearest-rank percentile p (0..100] of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.2f ms", float64(d)/1e6)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func (r *results) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	m := r.machine
	w("Measured by `make bench` on %s in %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), r.duration.Round(time.Second))
	w("Machine: %s, %d cores, %s RAM, Linux %s; %s; MLflow %s (%s workers, served artifacts, on the same machine; SQLite or PostgreSQL backend store as each table says); pandas %s.\n\n",
		m.cpu, m.cores, m.memTotal, m.kernel, m.goVersion, m.mlflow, m.workers, m.pandas)

	w("### Cold load of every run (medians of %d)\n\n", len(r.loads[0].mlexp))
	w("mlexp's reader with one search, against the bare requests, gives its overhead; with %d searches at once (`--mlflow-read-parts`, split by start time) it is what `mlexp serve` does, and what is compared with Python.\n\n", r.loads[0].parts)
	w("| runs | MLflow backend | mlexp, one search | bare paged runs/search | overhead (target ≤ 1.1×) | mlexp, %d searches | Python `search_runs` | Python pivot | Python total | mlexp + heatmap | speed-up vs Python (target ≥ 2×) | Python process incl. start-up |\n", r.loads[0].parts)
	w("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, l := range r.loads {
		me, bare, split := median(l.mlexp), median(l.bare), median(l.split)
		pyTotal := median(l.pySearch) + median(l.pyPivot)
		mlexpTotal := split + median(l.heatmap)
		over := float64(me) / float64(bare)
		speed := float64(pyTotal) / float64(mlexpTotal)
		w("| %d | %s | %s | %s | %.2f× %s | %s | %s | %s | %s | %s | %.1f× %s | %s (imports %s) |\n", l.n, l.backend, ms(me), ms(bare), over, verdict(over <= 1.1),
			ms(split), ms(median(l.pySearch)), ms(median(l.pyPivot)), ms(pyTotal), ms(mlexpTotal), speed, verdict(speed >= 2), ms(l.pyWall), ms(l.pyImport))
	}
	w("\nBoth sides produce the same heatmap (best `recall_at_100` by embedding dims × cross features: %d cells).\n\n", r.loads[len(r.loads)-1].cells)

	a := r.api
	loadOK := a.loadErrors == 0
	w("### Heatmap API from a warm cache, %d runs\n\n", a.n)
	w("| measure | value | target |\n|---|---:|---|\n")
	w("| first request (cache empty: loads from MLflow) | %s | |\n", ms(a.first))
	w("| p50 of %d sequential requests | %s | < 10 ms: %s |\n", len(a.seq), ms(percentile(a.seq, 50)), verdict(percentile(a.seq, 50) < 10*time.Millisecond))
	w("| p99 of %d sequential requests | %s | |\n", len(a.seq), ms(percentile(a.seq, 99)))
	w("| %d concurrent clients for %s: requests, errors | %d, %d | 0 errors: %s |\n", a.clients, a.loadTime.Round(time.Second), len(a.load)+a.loadErrors, a.loadErrors, verdict(loadOK))
	w("| under load: throughput, p50, p99 | %.0f req/s, %s, %s | |\n\n", float64(len(a.load))/a.loadTime.Seconds(), ms(percentile(a.load, 50)), ms(percentile(a.load, 99)))

	l := r.log
	seqRate := float64(l.n) / l.mlexpSeq.Seconds()
	parRate := float64(l.n) / l.mlexpPar.Seconds()
	pyRate := float64(l.pyN) / l.py.Seconds()
	w("### Logging quick tests\n\n")
	w("| logger | quick tests | time | quick tests/s | requests per quick test |\n|---|---:|---:|---:|---:|\n")
	w("| mlexp `tracking.Logger`, one at a time | %d | %s | %.0f | max %d, mean %.2f (first of a new experiment: %d) |\n", l.n, ms(l.mlexpSeq), seqRate, l.maxRequests, float64(l.totalRequests)/float64(l.n), l.firstRequests)
	w("| mlexp `tracking.Logger`, %d in parallel | %d | %s | %.0f | |\n", logWorkers, l.n, ms(l.mlexpPar), parRate)
	w("| Python client, one call per param/metric/tag, one at a time | %d | %s | %.0f | %.0f |\n\n", l.pyN, ms(l.py), pyRate, float64(l.pyCalls)/float64(l.pyN))
	w("Throughput, same concurrency (one at a time): **%.1f×** the Python client's (target ≥ 5×: %s); mlexp in parallel: %.1f×. Requests per quick test in a known experiment: max %d (target ≤ 4: %s).\n\n",
		seqRate/pyRate, verdict(seqRate/pyRate >= 5), parRate/pyRate, l.maxRequests, verdict(l.maxRequests <= 4))
	for _, s := range r.logged {
		w("Logging the %d runs of the cold-load experiment into the %s-backed MLflow (%d in parallel) took %s: %.0f quick tests/s, %.2f requests each.\n", s.n, s.backend, logWorkers, ms(s.d), float64(s.n)/s.d.Seconds(), float64(s.requests)/float64(s.n))
	}

	mm := r.mem
	w("\n### Memory and the in-process heatmap, %d runs\n\n", mm.Runs)
	w("| measure | value | target |\n|---|---:|---|\n")
	w("| RSS with the runs in a `tracking.Reader`'s cache (after GC) | %.0f MB | ≤ 300 MB: %s |\n", mm.RSSAfterMB, verdict(mm.RSSAfterMB <= 300))
	w("| of which Go heap in use | %.0f MB | |\n", mm.HeapMB)
	w("| RSS of the same process before loading | %.0f MB | |\n", mm.RSSBeforeMB)
	w("| load through the reader from an in-process fake runs/search | %.2f s | |\n", mm.LoadSeconds)
	total := mm.CheckMedianS + mm.BuildMedianS
	w("| heatmap in-process: `HeatmapQuery.Check` + `BuildHeatmap`, median of 10 | %s | < 50 ms: %s |\n", ms(seconds(total)), verdict(total < 0.05))
	w("| of which `HeatmapQuery.Check` (checks the metric and axes against the runs) | %s | |\n", ms(seconds(mm.CheckMedianS)))
	w("| of which `BuildHeatmap` | %s | |\n\n", ms(seconds(mm.BuildMedianS)))
	b.WriteString(r.indexMarkdown())
	b.WriteString(r.dbMarkdown())
	return strings.TrimRight(b.String(), "\n") + "\n"
}

const (
	beginMarker = "<!-- bench:begin (written by `make bench`; edit outside the markers) -->"
	endMarker   = "<!-- bench:end -->"
)

// writeBetweenMarkers puts table between the markers of the file at path, keeping the rest;
// a file without markers gets them appended.
func writeBetweenMarkers(path, table string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	s := string(old)
	block := beginMarker + "\n\n" + table + "\n" + endMarker
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	switch {
	case i >= 0 && j > i:
		s = s[:i] + block + s[j+len(endMarker):]
	case s == "":
		s = "# Benchmarks\n\n" + block + "\n"
	default:
		s = strings.TrimRight(s, "\n") + "\n\n" + block + "\n"
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

func execOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	return string(out), err
}
