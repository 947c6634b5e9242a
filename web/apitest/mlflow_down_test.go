package apitest_test

import (
	"net/http"
	"testing"
)

// mlflowDown calls the routes that read or write MLflow on a server whose MLflow cannot be
// reached: each answers 503.
func (a *api) mlflowDown(t *testing.T, s seed) {
	for _, c := range []struct{ method, route, target, body string }{
		{"GET", "/api/models/", "/api/models/", ""},
		{"GET", "/api/models/{model_id}/experiments/", "/api/models/" + s.model + "/experiments/", ""},
		{"GET", "/api/models/{model_id}/experiments/heatmap/", "/api/models/" + s.model + "/experiments/heatmap/", ""},
		{"GET", "/api/models/{model_id}/experiments/runs/", "/api/models/" + s.model + "/experiments/runs/?format=csv", ""},
		{"GET", "/api/models/{model_id}/experiments/parallel/", "/api/models/" + s.model + "/experiments/parallel/", ""},
		{"GET", "/api/models/{model_id}/experiments/insights/", "/api/models/" + s.model + "/experiments/insights/", ""},
		{"POST", "/api/models/{model_id}/experiments/attach/", "/api/models/" + s.model + "/experiments/attach/", `{"experiment":"1","dataset":{"id":"d","name":"D"}}`},
		{"POST", "/api/experiments/compare/", "/api/experiments/compare/", `{"run_ids":["` + s.quick1 + `","` + s.quick2 + `"]}`},
		{"GET", "/api/experiments/mlflow-url/", "/api/experiments/mlflow-url/?run_id=" + s.quick1, ""},
		{"POST", "/api/experiments/runs/{run_id}/deploy/", "/api/experiments/runs/" + s.training + "/deploy/", ""},
		{"POST", "/api/models/{model_id}/deployments/rollback/", "/api/models/" + s.model + "/deployments/rollback/", ""},
		{"GET", "/api/models/{model_id}/experiments/best/", "/api/models/" + s.model + "/experiments/best/", ""},
		{"GET", "/models/{model_id}/deployments/", "/models/" + s.model + "/deployments/", ""},
		{"POST", "/api/experiments/full-training-requests/", "/api/experiments/full-training-requests/", `{"model_id":"m","dataset_id":"d","config_id":"c"}`},
		{"GET", "/", "/", ""},
		{"GET", "/models/{model_id}/", "/models/" + s.model + "/", ""},
		{"GET", "/models/{model_id}/heatmap.png", "/models/" + s.model + "/heatmap.png", ""},
		{"GET", "/compare/", "/compare/?run_ids=" + s.quick1 + "," + s.quick2, ""},
	} {
		var body []byte
		if c.body != "" {
			body = []byte(c.body)
		}
		a.call(t, a.dead, c.method, c.route, c.target, body, true).want(t, c.method+" "+c.target+" without MLflow", http.StatusServiceUnavailable)
	}
}
