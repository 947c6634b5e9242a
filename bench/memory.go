package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// memoryChild loads n synthetic runs through a tracking.Reader from an in-process fake of
// MLflow's runs/search (pages made on the fly, so that the fake holds nothing), drops
// everything but the reader, and prints the RSS and the in-process heatmap time as JSON.
func memoryChild(n int) error {
	fake := newIndexFake(n)
	client, err := mlflow.NewClient(fake.URL)
	if err != nil {
		return err
	}
	settle()
	before := rssMB()
	reader := tracking.NewReader(client, time.Hour, time.Now, slog.New(slog.DiscardHandler))
	t := time.Now()
	set, err := reader.Runs(context.Background(), "1")
	if err != nil {
		return err
	}
	load := time.Since(t)
	if len(set.Runs) != n {
		return fmt.Errorf("read %d runs, want %d", len(set.Runs), n)
	}
	fake.Close()
	client = nil
	kept := set
	set = nil
	settle()
	after := rssMB()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// MLEXP_BENCH_PROFILE=DIR writes heap.pprof (the cached runs) and heatmap.pprof (CPU).
	if prof := os.Getenv("MLEXP_BENCH_PROFILE"); prof != "" {
		defer startProfiles(prof)()
	}

	// The in-process heatmap over the cached runs (read again: a cache hit).
	set, _ = reader.Runs(context.Background(), "1") // a cache hit
	checks, builds, cells, err := timeCachedHeatmap(set.Runs)
	if err != nil {
		return err
	}
	runtime.KeepAlive(reader)
	runtime.KeepAlive(kept)
	return json.NewEncoder(os.Stdout).Encode(memResult{Runs: n, RSSBeforeMB: before, RSSAfterMB: after, HeapMB: float64(ms.HeapInuse) / 1e6,
		LoadSeconds: load.Seconds(), CheckMedianS: median(checks).Seconds(), BuildMedianS: median(builds).Seconds(), Cells: cells})
}

// startProfiles writes the heap profile into dir/heap.pprof now and starts a CPU profile
// into dir/heatmap.pprof; the func it returns stops the CPU profile.
func startProfiles(dir string) (stop func()) {
	if f, err := os.Create(filepath.Join(dir, "heap.pprof")); err == nil {
		_ = pprof.WriteHeapProfile(f)
		f.Close()
	}
	f, err := os.Create(filepath.Join(dir, "heatmap.pprof"))
	if err != nil {
		return func() {}
	}
	_ = pprof.StartCPUProfile(f)
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// timeCachedHeatmap checks and builds the heatmap of runs 10 times, and returns the times of
// each part and the number of cells.
func timeCachedHeatmap(runs []mlexp.Run) (checks, builds []time.Duration, cells int, err error) {
	for range 10 {
		t := time.Now()
		q := mlexp.HeatmapQuery{}
		if err := q.Check(runs); err != nil {
			return nil, nil, 0, err
		}
		t1 := time.Now()
		h := mlexp.BuildHeatmap(runs, q)
		checks, builds = append(checks, t1.Sub(t)), append(builds, time.Since(t1))
		cells = len(h.Cells)
	}
	return checks, builds, cells, nil
}

// settle collects garbage and returns the freed memory to the OS, so that RSS is what is
// live.
func settle() {
	runtime.GC()
	debug.FreeOSMemory()
}

// rssMB is the process's resident set (VmRSS of /proc/self/status) in MB (10^6 bytes).
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb * 1024 / 1e6
		}
	}
	return 0
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
