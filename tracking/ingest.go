package tracking

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// Ingest takes reported results: it validates them, commits them to the outbox, wakes the
// delivery and waits a short while for the MLflow run id.
type Ingest struct {
	outbox   mlexp.Outbox
	delivery *Delivery
	wait     time.Duration
}

// NewIngest returns an ingest service that waits up to wait for delivery before answering
// with a pending item instead.
func NewIngest(outbox mlexp.Outbox, delivery *Delivery, wait time.Duration) *Ingest {
	return &Ingest{outbox: outbox, delivery: delivery, wait: wait}
}

// SubmitQuickTest queues a quick test for MLflow.
func (s *Ingest) SubmitQuickTest(ctx context.Context, r mlexp.QuickTestReport) (*mlexp.OutboxItem, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	r.QuickTest.Timing = utc(r.QuickTest.Timing)
	return s.submit(ctx, mlexp.KindQuickTest, QuickTestKey(r), r)
}

// SubmitTrainingRun queues a full training for MLflow.
func (s *Ingest) SubmitTrainingRun(ctx context.Context, r mlexp.TrainingRunReport) (*mlexp.OutboxItem, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	r.TrainingRun.Timing = utc(r.TrainingRun.Timing)
	return s.submit(ctx, mlexp.KindTrainingRun, TrainingRunKey(r), r)
}

func (s *Ingest) submit(ctx context.Context, kind, key string, report any) (*mlexp.OutboxItem, error) {
	payload, err := json.Marshal(report)
	if err != nil {
		return nil, err
	}
	item, created, err := s.outbox.Enqueue(ctx, mlexp.OutboxItem{Kind: kind, IdempotencyKey: key, Payload: payload})
	if err != nil {
		return nil, err
	}
	if !created && !bytes.Equal(item.Payload, payload) {
		return nil, &mlexp.Error{Code: mlexp.ECONFLICT, Message: "this result (" + key + ") was already reported with different values; " +
			"results are immutable in MLflow: report it under a new id", Details: map[string]any{"id": item.ID, "idempotency_key": key}}
	}
	if item.Status == mlexp.OutboxPending && s.delivery != nil {
		s.delivery.Wake()
	}
	return s.await(ctx, item.ID)
}

// await polls the item until it is settled, the wait is over or ctx ends.
func (s *Ingest) await(ctx context.Context, id string) (*mlexp.OutboxItem, error) {
	deadline := time.Now().Add(s.wait)
	for {
		item, err := s.outbox.OutboxItem(ctx, id)
		if err != nil || item.Status != mlexp.OutboxPending || time.Now().After(deadline) {
			return item, err
		}
		select {
		case <-ctx.Done():
			return item, nil
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Status returns an ingest item by id.
func (s *Ingest) Status(ctx context.Context, id string) (*mlexp.OutboxItem, error) {
	return s.outbox.OutboxItem(ctx, id)
}

func utc(t mlexp.Timing) mlexp.Timing {
	return mlexp.Timing{StartedAt: t.StartedAt.UTC(), FinishedAt: t.FinishedAt.UTC()}
}
