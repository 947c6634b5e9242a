package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// Delivery moves outbox items into MLflow: workers claim an item with a lease, log it, and
// settle it as delivered, failed for good (MLflow refused it), or due again after a backoff.
// A worker that dies loses its lease, and the item is claimed again and resumed by its
// idempotency key, so every item ends up in MLflow exactly once.
type Delivery struct {
	outbox mlexp.Outbox
	logger *Logger
	log    *slog.Logger
	cfg    DeliveryConfig
	wake   chan struct{}
}

// DeliveryConfig tunes delivery. Zero values take the defaults.
type DeliveryConfig struct {
	Worker     string        // lease holder name, unique per process (default random)
	Workers    int           // concurrent deliveries (default 4)
	Lease      time.Duration // how long a claim lasts without renewal (default 30s)
	Poll       time.Duration // how often idle workers look for due items (default 1s)
	Timeout    time.Duration // bound on one delivery (default 2m)
	MaxBackoff time.Duration // longest wait between attempts (default 5m)
	Now        func() time.Time
}

// NewDelivery returns a delivery of outbox's items through logger.
func NewDelivery(outbox mlexp.Outbox, logger *Logger, log *slog.Logger, cfg DeliveryConfig) *Delivery {
	if cfg.Worker == "" {
		cfg.Worker = fmt.Sprintf("mlexp-%08x", rand.Uint32())
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Delivery{outbox: outbox, logger: logger, log: log, cfg: cfg, wake: make(chan struct{}, 1)}
}

// Wake tells an idle worker that an item was just enqueued.
func (d *Delivery) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is cancelled, then lets deliveries in flight finish (each is bounded
// by the delivery timeout) and returns.
func (d *Delivery) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := 0; i < d.cfg.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				worked, err := d.DeliverOne(ctx)
				if err != nil && ctx.Err() == nil {
					d.log.Error("outbox", "err", err)
				}
				if worked {
					continue
				}
				select {
				case <-ctx.Done():
				case <-d.wake:
				case <-time.After(d.cfg.Poll):
				}
			}
		}()
	}
	wg.Wait()
}

// DeliverOne claims one due item and delivers it. It reports whether there was one.
func (d *Delivery) DeliverOne(ctx context.Context) (bool, error) {
	item, err := d.outbox.Claim(ctx, d.cfg.Worker, d.cfg.Now(), d.cfg.Lease)
	if err != nil || item == nil {
		return false, err
	}
	// The delivery outlives a shutdown request (bounded by the timeout): an interrupted one
	// would only be redone later.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.Timeout)
	defer cancel()
	stop := d.keepLease(dctx, item.ID)
	runID, derr := d.deliver(dctx, item)
	stop()

	now := d.cfg.Now()
	switch {
	case derr == nil:
		d.log.Info("delivered", "item", item.ID, "key", item.IdempotencyKey, "run_id", runID, "attempt", item.Attempts)
		return true, d.outbox.Delivered(dctx, item.ID, d.cfg.Worker, runID, now)
	case permanent(derr):
		d.log.Error("MLflow refused an ingest item; kept as failed", "item", item.ID, "key", item.IdempotencyKey, "err", derr)
		return true, d.outbox.Fail(dctx, item.ID, d.cfg.Worker, outboxMessage(derr), now)
	default:
		next := now.Add(d.backoff(item.Attempts))
		d.log.Warn("delivery failed; will retry", "item", item.ID, "attempt", item.Attempts, "next", next, "err", derr)
		return true, d.outbox.Retry(dctx, item.ID, d.cfg.Worker, outboxMessage(derr), next, now)
	}
}

func (d *Delivery) deliver(ctx context.Context, item *mlexp.OutboxItem) (string, error) {
	switch item.Kind {
	case mlexp.KindQuickTest:
		var r mlexp.QuickTestReport
		if err := json.Unmarshal(item.Payload, &r); err != nil {
			return "", mlexp.Errorf(mlexp.EINVALID, "stored quick test is unreadable: %v", err)
		}
		return d.logger.LogQuickTest(ctx, r)
	case mlexp.KindTrainingRun:
		var r mlexp.TrainingRunReport
		if err := json.Unmarshal(item.Payload, &r); err != nil {
			return "", mlexp.Errorf(mlexp.EINVALID, "stored training run is unreadable: %v", err)
		}
		return d.logger.LogTrainingRun(ctx, r)
	}
	return "", mlexp.Errorf(mlexp.EINVALID, "unknown outbox item kind %q", item.Kind)
}

// keepLease renews the lease while a delivery runs; the returned func stops it.
func (d *Delivery) keepLease(ctx context.Context, id string) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d.cfg.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := d.outbox.Extend(ctx, id, d.cfg.Worker, d.cfg.Now().Add(d.cfg.Lease)); err != nil && ctx.Err() == nil {
					d.log.Warn("renewing outbox lease", "item", id, "err", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// backoff is exponential in the attempt number, with jitter, up to MaxBackoff.
func (d *Delivery) backoff(attempt int) time.Duration {
	b := time.Second << min(attempt-1, 20)
	b = min(b, d.cfg.MaxBackoff)
	return b/2 + rand.N(b/2+1)
}

// permanent says whether retrying cannot help: MLflow or validation refused the item. A
// failure caused by another delivery of the same result at the same time never is.
func permanent(err error) bool {
	var ve *mlflow.ValidationError
	switch {
	case isRace(err):
		return false
	case errors.As(err, &ve):
		return true
	case errors.Is(err, mlflow.ErrUnavailable), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, mlflow.ErrInvalidParameter):
		return true
	}
	code := mlexp.ErrorCode(err)
	return code == mlexp.EINVALID || code == mlexp.ECONFLICT
}
