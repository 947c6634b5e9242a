package web

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes lists every route of mlexp. Patterns are the route labels of the request metrics,
// so they must stay free of per-request values.
func (s *server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /api/openapi.json", s.handleOpenAPI)

	// Queries.
	api(mux, "GET /api/models", s.serveAPI(s.handleModels))
	api(mux, "POST /api/models/{model_id}/experiments/attach", s.serveAPI(s.handleAttach))
	api(mux, "GET /api/models/{model_id}/experiments", s.serveAPI(s.handleSummary))
	api(mux, "GET /api/models/{model_id}/experiments/heatmap", s.serveAPI(s.handleHeatmap))
	api(mux, "GET /api/models/{model_id}/experiments/runs", s.serveAPI(s.handleRuns))
	api(mux, "GET /api/models/{model_id}/experiments/parallel", s.serveAPI(s.handleParallel))
	api(mux, "GET /api/models/{model_id}/experiments/best", s.serveAPI(s.handleBest))
	api(mux, "GET /api/models/{model_id}/experiments/insights", s.serveAPI(s.handleInsights))
	api(mux, "POST /api/experiments/compare", s.serveAPI(s.handleCompare))
	api(mux, "GET /api/experiments/mlflow-url", s.serveAPI(s.handleMLflowURL))
	api(mux, "GET /api/experiments/runs/{run_id}/lineage", s.serveAPI(s.handleLineage))

	// Ingest (API paths take an optional trailing slash).
	api(mux, "POST /api/experiments/quick-tests", s.serveAPI(requires(s.ingest, s.handleQuickTest)))
	api(mux, "POST /api/experiments/training-runs", s.serveAPI(requires(s.ingest, s.handleTrainingRun)))
	api(mux, "GET /api/experiments/ingest/{id}", s.serveAPI(s.handleIngestStatus))
	api(mux, "POST /api/experiments/runs/{run_id}/deploy", s.handleDeploy)
	api(mux, "POST /api/experiments/full-training-requests", s.handleFullTrainingRequest)

	// Deployment: promotion history and rollback (promotion itself is the deploy route).
	api(mux, "GET /api/models/{model_id}/deployments", s.serveAPI(s.handleDeployments))
	api(mux, "POST /api/models/{model_id}/deployments/rollback", s.handleRollback)

	// Tower mappings: a model's features by tower, for runs logged without tower params.
	api(mux, "GET /api/models/{model_id}/towers", s.serveAPI(s.handleGetTowers))
	api(mux, "PUT /api/models/{model_id}/towers", s.serveAPI(s.handlePutTowers))

	// Saved comparisons.
	api(mux, "POST /api/experiments/comparisons", s.serveAPI(requires(s.comparisons, s.handleCreateComparison)))
	api(mux, "GET /api/experiments/comparisons", s.serveAPI(s.handleListComparisons))
	api(mux, "GET /api/experiments/comparisons/{id}", s.serveAPI(s.handleGetComparison))
	api(mux, "PATCH /api/experiments/comparisons/{id}", s.serveAPI(requires(s.comparisons, s.handleUpdateComparison)))
	api(mux, "DELETE /api/experiments/comparisons/{id}", s.serveAPI(s.handleDeleteComparison))

	// Sign-in (token auth).
	mux.HandleFunc("GET /signin", s.handleSignin)
	mux.HandleFunc("POST /signin", s.handleSignin)
	mux.HandleFunc("POST /signout", s.handleSignout)

	// HTML pages (pages*.go; a path without its trailing slash redirects to it).
	mux.HandleFunc("GET /{$}", s.handleHomePage)
	page(mux, "GET /models/{model_id}/", s.handleDashboardPage)
	mux.HandleFunc("GET /models/{model_id}/heatmap.svg", s.handleHeatmapExport("svg"))
	mux.HandleFunc("GET /models/{model_id}/heatmap.png", s.handleHeatmapExport("png"))
	mux.HandleFunc("GET /models/{model_id}/heatmap.csv", s.handleHeatmapExport("csv"))
	page(mux, "GET /models/{model_id}/runs/", s.handleRunsPage)
	page(mux, "GET /models/{model_id}/deployments/", s.handleDeploymentsPage)
	page(mux, "GET /models/{model_id}/insights/", s.handleInsightsPage)
	page(mux, "GET /models/{model_id}/towers/", s.handleTowersPage)
	mux.HandleFunc("POST /models/{model_id}/towers/", s.handleTowersForm)
	page(mux, "GET /compare/", s.handleComparePage)
	mux.HandleFunc("POST /comparisons/{$}", s.handleSaveComparisonForm)
	page(mux, "GET /comparisons/", s.handleComparisonsPage)
	page(mux, "GET /comparisons/{id}/", s.handleSavedComparisonPage)
	mux.HandleFunc("POST /comparisons/{id}/edit/{$}", s.handleEditComparisonForm)
	mux.HandleFunc("POST /comparisons/{id}/delete/{$}", s.handleDeleteComparisonForm)
	page(mux, "GET /runs/{run_id}/", s.handleRunPage)
	mux.HandleFunc("GET /runs/{run_id}/training_curves.png", s.handleTrainingCurves)
	mux.HandleFunc("GET /static/{file}", s.handleStatic)

	mux.HandleFunc("GET /readyz", s.handleReadyz)
	mux.Handle("GET /metrics", nosniff(promhttp.HandlerFor(s.metrics.Registry(), promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(s.logger.Handler(), slog.LevelError),
		Registry: s.metrics.Registry(), // counts its own failures
	})))
}

// api registers pattern with and without a trailing slash.
func api(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	mux.HandleFunc(pattern, h)
	mux.HandleFunc(pattern+"/{$}", h)
}

// nosniff keeps browsers from reading an answer as anything but its Content-Type.
func nosniff(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}
