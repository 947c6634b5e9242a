// Package web is the HTTP face of mlexp: the JSON API (api_*.go), the server-rendered HTML
// pages with their SVG charts and exports (page_*.go, templates/, static/), sign-in and the
// three auth modes (auth.go, signin.go), health and readiness probes, and Prometheus
// metrics. Every route is listed in routes.go. Queries are answered by the use cases of
// package explore, so that the API, the pages and the CLI give one answer; handlers only
// read parameters and render. Every JSON answer and error goes through response.go, every
// HTML error through page_error.go.
package web

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/explore"
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
// logger that discards, new Metrics, time.Now and DefaultCheckTimeout. A nil dependency
// makes the routes that need it answer 503 (mlexp.NotConfigured).
type Deps struct {
	Logger       *slog.Logger
	Checks       []Check // asked by /readyz, concurrently
	Metrics      *Metrics
	Now          func() time.Time
	CheckTimeout time.Duration
	Ingest       mlexp.Ingester        // the ingest routes
	Promoter     mlexp.Promoter        // promotions and the deployment history
	Best         mlexp.BestSelector    // best-run selection
	Runs         mlexp.RunSource       // the query routes and pages
	Attacher     mlexp.Attacher        // attaching an experiment to a model
	MLflowUIURL  string                // base of links into MLflow's UI
	Artifacts    mlexp.Artifacts       // training_curves.png
	Lineage      mlexp.LineageStore    // the ML Metadata store; nil: lineage is off
	LineageRefs  mlexp.LineageRefs     // what links a run to ML Metadata
	TrainingURL  string                // where full-training requests are forwarded; "": they answer 503
	Comparisons  mlexp.ComparisonStore // saved comparisons
	Towers       mlexp.TowerStore      // the models' tower mappings; nil: their routes answer 503
	Auth         *Auth                 // nil: NoAuth, every request is the local user
	// Sessions keeps the browser sessions of token auth. nil: this process's memory, under a
	// secret of its own: sessions end with the process and each replica has its own.
	Sessions mlexp.SessionStore
	// SessionSecret signs session cookies (at least 32 bytes). nil: the secret of Sessions.
	SessionSecret []byte
	// AllowedHosts are the Host headers served, "name" (any port) or "name:port"; others are
	// answered 421, which defeats DNS rebinding. Empty: any Host. mlexp serve sets it to
	// LoopbackHosts with --auth none, plus --allowed-hosts.
	AllowedHosts []string
	// ReadPath says which path served the last read of an experiment's runs into the run
	// index ("database": MLflow's database; "rest": its API); the pages say so. nil: not shown.
	ReadPath func(experimentID string) string
	// ReadyNotes are facts /readyz adds to its answer, by name (e.g. whether MLflow's database
	// is read); they must hold no secret, host or URL.
	ReadyNotes map[string]string
}

// server holds the dependencies of the handlers.
type server struct {
	logger       *slog.Logger
	checks       []Check
	metrics      *Metrics
	now          func() time.Time
	checkTimeout time.Duration
	explore      *explore.Service // every query
	ingest       mlexp.Ingester
	promoter     mlexp.Promoter
	artifacts    mlexp.Artifacts
	trainURL     string
	trainHTTP    *http.Client
	pages        *pageSet // parsed once, here: a broken view fails start-up
	comparisons  mlexp.ComparisonStore
	canSave      bool // comparisons can be saved: a store was given
	canMapTowers bool // tower mappings can be set: a store was given
	auth         *Auth
	attempts     *failedAttempts // failed sign-ins by client, to limit token guessing
	hosts        []hostRule      // the Host headers served; empty: any
	sessions     *sessions       // token auth's browser sessions
	readPath     func(experimentID string) string
	readyNotes   map[string]string
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
		ingest:       cmp.Or[mlexp.Ingester](deps.Ingest, missingIngester{}),
		promoter:     cmp.Or[mlexp.Promoter](deps.Promoter, missingPromoter{}),
		artifacts:    cmp.Or[mlexp.Artifacts](deps.Artifacts, missingArtifacts{}),
		trainURL:     deps.TrainingURL,
		comparisons:  cmp.Or[mlexp.ComparisonStore](deps.Comparisons, missingComparisons{}),
		canSave:      deps.Comparisons != nil,
		canMapTowers: deps.Towers != nil,
		auth:         deps.Auth,
		attempts:     newFailedAttempts(),
		hosts:        hostRules(deps.AllowedHosts),
		sessions:     newSessions(deps.Sessions, deps.SessionSecret),
		trainHTTP:    &http.Client{Timeout: trainingTimeout},
		pages:        mustLoadPages(),
		readPath:     deps.ReadPath,
		readyNotes:   deps.ReadyNotes,
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
	models, _ := deps.Artifacts.(mlexp.RunModelReader)         // the reader of artifacts finds run models too
	histories, _ := deps.Artifacts.(mlexp.MetricHistoryReader) // and metric histories
	s.explore = explore.New(explore.Deps{Runs: deps.Runs, Best: deps.Best, Attacher: deps.Attacher,
		Lineage: deps.Lineage, LineageRefs: deps.LineageRefs, RunModels: models, Towers: deps.Towers, Histories: histories, MLflowUIURL: deps.MLflowUIURL, Now: s.now})
	if s.checkTimeout <= 0 {
		s.checkTimeout = DefaultCheckTimeout
	}
	return s
}

// wrap adds the middleware around the mux. The recovery sits inside the metrics and the
// log, so that a panic is counted and logged as the 500 it is answered with; the Host is
// checked before anything else is.
func (s *server) wrap(mux *http.ServeMux) http.Handler {
	return s.observe(s.recoverPanics(s.refuseForeignHosts(s.refuseCrossOrigin(s.authenticate(capturePattern(s.unmatched(mux)))))))
}
