package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/apianswer"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// apiAnswer is the envelope of a JSON answer of the API.
type apiAnswer = apianswer.Answer

// ingestItem is the data of an ingest answer.
type ingestItem struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	RunID     string `json:"run_id"`
	StatusURL string `json:"status_url"`
}

// apiModel is a model of its own for test t, so that its runs land in an experiment of
// their own in the shared MLflow.
func apiModel(t *testing.T) mlexp.Model {
	name := fmt.Sprintf("api-%s-%d", strings.ToLower(strings.TrimPrefix(t.Name(), "Test")), time.Now().UnixNano())
	return mlexp.Model{ID: name, Name: name}
}

// mustAPI sends method url with v as its JSON body (none when nil) and returns the status,
// the Location header and the decoded answer.
func mustAPI(t *testing.T, method, url string, v any) (int, string, apiAnswer) {
	t.Helper()
	var body io.Reader
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var a apiAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("%s %s answered %d, not JSON: %s", method, url, resp.StatusCode, raw)
	}
	return resp.StatusCode, resp.Header.Get("Location"), a
}

// mustIngest POSTs report to path and checks that it answers want with an ingest item.
func mustIngest(t *testing.T, url string, report any, want int) ingestItem {
	t.Helper()
	status, _, a := mustAPI(t, http.MethodPost, url, report)
	var item ingestItem
	if status != want || a.Status != "success" || json.Unmarshal(a.Data, &item) != nil || item.ID == "" {
		t.Fatalf("POST %s answered %d %+v, want %d with an ingest item", url, status, a, want)
	}
	return item
}

// mustRun returns the MLflow run id.
func mustRun(t *testing.T, c *mlflow.Client, id string) *mlflow.Run {
	t.Helper()
	run, err := c.GetRun(context.Background(), id)
	if err != nil {
		t.Fatalf("run %s is not in MLflow: %v", id, err)
	}
	return run
}

