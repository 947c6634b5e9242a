package apitest_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/web"
)

func (a *api) probes(t *testing.T) {
	a.call(t, a.url, http.MethodGet, "/healthz", "/healthz", nil, true).want(t, "healthz", http.StatusOK)
	var ready struct {
		Checks map[string]string `json:"checks"`
	}
	a.call(t, a.url, http.MethodGet, "/readyz", "/readyz", nil, true).want(t, "readyz", http.StatusOK).decode(t, &ready)
	if len(ready.Checks) != 2 {
		t.Errorf("readyz checks %v, want mlflow and database", ready.Checks)
	}
	ans := a.call(t, a.dead, http.MethodGet, "/readyz", "/readyz", nil, true).want(t, "readyz without MLflow", http.StatusServiceUnavailable)
	if !strings.Contains(ans.err.Message, "mlflow") {
		t.Errorf("readyz message %q does not name mlflow", ans.err.Message)
	}
	ans = a.call(t, a.url, http.MethodGet, "/metrics", "/metrics", nil, true).want(t, "metrics", http.StatusOK)
	if !bytes.Contains(ans.body, []byte("# TYPE")) {
		t.Errorf("metrics: not the Prometheus text format: %.200s", ans.body)
	}
	ans = a.call(t, a.url, http.MethodGet, "/api/openapi.json", "/api/openapi.json", nil, true).want(t, "openapi", http.StatusOK)
	if !bytes.Equal(ans.body, web.OpenAPIDocument()) {
		t.Error("GET /api/openapi.json is not the document")
	}
}

func (a *api) models(t *testing.T, s seed) {
	var list struct {
		Models []mlexp.ModelInfo `json:"models"`
	}
	a.call(t, a.url, http.MethodGet, "/api/models/", "/api/models/", nil, true).want(t, "models", http.StatusOK).decode(t, &list)
	a.call(t, a.url, http.MethodGet, "/api/models/", "/api/models", nil, true).want(t, "models", http.StatusOK)
	found := map[string]bool{}
	for _, m := range list.Models {
		found[m.ID] = true
	}
	if !found[s.model] || !found[s.foreignModel] {
		t.Errorf("models: %v lacks %s or %s", found, s.model, s.foreignModel)
	}
}

// query calls a GET route of a model with a query, expecting status (and the error field).
func (a *api) query(t *testing.T, route, model, query string, status int, field ...string) answer {
	t.Helper()
	target := strings.Replace(route, "{model_id}", url.PathEscape(model), 1)
	if query != "" {
		target += "?" + query
	}
	return a.call(t, a.url, http.MethodGet, route, target, nil, true).want(t, "GET "+target, status, field...)
}

func (a *api) summary(t *testing.T, s seed) {
	const route = "/api/models/{model_id}/experiments/"
	for _, q := range []string{"", "metric=loss", "metric=ndcg_at_10", "recent=2", "recent=0", "dataset_id=dataset-001"} {
		a.query(t, route, s.model, q, http.StatusOK)
	}
	for _, q := range []string{"", "metric=accuracy"} {
		a.query(t, route, s.foreignModel, q, http.StatusOK)
	}
	a.query(t, route, s.emptyModel, "", http.StatusOK)
	a.query(t, route, s.model, "metric=lr", http.StatusBadRequest, "metric")
	a.query(t, route, s.model, "recent=x", http.StatusBadRequest, "recent")
	a.query(t, route, s.model, "recent=101", http.StatusBadRequest, "recent")
	a.query(t, route, "no-such-model", "", http.StatusNotFound, "model_id")
	a.query(t, route, s.model, "dataset_id=no-such-dataset", http.StatusNotFound, "dataset_id")

	var sum struct {
		Total    int `json:"total"`
		Failed   int `json:"failed"`
		Deployed any `json:"deployed"`
	}
	a.query(t, route, s.model, "", http.StatusOK).decode(t, &sum)
	if sum.Total != 5 || sum.Failed != 1 {
		t.Errorf("summary: %d runs, %d failed; want 5 and 1", sum.Total, sum.Failed)
	}
}

func (a *api) heatmap(t *testing.T, s seed) {
	const route = "/api/models/{model_id}/experiments/heatmap/"
	for _, q := range []string{"", "agg=best", "agg=mean", "agg=median", "agg=latest", "run_type=all", "run_type=quick_test",
		"run_type=full_training", "metric=loss&agg=mean", "metric=ndcg_at_10", "x_axis=epochs&y_axis=run_type",
		"x_axis=num_crosses&y_axis=revenue_buckets", "x_axis=user_id_embedding_dim&y_axis=config_id"} {
		a.query(t, route, s.model, q, http.StatusOK)
	}
	a.call(t, a.url, http.MethodGet, route, "/api/models/"+s.model+"/experiments/heatmap", nil, true).want(t, "heatmap without the slash", http.StatusOK)
	for _, q := range []string{"", "x_axis=lr&y_axis=run_type"} {
		a.query(t, route, s.foreignModel, q, http.StatusOK)
	}
	a.query(t, route, s.emptyModel, "", http.StatusOK)
	for q, field := range map[string]string{"agg=max": "agg", "run_type=quick": "run_type", "x_axis=colour": "x_axis",
		"y_axis=": "", "metric=precision": "metric"} {
		if field == "" {
			a.query(t, route, s.model, q, http.StatusOK) // empty is the default
			continue
		}
		ans := a.query(t, route, s.model, q, http.StatusBadRequest, field)
		if _, ok := ans.err.Details["valid"]; !ok {
			t.Errorf("heatmap %s: no valid values in the error details: %s", q, ans.body)
		}
	}
	a.query(t, route, "no-such-model", "", http.StatusNotFound, "model_id")
}

