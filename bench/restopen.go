package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/tracking"
)

// restOpenResult is issue 14's "a large experiment opens, with progress shown", through
// MLflow's API, beside Python's search_runs of the same runs.
type restOpenResult struct {
	open     time.Duration // first request until every run is served
	answers  int           // loading answers before that
	progress []int         // runs_read of each loading answer
	pySearch time.Duration // Python mlflow.search_runs of the same runs
	pyPivot  time.Duration
}

// restOpen opens the experiment of n runs through a reader over a new index and MLflow's
// API, as `mlexp serve` does: each request waits for the first load as long as serve does
// (tracking.DefaultFirstLoadWait), then is answered how far the load got, and asks again
// after the Retry-After a page gets. Then Python's search_runs reads the same runs.
func (b *bench) restOpen(ctx context.Context, dir, expID string, n int) (*restOpenResult, error) {
	store, drop, err := b.newIndexStore(dir, fmt.Sprintf("rest-open-%d", n))
	if err != nil {
		return nil, err
	}
	defer drop()
	reader, _ := indexedReader(b.newClient(nil), store, tracking.SyncConfig{}, indexOwner(n), b.cfg.indexTTL)
	res := &restOpenResult{}
	t := time.Now()
	for res.open == 0 {
		if time.Since(t) > time.Hour {
			return nil, fmt.Errorf("%d runs not open through REST after an hour", n)
		}
		set, err := reader.Runs(ctx, expID)
		if read, loading := mlexp.LoadingProgress(err); loading {
			res.answers, res.progress = res.answers+1, append(res.progress, read)
			time.Sleep(mlexp.LoadingRetrySeconds * time.Second)
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(set.Runs) != n {
			return nil, fmt.Errorf("the reader served %d runs, want %d", len(set.Runs), n)
		}
		res.open = time.Since(t)
	}
	logf("rest-open, %d runs: open through REST in %v, %d loading answers", n, res.open, res.answers)
	out, err := b.python("search_heatmap.py", nil, expID, "1")
	if err != nil {
		return nil, err
	}
	var py struct {
		Search []float64 `json:"search_s"`
		Pivot  []float64 `json:"pivot_s"`
		Rows   int       `json:"rows"`
	}
	if err := json.Unmarshal(out, &py); err != nil || len(py.Search) == 0 || py.Rows != n {
		return nil, fmt.Errorf("search_heatmap.py: %v, %d rows of %d: %s", err, py.Rows, n, out)
	}
	res.pySearch, res.pyPivot = seconds(py.Search[0]), seconds(py.Pivot[0])
	logf("rest-open, %d runs: Python search_runs %v, pivot %v", n, res.pySearch, res.pyPivot)
	return res, nil
}

// restOpenMarkdown reports the opens through REST measured with -mlflow-db-rest-open.
func (r *results) restOpenMarkdown() string {
	s := ""
	for _, d := range r.db {
		o := d.restOpen
		if o == nil {
			continue
		}
		last := 0
		if len(o.progress) > 0 {
			last = o.progress[len(o.progress)-1]
		}
		s += fmt.Sprintf("Open through MLflow's API (issue 14), %d runs: first request → every run served in %s, after %d loading answers (runs_read %s … %s); Python `mlflow.search_runs` of the same runs %s (+ pivot %s), same MLflow, same run.\n\n",
			d.n, ms(o.open), o.answers, mlexp.FormatCount(firstOr(o.progress, 0)), mlexp.FormatCount(last), ms(o.pySearch), ms(o.pyPivot))
	}
	return s
}

func firstOr(xs []int, or int) int {
	if len(xs) == 0 {
		return or
	}
	return xs[0]
}