// TestIngestAndDeployThroughMLflow reports a quick test and a full training through the API
// of a real mlexp serve to a real MLflow, then marks each deployed in turn.
func TestIngestAndDeployThroughMLflow(t *testing.T) {
	// A generous wait: the 201 must not depend on how busy the machine is.
	s := MustStartServe(t, map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL}, "--ingest-wait", "60s")
	c, err := mlflow.NewClient(mlflowServer.URL)
	if err != nil {
		t.Fatal(err)
	}
	model := apiModel(t)
	q, tr := sample.QuickTestReport(), sample.TrainingRunReport()
	q.Model, tr.Model = model, model

	// The quick test: 201 with the MLflow run id.
	qi := mustIngest(t, s.URL+"/api/experiments/quick-tests/", q, http.StatusCreated)
	if qi.Status != mlexp.OutboxDelivered || qi.RunID == "" {
		t.Fatalf("quick test answer %+v, want delivered with a run id", qi)
	}
	qr := mustRun(t, c, qi.RunID)
	exp, err := c.GetExperiment(context.Background(), qr.Info.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	if exp.Name != mlexp.ExperimentName(q.Model, q.Dataset) {
		t.Errorf("run is in experiment %q, want %q", exp.Name, mlexp.ExperimentName(q.Model, q.Dataset))
	}
	if qr.Info.RunName != "config-042 Quick Test #3" || qr.Info.Status != mlflow.StatusFinished {
		t.Errorf("run %q is %s, want \"config-042 Quick Test #3\" finished", qr.Info.RunName, qr.Info.Status)
	}
	if k, _ := qr.Data.Tag(tracking.TagIdempotencyKey); k != tracking.QuickTestKey(q) {
		t.Errorf("idempotency key %q, want %q", k, tracking.QuickTestKey(q))
	}
	if v, _ := qr.Data.Param("data_sample_percent"); v != "10" {
		t.Errorf("param data_sample_percent = %q, want 10", v)
	}
	if v, _ := qr.Data.Metric("recall_at_10"); v != 0.182 {
		t.Errorf("metric recall_at_10 = %v, want 0.182", v)
	}
	// Its status URL says the same.
	status, _, a := mustAPI(t, http.MethodGet, s.URL+qi.StatusURL, nil)
	var st ingestItem
	if status != http.StatusOK || json.Unmarshal(a.Data, &st) != nil || st.Status != mlexp.OutboxDelivered || st.RunID != qi.RunID {
		t.Errorf("GET %s answered %d %+v, want it delivered as %s", qi.StatusURL, status, st, qi.RunID)
	}
	// Reported again, it is the same run (no trailing slash this time).
	if again := mustIngest(t, s.URL+"/api/experiments/quick-tests", q, http.StatusCreated); again.ID != qi.ID || again.RunID != qi.RunID {
		t.Errorf("reported again: %+v, want %+v", again, qi)
	}

	// The full training.
	ti := mustIngest(t, s.URL+"/api/experiments/training-runs", tr, http.StatusCreated)
	if ti.Status != mlexp.OutboxDelivered || ti.RunID == "" || ti.RunID == qi.RunID {
		t.Fatalf("training run answer %+v, want delivered as a run of its own", ti)
	}
	trr := mustRun(t, c, ti.RunID)
	if trr.Info.RunName != "config-042 Full Training #46" || trr.Info.ExperimentID != qr.Info.ExperimentID {
		t.Errorf("training run %q in experiment %s, want \"config-042 Full Training #46\" in %s", trr.Info.RunName, trr.Info.ExperimentID, qr.Info.ExperimentID)
	}

	// Deploy the training run; the quick test has no model to deploy and is refused.
	deployed := func(id string) string {
		v, _ := mustRun(t, c, id).Data.Tag(tracking.TagDeployed)
		return v
	}
	type deployData struct {
		RunID      string   `json:"run_id"`
		IsDeployed bool     `json:"is_deployed"`
		Cleared    []string `json:"cleared"`
		Changed    bool     `json:"changed"`
		Deployment struct {
			PromotedBy string `json:"promoted_by"`
			Note       string `json:"note"`
		} `json:"deployment"`
	}
	deploy := func(url, runID string, body any, changed bool) {
		t.Helper()
		status, _, a := mustAPI(t, http.MethodPost, url, body)
		var d deployData
		if status != http.StatusOK || json.Unmarshal(a.Data, &d) != nil {
			t.Fatalf("POST %s answered %d %+v, want 200", url, status, a)
		}
		if d.RunID != runID || !d.IsDeployed || d.Changed != changed || d.Deployment.PromotedBy != "local" {
			t.Errorf("POST %s answered %+v, want run %s deployed (changed %v) by local", url, d, runID, changed)
		}
	}
	deploy(s.URL+"/api/experiments/runs/"+ti.RunID+"/deploy/", ti.RunID, map[string]string{"note": "first"}, true)
	if v := deployed(ti.RunID); v != "true" {
		t.Errorf("training run: is_deployed = %q, want true", v)
	}
	status, _, a = mustAPI(t, http.MethodPost, s.URL+"/api/experiments/runs/"+qi.RunID+"/deploy", nil)
	if status != http.StatusConflict || a.Error.Code != mlexp.ECONFLICT || a.Error.Details["reason"] != mlexp.RefusedNoModelURI {
		t.Errorf("deploying the quick test answered %d %+v, want 409 no_model_uri", status, a)
	}
	if v := deployed(qi.RunID); v == "true" {
		t.Error("the refused quick test is marked deployed")
	}
	// Deploying the deployed run again changes nothing.
	deploy(s.URL+"/api/experiments/runs/"+ti.RunID+"/deploy/", ti.RunID, nil, false)

	// A run MLflow does not have.
	for _, id := range []string{"0123456789abcdef0123456789abcdef", "no-such-run"} {
		status, _, a := mustAPI(t, http.MethodPost, s.URL+"/api/experiments/runs/"+id+"/deploy/", nil)
		if status != http.StatusNotFound || a.Status != "error" || a.Error.Code != mlexp.ENOTFOUND || !strings.Contains(a.Error.Message, id) {
			t.Errorf("deploying run %s answered %d %+v, want 404 naming the run", id, status, a)
		}
	}
}

