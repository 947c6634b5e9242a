package mlflow_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/mlflow"
)

func TestRunLifecycle(t *testing.T) {
	c := newClient(t)
	exp := mustExperiment(t, c)
	start := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	r, err := c.CreateRun(ctx(t), mlflow.CreateRunRequest{ExperimentID: exp, RunName: "config-042 Quick Test #3", StartTime: start,
		Tags: []mlflow.Tag{{Key: "feature_config_id", Value: "config-042"}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Info.Status != mlflow.StatusRunning || r.Info.StartTime != start.UnixMilli() || r.Info.ExperimentID != exp {
		t.Fatalf("created run info = %+v", r.Info)
	}
	end := start.Add(8 * time.Minute)
	info, err := c.UpdateRun(ctx(t), mlflow.UpdateRunRequest{RunID: r.Info.RunID, Status: mlflow.StatusFailed, EndTime: end})
	if err != nil {
		t.Fatal(err)
	}
	if info.Status != mlflow.StatusFailed || info.EndTime != end.UnixMilli() {
		t.Errorf("updated run info = %+v, want FAILED ending %d", info, end.UnixMilli())
	}
	if err := c.SetTag(ctx(t), r.Info.RunID, mlflow.Tag{Key: "is_deployed", Value: "true"}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetRun(ctx(t), r.Info.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Info.RunName != "config-042 Quick Test #3" {
		t.Errorf("run name = %q", got.Info.RunName)
	}
	for key, want := range map[string]string{"feature_config_id": "config-042", "is_deployed": "true", "mlflow.runName": "config-042 Quick Test #3"} {
		if v, ok := got.Data.Tag(key); !ok || v != want {
			t.Errorf("tag %s = %q, %v; want %q", key, v, ok, want)
		}
	}
	if err := c.DeleteTag(ctx(t), r.Info.RunID, "is_deployed"); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetRun(ctx(t), r.Info.RunID)
	if _, ok := got.Data.Tag("is_deployed"); ok {
		t.Error("is_deployed still set after DeleteTag")
	}

	if err := c.DeleteRun(ctx(t), r.Info.RunID); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetRun(ctx(t), r.Info.RunID)
	if got.Info.LifecycleStage != "deleted" {
		t.Errorf("lifecycle after delete = %q, want deleted", got.Info.LifecycleStage)
	}
	active, err := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp}})
	if err != nil || len(active) != 0 {
		t.Errorf("active runs after delete = %d, %v; want 0", len(active), err)
	}
	deleted, err := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp}, RunViewType: mlflow.DeletedOnly})
	if err != nil || len(deleted) != 1 {
		t.Errorf("deleted runs = %d, %v; want 1", len(deleted), err)
	}
}

func TestGetRunNotFound(t *testing.T) {
	_, err := newClient(t).GetRun(ctx(t), "0123456789abcdef0123456789abcdef")
	var me *mlflow.Error
	if !errors.Is(err, mlflow.ErrNotFound) || !errors.As(err, &me) || me.Code != "RESOURCE_DOES_NOT_EXIST" || me.HTTPStatus != 404 {
		t.Fatalf("err = %#v, want RESOURCE_DOES_NOT_EXIST / 404 / ErrNotFound", err)
	}
}

func TestSearchRunsWalksEveryPage(t *testing.T) {
	c := newClient(t, mlflow.WithSearchPageSize(3))
	exp := mustExperiment(t, c)
	const n = 11
	for i := 0; i < n; i++ {
		r := mustRun(t, c, exp, fmt.Sprintf("run-%02d", i))
		typ := "quick_test"
		if i%4 == 0 {
			typ = "full_training"
		}
		if err := c.LogBatch(ctx(t), r.Info.RunID, []mlflow.Metric{{Key: "recall_at_100", Value: mlflow.Float(float64(i) / 100), Timestamp: 1}},
			[]mlflow.Param{{Key: "run_type", Value: typ}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	all, err := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp}, OrderBy: []string{"metrics.recall_at_100 DESC"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n {
		t.Fatalf("SearchRuns over pages of 3 found %d runs, want %d", len(all), n)
	}
	for i, r := range all {
		if want := fmt.Sprintf("run-%02d", n-1-i); r.Info.RunName != want {
			t.Errorf("run %d = %s, want %s (ordered by recall desc)", i, r.Info.RunName, want)
		}
	}

	filter, err := mlflow.And(mlflow.Where(mlflow.Params, "run_type", "=", "full_training"), mlflow.WhereNumber(mlflow.Metrics, "recall_at_100", ">", 0.01))
	if err != nil {
		t.Fatal(err)
	}
	full, err := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp}, Filter: filter})
	if err != nil {
		t.Fatal(err)
	}
	if len(full) != 2 { // runs 4 and 8: full trainings with recall above 0.01
		t.Errorf("filter %q matched %d runs, want 2", filter, len(full))
	}

	limited, err := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp}, Limit: 5})
	if err != nil || len(limited) != 5 {
		t.Errorf("Limit 5 gave %d runs, %v", len(limited), err)
	}
}

