package mlflow

import (
	"context"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// SearchRunsSplit returns the same runs as SearchRunsPages, in the same order, but reads them
// with up to parts requests at once: MLflow spends most of a large search building its
// answer, one request per server worker, so disjoint searches run side by side finish
// sooner.
//
// The runs are split by start time. Two one-run searches find the earliest and the latest
// start time; the span between them is cut into parts equal ranges, each read by its own
// search. The first range is open below and the last open above, so every run falls in
// exactly one range whatever the probes saw, also a run created meanwhile. Ranges are
// read newest first and fn receives the pages of one range before those of the next, so
// with MLflow's default order (start time, newest first) the pages come in the order of a
// single search. fn is never called concurrently, nor again after it returned an error.
// Ranges wait in memory, as pages, until the ranges before them are delivered.
//
// Each request of a range goes on a connection of its own (a range larger than a page makes
// several), and each range starts once the one before has been in flight for splitStagger
// (or has finished): MLflow's workers take connections from one listening socket, and a
// worker that already serves a range is slow to accept another, so the next one goes to an
// idle worker. Opened at once, or sent on pooled
// connections, the ranges often all land on one worker, which serves them one after the
// other (measured on MLflow 3.17 with uvicorn and two workers: half of the loads were no
// faster than one search).
//
// A request with an order, a limit, or parts < 2 is read by SearchRunsPages as it is.
func (c *Client) SearchRunsSplit(ctx context.Context, req SearchRunsRequest, parts int, fn func([]Run) error) error {
	if parts < 2 || len(req.OrderBy) > 0 || req.Limit > 0 {
		return c.SearchRunsPages(ctx, req, fn)
	}
	first, last, ok, err := c.startTimeSpan(ctx, req)
	if err != nil {
		return err
	}
	if !ok || last-first < int64(parts) { // no runs, or too few distinct times to split
		return c.SearchRunsPages(ctx, req, fn)
	}
	ranges, err := startTimeRanges(req, first, last, parts)
	if err != nil {
		return err
	}

	// Range i's pages go to pending[i]; the range being delivered streams straight to fn.
	var (
		mu      sync.Mutex
		next    int // the range whose pages fn receives now
		pending = make([][][]Run, len(ranges))
		done    = make([]bool, len(ranges))
		failed  error // fn's error: nothing more is delivered after it
	)
	flush := func() error { // mu held: deliver every finished range in order
		for failed == nil && next < len(ranges) {
			for len(pending[next]) > 0 {
				p := pending[next][0]
				pending[next] = pending[next][1:]
				if err := fn(p); err != nil {
					failed = err
					return err
				}
			}
			pending[next] = nil
			if !done[next] {
				return nil
			}
			next++
		}
		return failed
	}
	fresh := c.withFreshConnections()
	g, gctx := errgroup.WithContext(ctx)
	finished := make([]chan struct{}, len(ranges))
	for i, r := range ranges {
		finished[i] = make(chan struct{})
		if i > 0 {
			select { // stagger: see the doc comment
			case <-time.After(splitStagger):
			case <-finished[i-1]:
			case <-gctx.Done():
			}
		}
		g.Go(func() error {
			defer close(finished[i])
			err := fresh.SearchRunsPages(gctx, r, func(page []Run) error {
				mu.Lock()
				defer mu.Unlock()
				pending[i] = append(pending[i], page)
				if i == next {
					return flush()
				}
				return nil
			})
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			done[i] = true
			return flush()
		})
	}
	return g.Wait()
}

// splitStagger is how long a range of SearchRunsSplit is in flight before the next starts.
const splitStagger = 100 * time.Millisecond

// withFreshConnections returns a copy of c whose requests each open a connection of their
// own (keep-alive off), when its transport is a plain *http.Transport; else c itself.
func (c *Client) withFreshConnections() *Client {
	tr, ok := c.http.Transport.(*http.Transport)
	if c.http.Transport == nil {
		tr, ok = http.DefaultTransport.(*http.Transport)
	}
	if !ok {
		return c
	}
	fresh := *c
	hc := *c.http
	t := tr.Clone()
	t.DisableKeepAlives = true
	hc.Transport = t
	fresh.http = &hc
	return &fresh
}

// startTimeSpan finds the earliest and latest start time of the runs req selects; ok is
// false when there are none.
func (c *Client) startTimeSpan(ctx context.Context, req SearchRunsRequest) (first, last int64, ok bool, err error) {
	probe := func(order string, into *int64) func() error {
		return func() error {
			r := req
			r.OrderBy, r.Limit = []string{"attributes.start_time " + order}, 1
			runs, err := c.SearchRuns(ctx, r)
			if err == nil && len(runs) == 1 {
				*into = runs[0].Info.StartTime
			}
			return err
		}
	}
	first, last = -1, -1
	var g errgroup.Group
	g.Go(probe("ASC", &first))
	g.Go(probe("DESC", &last))
	if err := g.Wait(); err != nil {
		return 0, 0, false, err
	}
	return first, last, first >= 0 && last >= first, nil
}

// startTimeRanges cuts [first, last] into parts equal ranges of start time, newest first,
// each as req with the range added to its filter; the newest range has no upper bound and
// the oldest no lower bound.
func startTimeRanges(req SearchRunsRequest, first, last int64, parts int) ([]SearchRunsRequest, error) {
	width := float64(last-first) / float64(parts)
	out := make([]SearchRunsRequest, 0, parts)
	for i := parts - 1; i >= 0; i-- {
		var clauses []Clause
		if req.Filter != "" {
			clauses = append(clauses, Clause{text: req.Filter})
		}
		if i > 0 {
			clauses = append(clauses, WhereNumber(Attributes, "start_time", ">=", float64(first+int64(float64(i)*width))))
		}
		if i < parts-1 {
			clauses = append(clauses, WhereNumber(Attributes, "start_time", "<", float64(first+int64(float64(i+1)*width))))
		}
		filter, err := And(clauses...)
		if err != nil {
			return nil, err
		}
		r := req
		r.Filter = filter
		out = append(out, r)
	}
	return out, nil
}
