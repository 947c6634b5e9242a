package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// indexMemResult is what the child process of the index's memory measurement prints.
type indexMemResult struct {
	Runs            int       `json:"runs"`
	LoadSeconds     float64   `json:"load_seconds"`
	LoadingAnswers  int       `json:"loading_answers"`
	RSSBeforeMB     float64   `json:"rss_before_mb"`
	RSSLoadedMB     float64   `json:"rss_loaded_mb"`
	HeapLoadedMB    float64   `json:"heap_loaded_mb"`
	AddedPerRefresh int       `json:"added_per_refresh"`
	RSSRefreshedMB  []float64 `json:"rss_refreshed_mb"`     // after each refresh
	Returned        []int64   `json:"returned_per_refresh"` // runs the fake returned to each
	RefreshSeconds  []float64 `json:"refresh_seconds"`
	WarmP50Seconds  float64   `json:"warm_p50_seconds"` // Runs → explore Heatmap (built once per snapshot) → JSON
	AnswerBytes     int       `json:"answer_bytes"`
	RestartSeconds  float64   `json:"restart_seconds"` // a new reader and syncer: Runs → … → JSON
	RSSRestartedMB  float64   `json:"rss_restarted_mb"`
	StoreMB         float64   `json:"store_mb"`
}

// memClock is a clock the child moves past the TTL to make a refresh due.
type memClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *memClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *memClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const (
	memTTL       = 30 * time.Second // `mlexp serve`'s default --cache-ttl
	memRefreshes = 5
	memAdded     = 10 // runs added before each refresh
)

// indexMemoryChild loads n synthetic runs from an in-process fake of runs/search into a
// SQLite index through an index-backed reader, as `mlexp serve` wires it; then refreshes it
// memRefreshes times, each after memAdded new runs; then restarts (a new reader and syncer
// over the same store). It prints the RSS after GC at each step, the runs each refresh had
// the fake return, the warm heatmap and the restart as JSON. cpuProfile, when set, gets a
// CPU profile of the restart.
func indexMemoryChild(n int, cpuProfile string) error {
	ctx := context.Background()
	fake := newIndexFake(n)
	defer fake.Close()
	client, err := mlflow.NewClient(fake.URL)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "mlexp-bench-index-mem-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := openStore(dir, "mlexp.db")
	if err != nil {
		return err
	}
	defer store.Close()
	res := indexMemResult{Runs: n, AddedPerRefresh: memAdded}
	settle()
	res.RSSBeforeMB = rssMB()
	clk := &memClock{t: time.Now()}
	newReader := func(owner string) *tracking.Reader {
		s := tracking.NewSyncer(client, store, tracking.SyncConfig{}, owner, clk.now, quiet)
		return tracking.NewReader(client, memTTL, clk.now, quiet, tracking.WithIndex(s), tracking.WaitForFirstLoad(time.Second))
	}
	reader := newReader("bench")
	if err := memLoad(ctx, reader, n, &res); err != nil {
		return err
	}
	if err := memRefresh(ctx, reader, fake, clk, &res); err != nil {
		return err
	}
	reader = nil
	settle()
	if err := memRestart(ctx, newReader("bench-restarted"), cpuProfile, &res); err != nil {
		return err
	}
	res.StoreMB = dirMB(dir)
	return json.NewEncoder(os.Stdout).Encode(res)
}

// memLoad asks reader for the runs until its first load has ended, then lets the sync
// that follows end, and measures the RSS.
func memLoad(ctx context.Context, reader *tracking.Reader, n int, res *indexMemResult) error {
	t := time.Now()
	for {
		set, err := reader.Runs(ctx, "1")
		if _, loading := mlexp.LoadingProgress(err); loading {
			res.LoadingAnswers++
			continue
		}
		if err != nil {
			return err
		}
		if len(set.Runs) != n {
			return fmt.Errorf("the index served %d runs, want %d", len(set.Runs), n)
		}
		break
	}
	res.LoadSeconds = time.Since(t).Seconds()
	time.Sleep(time.Second) // the sync that follows a load
	settle()
	res.RSSLoadedMB = rssMB()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.HeapLoadedMB = float64(ms.HeapInuse) / 1e6
	if dir := os.Getenv("MLEXP_BENCH_PROFILE"); dir != "" { // what the index-backed reader holds
		if f, err := os.Create(filepath.Join(dir, "index-heap.pprof")); err == nil {
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	return nil
}

// memRefresh adds memAdded runs to the fake, moves the clock past the TTL and asks the
// reader until it serves them, memRefreshes times, measuring the RSS after each.
func memRefresh(ctx context.Context, reader *tracking.Reader, fake *indexFake, clk *memClock, res *indexMemResult) error {
	for range memRefreshes {
		fake.added.Add(memAdded)
		want := fake.total()
		before := fake.returned.Load()
		clk.add(memTTL + time.Second)
		t := time.Now()
		for {
			set, err := reader.Runs(ctx, "1") // the first one starts the refresh
			if err != nil {
				return err
			}
			if len(set.Runs) == want {
				break
			}
			if time.Since(t) > time.Minute {
				return fmt.Errorf("a refresh did not bring the new runs within a minute: %d runs, want %d", len(set.Runs), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
		res.RefreshSeconds = append(res.RefreshSeconds, time.Since(t).Seconds())
		time.Sleep(300 * time.Millisecond) // any sync asked for meanwhile ends
		res.Returned = append(res.Returned, fake.returned.Load()-before)
		settle()
		res.RSSRefreshedMB = append(res.RSSRefreshedMB, rssMB())
	}
	var warm []time.Duration
	for range 21 {
		t := time.Now()
		js, _, _, err := heatmapAnswer(ctx, reader, "1")
		if err != nil {
			return err
		}
		warm = append(warm, time.Since(t))
		res.AnswerBytes = len(js)
	}
	res.WarmP50Seconds = median(warm).Seconds()
	return nil
}

// memRestart times a restarted reader from its first Runs to the heatmap's JSON, and
// measures the RSS once it holds the experiment.
func memRestart(ctx context.Context, reader *tracking.Reader, cpuProfilePath string, res *indexMemResult) error {
	if cpuProfilePath != "" {
		stop, err := cpuProfile(cpuProfilePath)
		if err != nil {
			return err
		}
		defer stop()
	}
	t := time.Now()
	if _, _, _, err := heatmapAnswer(ctx, reader, "1"); err != nil {
		return err
	}
	res.RestartSeconds = time.Since(t).Seconds()
	time.Sleep(time.Second) // the sync that follows
	settle()
	res.RSSRestartedMB = rssMB()
	runtime.KeepAlive(reader)
	return nil
}

// dirMB is the size of the files under dir in MB.
func dirMB(dir string) float64 {
	var size int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	return float64(size) / 1e6
}

// indexMemory runs indexMemoryChild with cfg.memRuns runs in a child process.
func (b *bench) indexMemory() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	args := []string{"-mem-index-child", strconv.Itoa(b.cfg.memRuns)}
	if b.cfg.cpuProfile != "" {
		args = append(args, "-cpuprofile", b.cfg.cpuProfile+".restart-mem")
	}
	logf("memory with the run index: %d runs in an index-backed reader, in a child process", b.cfg.memRuns)
	cmd := exec.Command(exe, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return err
	}
	var res indexMemResult
	if err := json.Unmarshal(out, &res); err != nil {
		return fmt.Errorf("index memory child: %w: %s", err, out)
	}
	b.res.indexMem = &res
	return nil
}
