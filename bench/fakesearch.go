package main

import (
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mlexp-dev/mlexp/mlflow"
)

// indexFake serves MLflow's runs/search over n synthetic runs plus the ones added since,
// made page by page, and answers the filters the run index's syncer sends: start_time
// or end_time compared with a number, status equal to a value, run_id IN a list, and any of
// these AND run_id NOT IN a list. Runs are listed by start time, oldest first: run i of
// syntheticRun started i minutes before the anchor; the j-th added run starts j+1 minutes
// after it. Every run is FINISHED, active, and ended 7 minutes after its start.
type indexFake struct {
	*httptest.Server
	n        int
	added    atomic.Int64
	returned atomic.Int64 // runs returned, all searches together
}

func newIndexFake(n int) *indexFake {
	f := &indexFake{n: n}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// total is how many runs the fake holds now.
func (f *indexFake) total() int { return f.n + int(f.added.Load()) }

// startAt is the start time (ms) of the run at position p in the order of start times.
func (f *indexFake) startAt(p int) int64 {
	if p < f.n {
		return benchAnchor.Add(-time.Duration(f.n-1-p) * time.Minute).UnixMilli()
	}
	return benchAnchor.Add(time.Duration(p-f.n+1) * time.Minute).UnixMilli()
}

// runAt is the run at position p.
func (f *indexFake) runAt(p int) mlflow.Run {
	if p < f.n {
		return syntheticRun(f.n - 1 - p)
	}
	r := syntheticRun(p) // an id of its own
	r.Info.StartTime = f.startAt(p)
	r.Info.EndTime = r.Info.StartTime + (7 * time.Minute).Milliseconds()
	return r
}

// positionOf is the position of the run with id, or -1.
func (f *indexFake) positionOf(id string) int {
	i, err := strconv.ParseInt(id, 16, 64)
	total := f.total()
	switch k := int(i) - 1; {
	case err != nil || k < 0 || k >= total:
		return -1
	case k < f.n:
		return f.n - 1 - k
	default:
		return k
	}
}

// matching lists the positions of the runs that filter keeps, in order.
func (f *indexFake) matching(filter string) ([]int, error) {
	filter, notIn, _ := strings.Cut(filter, " AND attributes.run_id NOT IN (")
	ps, err := f.matchingClause(filter)
	if err != nil || notIn == "" {
		return ps, err
	}
	out := make([]int, 0, len(ps))
	excluded := map[int]bool{}
	for p := range f.positionsOf(notIn) {
		excluded[p] = true
	}
	for _, p := range ps {
		if !excluded[p] {
			out = append(out, p)
		}
	}
	return out, nil
}

// positionsOf yields the positions of the runs of an id list: 'a', 'b', …).
func (f *indexFake) positionsOf(list string) iter.Seq[int] {
	return func(yield func(int) bool) {
		for _, q := range strings.Split(strings.TrimSuffix(list, ")"), ", ") {
			if p := f.positionOf(strings.Trim(q, `'"`)); p >= 0 && !yield(p) {
				return
			}
		}
	}
}

// matchingClause lists the positions of the runs that one clause keeps, in order.
func (f *indexFake) matchingClause(filter string) ([]int, error) {
	total := f.total()
	all := func() []int {
		ps := make([]int, total)
		for i := range ps {
			ps[i] = i
		}
		return ps
	}
	switch {
	case filter == "":
		return all(), nil
	case strings.HasPrefix(filter, "attributes.status = "):
		if strings.Contains(filter, "FINISHED") {
			return all(), nil
		}
		return nil, nil
	case strings.HasPrefix(filter, "attributes.run_id IN ("):
		ps := slices.Collect(f.positionsOf(strings.TrimPrefix(filter, "attributes.run_id IN (")))
		sort.Ints(ps)
		return ps, nil
	case strings.HasPrefix(filter, "attributes.end_time >= "): // ended at v: started 7 minutes before
		v, err := strconv.ParseFloat(strings.TrimPrefix(filter, "attributes.end_time >= "), 64)
		if err != nil {
			return nil, fmt.Errorf("the fake does not know the filter %q", filter)
		}
		filter = fmt.Sprintf("attributes.start_time >= %d", int64(v)-(7*time.Minute).Milliseconds())
	}
	var op string
	var v float64
	if _, err := fmt.Sscanf(filter, "attributes.start_time %s %g", &op, &v); err != nil {
		return nil, fmt.Errorf("the fake does not know the filter %q", filter)
	}
	at := int64(v)
	from := sort.Search(total, func(p int) bool { return f.startAt(p) >= at })
	switch op {
	case ">=":
	case ">":
		for from < total && f.startAt(from) == at {
			from++
		}
	case "=":
		if from < total && f.startAt(from) == at {
			return []int{from}, nil
		}
		return nil, nil
	default:
		return nil, fmt.Errorf("the fake does not know the operator of %q", filter)
	}
	ps := make([]int, 0, total-from)
	for p := from; p < total; p++ {
		ps = append(ps, p)
	}
	return ps, nil
}

func (f *indexFake) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/2.0/mlflow/runs/search" {
		http.NotFound(w, r)
		return
	}
	var req struct {
		MaxResults  int    `json:"max_results"`
		PageToken   string `json:"page_token"`
		Filter      string `json:"filter"`
		RunViewType string `json:"run_view_type"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ps, err := f.matching(req.Filter)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if req.RunViewType == string(mlflow.DeletedOnly) {
		ps = nil
	}
	from, _ := strconv.Atoi(req.PageToken)
	to := min(from+req.MaxResults, len(ps))
	page := struct {
		Runs          []mlflow.Run `json:"runs"`
		NextPageToken string       `json:"next_page_token,omitempty"`
	}{Runs: make([]mlflow.Run, 0, max(to-from, 0))}
	for _, p := range ps[min(from, to):to] {
		page.Runs = append(page.Runs, f.runAt(p))
	}
	if to < len(ps) {
		page.NextPageToken = strconv.Itoa(to)
	}
	f.returned.Add(int64(len(page.Runs)))
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(page)
}