func TestSearchRunsRejectsBadFilter(t *testing.T) {
	c := newClient(t)
	exp := mustExperiment(t, c)
	_, err := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp}, Filter: "params.x = "})
	if !errors.Is(err, mlflow.ErrInvalidParameter) {
		t.Fatalf("malformed filter: err = %v, want ErrInvalidParameter", err)
	}
}

func TestSearchPageSizeIsTheServerMaximum(t *testing.T) {
	// The default page size is the largest MLflow accepts; one more is refused by the server.
	c := newClient(t)
	exp := mustExperiment(t, c)
	if _, err := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp}}); err != nil {
		t.Fatalf("search with page size %d: %v", mlflow.MaxSearchRunsPageSize, err)
	}
	body := fmt.Sprintf(`{"experiment_ids":[%q],"max_results":%d}`, exp, mlflow.MaxSearchRunsPageSize+1)
	resp, err := http.Post(srv.URL+"/api/2.0/mlflow/runs/search", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("MLflow answered %d to max_results %d, want 400: the maximum changed", resp.StatusCode, mlflow.MaxSearchRunsPageSize+1)
	}
	if _, err := mlflow.NewClient(srv.URL, mlflow.WithSearchPageSize(mlflow.MaxSearchRunsPageSize+1)); err == nil {
		t.Error("page size above the maximum accepted")
	}
}

func TestSearchRunsSplitReturnsWhatOneSearchReturns(t *testing.T) {
	c := newClient(t, mlflow.WithSearchPageSize(3)) // several pages per range
	exp := mustExperiment(t, c)
	base := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	// Start times with ties, clusters and gaps, so that ranges are uneven, some empty, and
	// ties sit on range bounds.
	offsets := []time.Duration{0, 0, 0, time.Millisecond, 2 * time.Millisecond, time.Second, time.Second, time.Minute,
		time.Hour, time.Hour, time.Hour + time.Millisecond, 5 * time.Hour, 24 * time.Hour, 24 * time.Hour, 30 * 24 * time.Hour}
	for i, off := range offsets {
		r, err := c.CreateRun(ctx(t), mlflow.CreateRunRequest{ExperimentID: exp, RunName: fmt.Sprintf("run-%02d", i), StartTime: base.Add(off)})
		if err != nil {
			t.Fatal(err)
		}
		typ := []string{"quick_test", "full_training"}[i%2]
		if err := c.LogBatch(ctx(t), r.Info.RunID, nil, []mlflow.Param{{Key: "run_type", Value: typ}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	filter, err := mlflow.And(mlflow.Where(mlflow.Params, "run_type", "=", "quick_test"))
	if err != nil {
		t.Fatal(err)
	}
	ids := func(runs []mlflow.Run) []string {
		var out []string
		for _, r := range runs {
			out = append(out, r.Info.RunID)
		}
		return out
	}
	for _, f := range []string{"", filter} {
		want, err := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp}, Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		for _, parts := range []int{2, 3, 7, 64} {
			var got []mlflow.Run
			calls := 0
			err := c.SearchRunsSplit(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp}, Filter: f}, parts, func(page []mlflow.Run) error {
				calls++
				got = append(got, page...)
				return nil
			})
			if err != nil {
				t.Fatalf("filter %q, %d parts: %v", f, parts, err)
			}
			if !slices.Equal(ids(got), ids(want)) {
				t.Errorf("filter %q, %d parts: got runs\n%v\nwant, as one search returns them,\n%v", f, parts, ids(got), ids(want))
			}
			if calls < len(want)/3 {
				t.Errorf("filter %q, %d parts: fn called %d times for %d runs in pages of 3", f, parts, calls, len(want))
			}
		}
	}

	empty := mustExperiment(t, c)
	n := 0
	if err := c.SearchRunsSplit(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{empty}}, 4, func(page []mlflow.Run) error { n += len(page); return nil }); err != nil || n != 0 {
		t.Errorf("empty experiment: %d runs, %v", n, err)
	}
	stop := errors.New("stop")
	calls := 0
	err = c.SearchRunsSplit(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp}}, 3, func([]mlflow.Run) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("an error of fn: got %v after %d calls, want it returned after the one", err, calls)
	}
}

// TestSearchRunsSplitUsesAConnectionPerRange checks that the ranges of a split search are
// not sent on pooled connections, so that MLflow can give each to another worker.
func TestSearchRunsSplitUsesAConnectionPerRange(t *testing.T) {
	var dials atomic.Int64
	dialer := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return dialer.DialContext(ctx, network, addr)
	}}
	c := newClient(t, mlflow.WithHTTPClient(&http.Client{Transport: tr}))
	exp := mustExperiment(t, c)
	for i := range 6 {
		if _, err := c.CreateRun(ctx(t), mlflow.CreateRunRequest{ExperimentID: exp, StartTime: time.Date(2026, 11, 20, i, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	// Warm the pool: a pooled connection would serve every range if the split reused it.
	if _, err := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp}}); err != nil {
		t.Fatal(err)
	}
	before := dials.Load()
	n := 0
	if err := c.SearchRunsSplit(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp}}, 3, func(p []mlflow.Run) error { n += len(p); return nil }); err != nil || n != 6 {
		t.Fatalf("split search: %d runs, %v", n, err)
	}
	if got := dials.Load() - before; got < 3 {
		t.Errorf("3 ranges were read over %d new connections, want one each", got)
	}
}
