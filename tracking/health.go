package tracking

import (
	"sync"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// Health remembers whether MLflow answered the last call mlexp made to it: it watches every
// attempt of the client (mlflow.WithObserver), so that it knows MLflow is down from the first
// failed attempt, not only once a call has used up its retries. The reader uses it to mark
// cached runs stale at once, and to answer at once, rather than wait for retries, when it has
// nothing cached to serve.
type Health struct {
	mu    sync.Mutex
	since time.Time // when MLflow stopped answering; zero while it answers
	err   error
	now   func() time.Time
}

// NewHealth returns a Health that believes MLflow is up until an attempt fails.
func NewHealth(now func() time.Time) *Health { return &Health{now: now} }

// Observe records an attempt: one that reached no server, or a 502, 503 or 504 from a proxy
// or MLflow itself, means MLflow is down; any other answer means it is up.
func (h *Health) Observe(c mlflow.Call) {
	down := c.Status == 0 && c.Err != nil || c.Status == 502 || c.Status == 503 || c.Status == 504
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case !down:
		h.since, h.err = time.Time{}, nil
	case h.since.IsZero():
		h.since, h.err = h.now(), c.Err
	}
}

// Down returns the error to answer while MLflow is down (nil while it is up), saying since
// when; the caller says what it was doing.
func (h *Health) Down(doing string) error {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.since.IsZero() {
		return nil
	}
	return mlexp.Unavailable(mlexp.DependencyMLflow, h.err, "%s: MLflow cannot be reached since %s; try again shortly",
		doing, h.since.UTC().Format("15:04:05 UTC"))
}
