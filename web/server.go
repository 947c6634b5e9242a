// Package web is the HTTP face of mlexp: the JSON API, health and readiness probes and
// Prometheus metrics. Every route is listed in routes.go; every JSON answer goes through
// response.go.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// DefaultCheckTimeout bounds each readiness check when Deps.CheckTimeout is zero.
const DefaultCheckTimeout = 2 * time.Second

// Check is one dependency that /readyz asks: Check returns nil when the dependency can
// serve, and must give up when ctx is done.
type Check struct {
	Name  string // e.g. "mlflow", "database"
	Check func(ctx context.Context) error
}

// Deps are everything the server needs, passed explicitly. Zero fields get defaults: a
// logger that discards, new Metrics, time.Now and DefaultCheckTimeout.
type Deps struct {
	Logger       *slog.Logger
	Checks       []Check // asked by /readyz, concurrently
	Metrics      *Metrics
	Now          func() time.Time
	CheckTimeout time.Duration
	Ingest       Ingester              // nil: the ingest routes answer 503
	Promoter     Promoter              // nil: promotions and the deployment history answer 503
	Best         BestSelector          // nil: best-run selection answers 503
	Runs         mlexp.RunSource       // nil: the query routes answer 503
	MLflowUIURL  string                // base of links into MLflow's UI
	Artifacts    Artifacts             // nil: training_curves.png answers 503
	TrainingURL  string                // where full-training requests are forwarded; "": they answer 503
	Comparisons  mlexp.ComparisonStore // nil: saved comparisons answer 503
	Auth         *Auth                 // nil: NoAuth, every request is the local user
}

// server holds the dependencies of the handlers.
type server struct {
	logger       *slog.Logger
	checks       []Check
	metrics      *Metrics
	now          func() time.Time
	checkTimeout time.Duration
	ingest       Ingester
	promoter     Promoter
	best         BestSelector
	runs         mlexp.RunSource
	mlflowUI     string
	artifacts    Artifacts
	trainURL     string
	trainHTTP    *http.Client
	pages        *pageSet // parsed once, here: a broken view fails start-up
	comparisons  mlexp.ComparisonStore
	auth         *Auth
}

// NewServer returns the HTTP handler of mlexp: every route, wrapped in the request metrics,
// access log and panic recovery.
func NewServer(deps Deps) http.Handler {
	s := newServer(deps)
	mux := http.NewServeMux()
	s.routes(mux)
	return s.wrap(mux)
}

// newServer fills in the defaults of deps.
func newServer(deps Deps) *server {
	s := &server{
		logger:       deps.Logger,
		checks:       deps.Checks,
		metrics:      deps.Metrics,
		now:          deps.Now,
		checkTimeout: deps.CheckTimeout,
		ingest:       deps.Ingest,
		promoter:     deps.Promoter,
		best:         deps.Best,
		runs:         deps.Runs,
		mlflowUI:     strings.TrimRight(deps.MLflowUIURL, "/"),
		artifacts:    deps.Artifacts,
		trainURL:     deps.TrainingURL,
		comparisons:  deps.Comparisons,
		auth:         deps.Auth,
		trainHTTP:    &http.Client{Timeout: trainingTimeout},
		pages:        mustLoadPages(),
	}
	if s.auth == nil {
		s.auth = NoAuth()
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.checkTimeout <= 0 {
		s.checkTimeout = DefaultCheckTimeout
	}
	return s
}

// wrap adds the middleware around the mux. The recovery sits inside the metrics and the
// log, so that a panic is counted and logged as the 500 it is answered with.
func (s *server) wrap(mux *http.ServeMux) http.Handler {
	return s.observe(s.recoverPanics(s.refuseCrossOrigin(s.authenticate(capturePattern(mux)))))
}
