package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// pageSizes is -sync-page-sizes with the default page size of `mlexp serve` in it.
func (b *bench) pageSizes() []int {
	sizes := slices.Clone(b.cfg.pageSizes)
	if def := tracking.DefaultSyncConfig.PageSize; !slices.Contains(sizes, def) {
		sizes = append(sizes, def)
	}
	slices.Sort(sizes)
	return sizes
}

// firstLoads loads the experiment into a new index cfg.repeats times in pages of each page
// size, rotating which size goes first, and returns the store of the last load with the
// default page size, open, and how to drop it; the others are dropped.
func (b *bench) firstLoads(ctx context.Context, dir, expID string, ir *indexResult) (*sqlstore.DB, func(), error) {
	sizes := b.pageSizes()
	ir.loads = make([]pageLoad, len(sizes))
	for i, s := range sizes {
		ir.loads[i].size = s
	}
	var kept *sqlstore.DB
	var keptDrop func()
	for r := range b.cfg.repeats {
		for k := range sizes {
			pl := &ir.loads[(k+r)%len(sizes)]
			store, drop, err := b.newIndexStore(dir, fmt.Sprintf("load-%d-%d", pl.size, r))
			if err != nil {
				return nil, nil, err
			}
			err = b.firstLoad(ctx, store, expID, ir.n, pl)
			if err == nil && r == b.cfg.repeats-1 && pl.size == tracking.DefaultSyncConfig.PageSize {
				kept, keptDrop = store, drop
				continue
			}
			drop()
			if err != nil {
				return nil, nil, fmt.Errorf("pages of %d: %w", pl.size, err)
			}
		}
	}
	for _, pl := range ir.loads {
		logf("index of %d runs, pages of %d: first load %v (%d requests, longest page %v), %d loading answers", ir.n, pl.size, median(pl.times), pl.requests, pl.longest, len(pl.progress))
	}
	return kept, keptDrop, nil
}

// firstLoad loads the experiment into the empty index of store in pages of pl.size runs,
// through a reader asked for the runs every 100 ms the way a page that shows the progress
// asks again (answers while loading come after waiting 100 ms for the load, not 10 s, so that
// progress is seen). The time is from the first request to the one that got every run.
func (b *bench) firstLoad(ctx context.Context, store *sqlstore.DB, expID string, n int, pl *pageLoad) error {
	var mu sync.Mutex
	var requests int64
	var longest time.Duration
	client := b.newClient(func(c mlflow.Call) {
		if c.Endpoint == "runs/search" {
			mu.Lock()
			requests++
			longest = max(longest, c.Duration)
			mu.Unlock()
		}
	})
	cfg := tracking.SyncConfig{PageSize: pl.size}
	reader, _ := indexedReader(client, store, cfg, indexOwner(n), b.cfg.indexTTL, tracking.WaitForFirstLoad(100*time.Millisecond))
	var progress []int
	t := time.Now()
	deadline := t.Add(30 * time.Minute)
	for {
		set, err := reader.Runs(ctx, expID)
		if read, loading := mlexp.LoadingProgress(err); loading {
			progress = append(progress, read)
			if time.Now().After(deadline) {
				return fmt.Errorf("still loading after %v: %d runs read", time.Since(t), read)
			}
			time.Sleep(100 * time.Millisecond)
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
	pl.times = append(pl.times, time.Since(t))
	mu.Lock()
	pl.progress, pl.requests, pl.longest = progress, requests, longest
	mu.Unlock()
	if len(progress) == 0 {
		return errors.New("no answer said the experiment was loading")
	}
	return nil
}
