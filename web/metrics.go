package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds the Prometheus collectors of mlexp on a registry of its own, so that two
// servers in one process (as in tests) never share or clash over metrics.
type Metrics struct {
	registry *prometheus.Registry

	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	mlflowCalls   *prometheus.CounterVec
	mlflowLatency *prometheus.HistogramVec
	corrections   prometheus.Counter
	indexReads    *prometheus.CounterVec
	dbFallbacks   prometheus.Counter
}

// NewMetrics returns the metrics of mlexp, registered with a new registry that also holds
// the Go runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mlexp_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mlexp_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
		mlflowCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mlexp_mlflow_requests_total",
			Help: `HTTP attempts made to MLflow, by endpoint and status code ("error" when no answer arrived).`,
		}, []string{"endpoint", "code"}),
		mlflowLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mlexp_mlflow_request_duration_seconds",
			Help:    "Duration of HTTP attempts made to MLflow, by endpoint.",
			Buckets: prometheus.DefBuckets,
		}, []string{"endpoint"}),
		corrections: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "mlexp_index_reconciled_runs_total",
			Help: "Runs the reconciliation of the run index corrected: edited, created or deleted in MLflow without a sync seeing it.",
		}),
		indexReads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mlexp_index_reads_total",
			Help: `Reads of runs into the run index (first loads, syncs, reconciliations), by the path that served them: "database" (MLflow's database) or "rest" (MLflow's API).`,
		}, []string{"path"}),
		dbFallbacks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "mlexp_index_database_fallbacks_total",
			Help: "Reads of MLflow's database that failed and went through MLflow's API instead.",
		}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.httpRequests, m.httpDuration, m.mlflowCalls, m.mlflowLatency, m.corrections, m.indexReads, m.dbFallbacks,
	)
	for _, path := range []string{"database", "rest"} {
		m.indexReads.WithLabelValues(path) // both series from the start, at 0
	}
	return m
}

// Registry returns the registry the metrics are registered with, for adding collectors and
// for serving them.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// ObserveReconciled counts n runs that a reconciliation of the run index corrected; it fits
// tracking.Syncer.Corrected.
func (m *Metrics) ObserveReconciled(n int) { m.corrections.Add(float64(n)) }

// ObserveIndexRead counts a read of runs into the run index served by path ("database" or
// "rest"); it fits tracking.Syncer.Served.
func (m *Metrics) ObserveIndexRead(path string) { m.indexReads.WithLabelValues(path).Inc() }

// ObserveDatabaseFallback counts a read of MLflow's database that failed and went through
// MLflow's API instead; it fits tracking.Syncer.DatabaseFailed.
func (m *Metrics) ObserveDatabaseFallback() { m.dbFallbacks.Inc() }

// ObserveMLflowCall records one HTTP attempt to MLflow: status is the HTTP status, or 0 when
// no answer arrived. It fits the observer of the mlflow client, which web does not import.
func (m *Metrics) ObserveMLflowCall(endpoint string, status int, d time.Duration, err error) {
	code := "error"
	if status != 0 {
		code = strconv.Itoa(status)
	}
	m.mlflowCalls.WithLabelValues(endpoint, code).Inc()
	m.mlflowLatency.WithLabelValues(endpoint).Observe(d.Seconds())
}

// observeHTTP records one answered request.
func (m *Metrics) observeHTTP(route, method string, status int, d time.Duration) {
	method = methodLabel(method)
	m.httpRequests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(route, method).Observe(d.Seconds())
}

// methodLabel bounds the method label: a client can send any method name, and each name
// would otherwise become a new time series.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "OTHER"
}
