package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/mlexp-dev/mlexp/tracking"
	"github.com/mlexp-dev/mlexp/web"
)

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
