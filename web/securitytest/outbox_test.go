package securitytest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/apianswer"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
	"github.com/mlexp-dev/mlexp/web"
)

// Probes of the outbox and of full-training requests (MEDIUM: two outboxes delivering the
// same result made duplicate runs and items failed for good, which nothing could queue
// again; LOW: a slow training service was said to have started nothing).

// outboxProbeReports are n quick tests of a model of their own.
func outboxProbeReports(n int) []mlexp.QuickTestReport {
	model := fmt.Sprintf("probe-outbox-%d", time.Now().UnixNano())
	out := make([]mlexp.QuickTestReport, n)
	for i := range out {
		out[i] = sample.QuickTestReport()
		out[i].Model = mlexp.Model{ID: model, Name: model}
		out[i].QuickTest.ID = i + 1
	}
	return out
}

// outboxProbeIngest posts r to the ingest API of the server at url and returns the HTTP
// status and the answer. It may run outside the test's goroutine, so it returns errors.
func outboxProbeIngest(url string, r mlexp.QuickTestReport) (int, apianswer.Answer, error) {
	var a apianswer.Answer
	body, err := json.Marshal(r)
	if err != nil {
		return 0, a, err
	}
	resp, err := http.Post(url+"/api/experiments/quick-tests/", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, a, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &a); err != nil {
		return resp.StatusCode, a, fmt.Errorf("ingest answer is not JSON: %v: %s", err, raw)
	}
	return resp.StatusCode, a, nil
}

// outboxProbeSettled polls the ingest status of item id on url until it is no longer
// pending, and returns it.
func outboxProbeSettled(t *testing.T, url, id string) mlexp.OutboxItem {
	t.Helper()
	var it mlexp.OutboxItem
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(url + "/api/experiments/ingest/" + id + "/")
		if err != nil {
			t.Fatal(err)
		}
		var a apianswer.Answer
		err = json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if err != nil || json.Unmarshal(a.Data, &it) != nil {
			t.Fatalf("ingest status of %s: %v %+v", id, err, a)
		}
		if it.Status != mlexp.OutboxPending || time.Now().After(deadline) {
			return it
		}
	}
}

// TestOutboxProbeTwoProcessesIngestTheSameResults posts the same 20 quick tests at once to
// two mlexp servers with separate databases: MLflow must hold one FINISHED run per result,
// and every item of both must be delivered.
func TestOutboxProbeTwoProcessesIngestTheSameResults(t *testing.T) {
	reports := outboxProbeReports(20)
	worlds := []*world{newWorld(t), newWorld(t)}
	items := make([][]string, len(worlds))
	var wg sync.WaitGroup
	for i, w := range worlds {
		items[i] = make([]string, len(reports))
		for j, r := range reports {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, a, err := outboxProbeIngest(w.URL, r)
				var it mlexp.OutboxItem
				if err != nil || json.Unmarshal(a.Data, &it) != nil || (status != http.StatusCreated && status != http.StatusAccepted) {
					t.Errorf("server %d, quick test #%d: %d %+v %v", i+1, r.QuickTest.ID, status, a.Error, err)
					return
				}
				items[i][j] = it.ID
			}()
		}
	}
	wg.Wait()
	var some string
	for i, w := range worlds {
		for _, id := range items[i] {
			if id == "" {
				continue
			}
			it := outboxProbeSettled(t, w.URL, id)
			if it.Status != mlexp.OutboxDelivered {
				t.Errorf("server %d: %s is %s: %s", i+1, it.IdempotencyKey, it.Status, it.LastError)
			}
			some = cmp.Or(some, it.RunID)
		}
	}
	if some == "" {
		t.Fatal("nothing was delivered")
	}
	c := worlds[0].Client
	run, err := c.GetRun(t.Context(), some)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := c.SearchRuns(t.Context(), mlflow.SearchRunsRequest{ExperimentIDs: []string{run.Info.ExperimentID}})
	if err != nil {
		t.Fatal(err)
	}
	perKey := map[string]int{}
	for _, r := range runs {
		k, _ := r.Data.Tag(tracking.TagIdempotencyKey)
		perKey[k]++
		if r.Info.Status != mlflow.StatusFinished || len(r.Data.Params) == 0 || len(r.Data.Metrics) == 0 {
			t.Errorf("run %s (%s) is %s with %d params, %d metrics", r.Info.RunID, k, r.Info.Status, len(r.Data.Params), len(r.Data.Metrics))
		}
	}
	for _, r := range reports {
		if k := tracking.QuickTestKey(r); perKey[k] != 1 {
			t.Errorf("%d runs carry %s, want 1", perKey[k], k)
		}
	}
}

// TestOutboxProbeFailedItemIsQueuedAgain makes MLflow refuse a result for good (a run of the
// same key with another param value is in the way), removes the cause, and queues the item
// again as `mlexp outbox retry` does: it must then be delivered.
func TestOutboxProbeFailedItemIsQueuedAgain(t *testing.T) {
	w := newWorld(t)
	r := outboxProbeReports(1)[0]
	conflicting := r
	conflicting.QuickTest.Epochs++
	in, err := w.Logger.LogQuickTest(t.Context(), conflicting)
	if err != nil {
		t.Fatal(err)
	}
	// Half-made, as a crashed delivery leaves it: the delivery resumes it and is refused.
	if _, err := w.Client.UpdateRun(t.Context(), mlflow.UpdateRunRequest{RunID: in, Status: mlflow.StatusRunning}); err != nil {
		t.Fatal(err)
	}
	status, a, err := outboxProbeIngest(w.URL, r)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := a.Error.Details["id"].(string)
	if status != http.StatusBadRequest || id == "" || !strings.Contains(a.Error.Message, "MLflow refused") {
		t.Fatalf("ingest over a conflicting run: %d %+v, want 400 refused for good", status, a.Error)
	}
	failed, err := w.Store.OutboxItems(t.Context(), mlexp.OutboxFailed, 10)
	if err != nil || len(failed) != 1 || failed[0].ID != id {
		t.Fatalf("failed items = %+v, %v", failed, err)
	}
	if err := w.Client.DeleteRun(t.Context(), in); err != nil { // the cause, removed
		t.Fatal(err)
	}
	if _, err := w.Store.Requeue(t.Context(), id, time.Now()); err != nil {
		t.Fatal(err)
	}
	w.Delivery.Wake()
	if it := outboxProbeSettled(t, w.URL, id); it.Status != mlexp.OutboxDelivered || it.RunID == "" || it.RunID == in {
		t.Fatalf("the queued-again item is %+v, want delivered to a new run", it)
	}
}

// TestOutboxProbeTrainingRequestCarriesIdempotencyKey checks that a full-training request,
// and the same request clicked again, reach the training service with one idempotency key.
func TestOutboxProbeTrainingRequestCarriesIdempotencyKey(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	svc := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var body struct {
			Key string `json:"idempotency_key"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"), body.Key)
		mu.Unlock()
		rw.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(svc.Close)
	w := newWorld(t, func(d *web.Deps) { d.TrainingURL = svc.URL })
	for range 2 {
		resp, err := http.Post(w.URL+"/api/experiments/full-training-requests/", "application/json",
			strings.NewReader(`{"model_id":"m","dataset_id":"d","config_id":"config-043","source_run_id":"r1"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("full-training request: %d", resp.StatusCode)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(keys) != 4 || keys[0] == "" || keys[1] != keys[0] || keys[2] != keys[0] || keys[3] != keys[0] {
		t.Errorf("keys received (header, body of each request): %q, want one key throughout", keys)
	}
}
