package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
	"github.com/mlexp-dev/mlexp/web"
)

// restarts times, cfg.repeats times each, a restart served from the index: a new reader and
// syncer over the same store (the old ones dropped), from the first Runs to the encoded
// heatmap in process, then from the first heatmap request through a new web server. Each
// restarted syncer has a replica name of its own, as a restarted `mlexp serve` does.
func (b *bench) restarts(ctx context.Context, store *sqlstore.DB, expID string, ir *indexResult) error {
	if b.cfg.cpuProfile != "" {
		stop, err := cpuProfile(fmt.Sprintf("%s.restart-%s-%d", b.cfg.cpuProfile, strings.ToLower(ir.backend), ir.n))
		if err != nil {
			return err
		}
		defer stop()
	}
	for r := range b.cfg.repeats {
		settle() // the reader before is gone
		reader, syncer := indexedReader(b.newClient(nil), store, tracking.SyncConfig{}, fmt.Sprintf("bench-restart-%d-%d", ir.n, r), ir.ttl)
		t := time.Now()
		_, _, runs, err := heatmapAnswer(ctx, reader, expID)
		if err != nil {
			return err
		}
		ir.restart = append(ir.restart, time.Since(t))
		ir.restartRun = runs
		if r == 0 { // can the restarted replica sync, or does its predecessor's lease stop it?
			err := syncer.Sync(ctx, expID, tracking.Known{})
			if err != nil && !errors.Is(err, tracking.ErrSyncedElsewhere) {
				return err
			}
			ir.leaseHeld = err != nil
		}
	}
	for r := range b.cfg.repeats {
		settle()
		reader, _ := indexedReader(b.newClient(nil), store, tracking.SyncConfig{}, fmt.Sprintf("bench-restart-api-%d-%d", ir.n, r), ir.ttl)
		get, stop, err := serveHeatmap(reader, benchModel(ir.n, "load").ID)
		if err != nil {
			return err
		}
		d, _, err := get()
		stop()
		if err != nil {
			return err
		}
		ir.restartAPI = append(ir.restartAPI, d)
	}
	logf("index of %d runs: restart → heatmap %v in process, %v through the API; the predecessor's lease held: %v", ir.n, median(ir.restart), median(ir.restartAPI), ir.leaseHeld)
	return nil
}

// warmHeatmap times the heatmap of the index-backed reader once it holds the experiment:
// in process (Runs, Check, BuildHeatmap, JSON) and through the web server.
func (b *bench) warmHeatmap(ctx context.Context, store *sqlstore.DB, expID string, ir *indexResult) error {
	reader, _ := indexedReader(b.newClient(nil), store, tracking.SyncConfig{}, indexOwner(ir.n), time.Hour)
	for range 20 { // opens it, then warms up
		if _, _, _, err := heatmapAnswer(ctx, reader, expID); err != nil {
			return err
		}
	}
	for range 200 {
		t := time.Now()
		js, h, _, err := heatmapAnswer(ctx, reader, expID)
		if err != nil {
			return err
		}
		ir.warm = append(ir.warm, time.Since(t))
		ir.answer, ir.answerAll, ir.cells = len(js), allIDsSize(js, h), len(h.Cells)
	}
	get, stop, err := serveHeatmap(reader, benchModel(ir.n, "load").ID)
	if err != nil {
		return err
	}
	defer stop()
	for i := range 220 {
		d, _, err := get()
		if err != nil {
			return err
		}
		if i >= 20 {
			ir.warmAPI = append(ir.warmAPI, d)
		}
	}
	logf("index of %d runs: warm heatmap p50 %v in process, %v through the API; answer %d bytes (%d with every run id)", ir.n, median(ir.warm), median(ir.warmAPI), ir.answer, ir.answerAll)
	return nil
}

// serveHeatmap serves reader through mlexp's web server on a loopback listener; get asks it
// for the heatmap of model, returning the time and the size of the answer.
func serveHeatmap(reader *tracking.Reader, model string) (get func() (time.Duration, int, error), stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	hs := &http.Server{Handler: web.NewServer(web.Deps{Runs: reader}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	url := "http://" + ln.Addr().String() + "/api/models/" + model + "/experiments/heatmap/"
	hc := &http.Client{Transport: &http.Transport{}, Timeout: 2 * time.Minute}
	get = func() (time.Duration, int, error) {
		t := time.Now()
		resp, err := hc.Get(url)
		if err != nil {
			return 0, 0, err
		}
		size, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return time.Since(t), int(size), err
	}
	stop = func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}
	return get, stop, nil
}

// cpuProfile writes a CPU profile into path until stop.
func cpuProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
