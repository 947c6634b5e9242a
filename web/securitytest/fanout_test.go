package securitytest

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/web"
)

// TestLinksRouteHasBoundedFanOut probes defect 8 of the hardening issue: GET
// /api/experiments/mlflow-url/?run_ids= with 2,000 ids made 2,000 MLflow requests in
// 16.7 s. It is capped like a comparison (50 runs, repeats counted once) and refused with a
// 400 naming run_ids before MLflow is asked anything.
func TestLinksRouteHasBoundedFanOut(t *testing.T) {
	var calls atomic.Int64
	counting, err := mlflow.NewClient(srv.URL, mlflow.WithObserver(func(mlflow.Call) { calls.Add(1) }))
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t)
	url := w.serve(t, withReaderOf(w, counting))
	ids := make([]string, 2000)
	for i := range ids {
		ids[i] = fmt.Sprintf("%032x", i)
	}
	resp, err := http.Get(url + "/api/experiments/mlflow-url/?run_ids=" + strings.Join(ids, ","))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("2,000 run ids: status %d, want 400", resp.StatusCode)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("2,000 run ids made %d MLflow requests, want none", n)
	}
	// The same id 2,000 times is one run: no reason to refuse it.
	same := strings.TrimSuffix(strings.Repeat(ids[0]+",", 2000), ",")
	resp, err = http.Get(url + "/api/experiments/mlflow-url/?run_ids=" + same)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || calls.Load() > 2 {
		t.Errorf("one unknown id repeated: status %d after %d MLflow requests, want 404 after at most 2", resp.StatusCode, calls.Load())
	}
}

// withReaderOf is w's dependencies with runs read through client.
func withReaderOf(w *world, client *mlflow.Client) web.Deps {
	deps := w.Deps
	r := newReaderFor(client)
	deps.Runs, deps.Artifacts = r, r
	return deps
}