func (a *api) runs(t *testing.T, s seed) {
	const route = "/api/models/{model_id}/experiments/runs/"
	for _, q := range []string{"", "page_size=1", "page=2&page_size=1", "page=99", "page=0&page_size=0", "sort=recall_at_100&order=asc",
		"sort=metrics.loss", "sort=params.epochs&order=DESC", "sort=cost", "sort=duration", "sort=config", "sort=name", "sort=end_time",
		"type=quick_test", "type=FULL_TRAINING", "status=failed", "status=Finished", "search=config-044", "search=user_id_embedding_dim=128",
		"format=json"} {
		a.query(t, route, s.model, q, http.StatusOK)
	}
	for _, q := range []string{"", "status=running", "sort=params.lr", "sort=accuracy"} {
		a.query(t, route, s.foreignModel, q, http.StatusOK)
	}
	a.query(t, route, s.emptyModel, "", http.StatusOK)
	var page struct {
		Runs  []map[string]any `json:"runs"`
		Total int              `json:"total"`
		Pages int              `json:"pages"`
	}
	a.query(t, route, s.model, "page_size=2", http.StatusOK).decode(t, &page)
	if page.Total != 5 || page.Pages != 3 || len(page.Runs) != 2 {
		t.Errorf("runs page: total %d, pages %d, %d runs; want 5, 3, 2", page.Total, page.Pages, len(page.Runs))
	}

	for _, c := range []struct{ q, field string }{
		{"format=xml", "format"}, {"page_size=5000", "page_size"}, {"page=-1", "page"}, {"page=one", "page"}, {"sort=colour", "sort"},
		{"order=up", "order"}, {"type=quick", "type"}, {"status=done", "status"}, {"search=" + strings.Repeat("x", 501), "search"},
		{"range.nope=1:2", "range.nope"}, {"range.epochs=lots", "range.epochs"}, {"range.recall_at_100=0.5:0.1", "range.recall_at_100"},
	} {
		a.query(t, route, s.model, c.q, http.StatusBadRequest, c.field)
	}
	a.query(t, route, "no-such-model", "", http.StatusNotFound, "model_id")

	// The parallel-coordinates ranges narrow the page and the CSV alike.
	var ranged struct {
		Total int `json:"total"`
	}
	a.query(t, route, s.model, "range.recall_at_100=0.3:&range.loss=:100", http.StatusOK).decode(t, &ranged)
	all := a.query(t, route, s.model, "format=csv", http.StatusOK)
	within := a.query(t, route, s.model, "format=csv&range.recall_at_100=0.3:&range.loss=:100", http.StatusOK)
	rows := func(b []byte) int {
		r, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("CSV: %v", err)
		}
		return len(r) - 1
	}
	if n := rows(within.body); n != ranged.Total || n == 0 || n >= rows(all.body) {
		t.Errorf("within the ranges: %d CSV rows, %d in the page's total; want as many, some, and fewer than every run's", n, ranged.Total)
	}

	// CSV: every matching run, with a header row.
	for _, model := range []string{s.model, s.foreignModel} {
		ans := a.query(t, route, model, "format=csv&sort=name", http.StatusOK)
		if ct := ans.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("CSV Content-Type %q", ct)
		}
		if cd := ans.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") || !strings.HasSuffix(cd, `-runs.csv"`) {
			t.Errorf("CSV Content-Disposition %q", cd)
		}
		rows, err := csv.NewReader(bytes.NewReader(ans.body)).ReadAll()
		if err != nil {
			t.Fatalf("CSV: %v", err)
		}
		wantHeader := []string{"run_id", "run_name", "run_type", "config_id", "config_name", "status", "start_time", "end_time",
			"duration_seconds", "cost_usd", "is_deployed", "failure_stage", "failure_reason"}
		if len(rows) == 0 || !slices.Equal(rows[0][:len(wantHeader)], wantHeader) {
			t.Errorf("CSV header %v, want it to start with %v", rows[0], wantHeader)
		}
		if model == s.model && len(rows) != 6 {
			t.Errorf("CSV: %d rows, want a header and 5 runs", len(rows))
		}
	}
}

func (a *api) parallel(t *testing.T, s seed) {
	const route = "/api/models/{model_id}/experiments/parallel/"
	for _, q := range []string{"", "axes=epochs,run_type", "axes=embedding_dims,%20num_crosses,cross_features", "run_type=quick_test",
		"run_type=full_training", "metric=loss", "metric=ndcg_at_10&axes=config_id"} {
		a.query(t, route, s.model, q, http.StatusOK)
	}
	for _, q := range []string{"", "axes=lr,run_type"} {
		a.query(t, route, s.foreignModel, q, http.StatusOK)
	}
	a.query(t, route, s.emptyModel, "", http.StatusOK)
	thirteen := strings.TrimSuffix(strings.Repeat("epochs,", 13), ",")
	for q, field := range map[string]string{"axes=colour": "axes", "axes=epochs,epochs": "axes", "axes=" + thirteen: "axes",
		"run_type=full": "run_type", "metric=precision": "metric"} {
		a.query(t, route, s.model, q, http.StatusBadRequest, field)
	}
	a.query(t, route, "no-such-model", "", http.StatusNotFound, "model_id")
}

func (a *api) compare(t *testing.T, s seed) {
	const route = "/api/experiments/compare/"
	post := func(body string, valid bool, status int, field ...string) answer {
		t.Helper()
		return a.call(t, a.url, http.MethodPost, route, route, []byte(body), valid).want(t, "compare "+body, status, field...)
	}
	ids := func(v ...string) string { b, _ := json.Marshal(v); return string(b) }
	post(`{"run_ids":`+ids(s.quick1, s.quick2)+`}`, true, http.StatusOK)
	post(`{"run_ids":`+ids(s.quick1, s.quick2, s.failed, s.training)+`,"baseline_run_id":"`+s.quick2+`","metric":"loss"}`, true, http.StatusOK)
	post(`{"run_ids":`+ids(s.training, s.quick2)+`,"metric":"ndcg_at_10"}`, true, http.StatusOK)
	post(`{"run_ids":`+ids(s.foreignRun, s.quick1)+`}`, true, http.StatusOK) // a running run of another experiment
	post(`{"run_ids":`+ids(s.failed, s.foreignRun)+`}`, true, http.StatusOK)
	post(`{"run_ids":`+ids(s.failed, s.emptyRun)+`}`, true, http.StatusOK) // no metric in the table

	post(`{"run_ids":`+ids(s.quick1)+`}`, false, http.StatusBadRequest, "run_ids")
	post(`{"run_ids":`+ids(s.quick1, s.quick1)+`}`, false, http.StatusBadRequest, "run_ids")
	post(`{"run_ids":`+ids(s.quick1, s.quick2)+`,"baseline":"x"}`, false, http.StatusBadRequest, "baseline")
	post(`{"run_ids":`+ids(s.quick1, s.quick2)+`,"baseline_run_id":"`+s.training+`"}`, true, http.StatusBadRequest, "baseline_run_id")
	post(`{"run_ids":`+ids(s.quick1, s.quick2)+`,"metric":"precision"}`, true, http.StatusBadRequest, "metric")
	post(`{"run_ids":"`+s.quick1+`"}`, false, http.StatusBadRequest, "run_ids")
	post(`{"run_ids":`+ids(s.quick1, "0123456789abcdef0123456789abcdef")+`}`, true, http.StatusNotFound, "run_ids")
}

func (a *api) mlflowURL(t *testing.T, s seed) {
	const route = "/api/experiments/mlflow-url/"
	for _, q := range []string{"", "?experiment_id=" + s.experimentID, "?run_id=" + s.quick1, "?run_ids=" + s.quick1 + "," + s.foreignRun,
		"?run_id=" + s.training + "&run_ids=" + s.quick1 + "," + s.quick2} {
		a.call(t, a.url, http.MethodGet, route, route+q, nil, true).want(t, "mlflow-url"+q, http.StatusOK)
	}
	a.call(t, a.url, http.MethodGet, route, strings.TrimSuffix(route, "/"), nil, true).want(t, "mlflow-url", http.StatusOK)
	a.call(t, a.url, http.MethodGet, route, route+"?run_id=0123456789abcdef0123456789abcdef", nil, true).want(t, "unknown run", http.StatusNotFound)
}

func (a *api) ingestStatus(t *testing.T, s seed) {
	const route = "/api/experiments/ingest/{id}/"
	for _, id := range s.ingestIDs {
		a.call(t, a.url, http.MethodGet, route, "/api/experiments/ingest/"+id+"/", nil, true).want(t, "status", http.StatusOK)
	}
	a.call(t, a.url, http.MethodGet, route, "/api/experiments/ingest/"+s.ingestIDs[0], nil, true).want(t, "status", http.StatusOK)
	a.call(t, a.url, http.MethodGet, route, "/api/experiments/ingest/no-such-item/", nil, true).want(t, "unknown item", http.StatusNotFound)
}
