// Package securitytest keeps the probes of mlexp as an attacker and an operator would send
// them (issue 16): each test is a defect that was found, sent again to a server wired as
// `mlexp serve` wires it, over a real MLflow server and a real SQLite store, so that it
// stays fixed. Each test says which defect it probes.
package securitytest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
	"github.com/mlexp-dev/mlexp/web"
)

var srv *mlflowtest.Server

func TestMain(m *testing.M) { mlflowtest.Main(m, &srv) }

// world is mlexp wired as `mlexp serve` wires it, over the shared MLflow server and a SQLite
// store of its own.
type world struct {
	URL      string // of the HTTP server
	Client   *mlflow.Client
	Store    *sqlstore.DB
	Logger   *tracking.Logger
	Reader   *tracking.Reader
	Delivery *tracking.Delivery
	Deps     web.Deps // as served; tests may change a copy and serve it (serve)
}

// newWorld wires mlexp over MLflow; change lets a test adjust the dependencies first.
func newWorld(t *testing.T, change ...func(*web.Deps)) *world {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	c, err := mlflow.NewClient(srv.URL, mlflow.WithRetry(mlflow.RetryPolicy{MaxAttempts: 3, Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "mlexp.db"))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{Client: c, Store: store}
	w.Logger = tracking.NewLogger(c, chart.TrainingCurves)
	w.Reader = tracking.NewReader(c, 30*time.Second, time.Now, log)
	w.Logger.OnChange(func(experimentID string) {
		w.Reader.Invalidate(experimentID)
		w.Reader.ModelsChanged()
	})
	promoter := tracking.NewPromoter(c, store, time.Now)
	promoter.OnChange(w.Reader.Invalidate)
	w.Delivery = tracking.NewDelivery(store, w.Logger, log, tracking.DeliveryConfig{Workers: 2, Poll: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Delivery.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		store.Close()
	})
	w.Deps = web.Deps{Logger: log, Ingest: tracking.NewIngest(store, w.Delivery, 20*time.Second), Promoter: promoter, Best: promoter,
		Runs: w.Reader, Attacher: w.Logger, Artifacts: w.Reader, MLflowUIURL: srv.URL, Comparisons: store,
		Checks: []web.Check{{Name: "mlflow", Check: c.Ping}, {Name: "database", Check: store.Ping}}}
	for _, f := range change {
		f(&w.Deps)
	}
	w.URL = w.serve(t, w.Deps)
	return w
}

// serve serves deps on a test server of its own and returns its URL.
func (w *world) serve(t *testing.T, deps web.Deps) string {
	t.Helper()
	s := httptest.NewServer(web.NewServer(deps))
	t.Cleanup(s.Close)
	return s.URL
}

// newReaderFor is a reader through client, with the TTL of serve's default.
func newReaderFor(client *mlflow.Client) *tracking.Reader {
	return tracking.NewReader(client, 30*time.Second, time.Now, slog.New(slog.DiscardHandler))
}