// TestIngestAcceptedThenDelivered checks the 202 answer of a server that does not wait for
// MLflow, and that its status URL reaches delivered.
func TestIngestAcceptedThenDelivered(t *testing.T) {
	s := MustStartServe(t, map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL}, "--ingest-wait", "0")
	c, err := mlflow.NewClient(mlflowServer.URL)
	if err != nil {
		t.Fatal(err)
	}
	tr := sample.TrainingRunReport()
	tr.Model = apiModel(t)

	status, location, a := mustAPI(t, http.MethodPost, s.URL+"/api/experiments/training-runs/", tr)
	var item ingestItem
	if status != http.StatusAccepted || json.Unmarshal(a.Data, &item) != nil || item.Status != mlexp.OutboxPending || item.RunID != "" {
		t.Fatalf("POST answered %d %+v, want 202 pending", status, a)
	}
	if location != item.StatusURL || item.StatusURL != "/api/experiments/ingest/"+item.ID+"/" {
		t.Fatalf("Location %q, status_url %q: want the status URL of %s", location, item.StatusURL, item.ID)
	}

	var st ingestItem
	deadline := time.Now().Add(60 * time.Second)
	for {
		status, _, a := mustAPI(t, http.MethodGet, s.URL+location, nil)
		if status != http.StatusOK || json.Unmarshal(a.Data, &st) != nil || st.ID != item.ID {
			t.Fatalf("GET %s answered %d %+v", location, status, a)
		}
		if st.Status != mlexp.OutboxPending || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond) // polling interval, not an assertion
	}
	if st.Status != mlexp.OutboxDelivered || st.RunID == "" {
		t.Fatalf("status %+v, want delivered with a run id", st)
	}
	if run := mustRun(t, c, st.RunID); run.Info.RunName != "config-042 Full Training #46" {
		t.Errorf("run name %q, want \"config-042 Full Training #46\"", run.Info.RunName)
	}
	// Without the trailing slash too.
	if status, _, _ := mustAPI(t, http.MethodGet, s.URL+strings.TrimSuffix(location, "/"), nil); status != http.StatusOK {
		t.Errorf("GET without the trailing slash answered %d", status)
	}
	// An unknown id.
	if status, _, a := mustAPI(t, http.MethodGet, s.URL+"/api/experiments/ingest/nope/", nil); status != http.StatusNotFound || a.Error.Code != mlexp.ENOTFOUND {
		t.Errorf("unknown ingest id answered %d %+v, want 404", status, a)
	}
}

// TestIngestBadInputOverHTTP checks a few bad bodies against the real server: 400 naming the
// field, and nothing reaches MLflow.
func TestIngestBadInputOverHTTP(t *testing.T) {
	s := MustStartServe(t, map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL})
	q := sample.QuickTestReport()
	q.Model = apiModel(t)
	over := q
	over.QuickTest.DataSamplePercent = 150
	for _, tc := range []struct {
		name  string
		body  any
		field string
	}{
		{"percentage over 100", over, "quick_test.data_sample_percent"},
		{"string for a number", json.RawMessage(`{"quick_test": {"epochs": "two"}}`), "quick_test.epochs"},
		{"unknown field", json.RawMessage(`{"model": {"id": "m", "name": "n", "owner": "me"}}`), "model.owner"},
		{"malformed", json.RawMessage(`{"model": `), "body"},
		{"over the size limit", json.RawMessage(`"` + strings.Repeat("x", 2<<20) + `"`), "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var status int
			var a apiAnswer
			if raw, ok := tc.body.(json.RawMessage); ok && !json.Valid(raw) {
				status, a = postRaw(t, s.URL+"/api/experiments/quick-tests/", raw)
			} else {
				status, _, a = mustAPI(t, http.MethodPost, s.URL+"/api/experiments/quick-tests/", tc.body)
			}
			if status != http.StatusBadRequest || a.Error.Code != mlexp.EINVALID || a.Error.Field != tc.field {
				t.Errorf("answered %d %+v, want 400 naming %s", status, a, tc.field)
			}
		})
	}
	c, _ := mlflow.NewClient(mlflowServer.URL)
	if _, err := c.GetExperimentByName(context.Background(), mlexp.ExperimentName(q.Model, q.Dataset)); err == nil {
		t.Error("a refused report reached MLflow")
	}
}

// postRaw POSTs body as it is.
func postRaw(t *testing.T, url string, body []byte) (int, apiAnswer) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a apiAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("answer %d is not JSON: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, a
}
