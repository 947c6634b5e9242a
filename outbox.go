package mlexp

import (
	"context"
	"encoding/json"
	"time"
)

// Kinds of outbox items.
const (
	KindQuickTest   = string(QuickTestRun)
	KindTrainingRun = "training_run"
)

// Outbox item statuses.
const (
	OutboxPending   = "pending"   // waiting for (another) delivery attempt
	OutboxDelivered = "delivered" // in MLflow; RunID is set
	OutboxFailed    = "failed"    // MLflow refused it for good; LastError says why; kept
)

// OutboxItem is a reported result waiting for, or done with, delivery to MLflow. Ingest
// commits it before answering, so nothing a trainer reported is lost.
type OutboxItem struct {
	ID             string          `json:"id"`
	Kind           string          `json:"kind"`
	IdempotencyKey string          `json:"idempotency_key"`
	Payload        json.RawMessage `json:"-"`
	Status         string          `json:"status"`
	Attempts       int             `json:"attempts"`
	RunID          string          `json:"run_id,omitempty"`
	LastError      string          `json:"last_error,omitempty"`
	NextAttemptAt  time.Time       `json:"next_attempt_at"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// Outbox is the durable queue between ingest and MLflow. A worker claims an item with a
// lease; only the lease holder may settle it, and an expired lease (a crashed worker) lets
// another worker claim the item again.
type Outbox interface {
	// Enqueue stores a new item, or returns the existing one with the same idempotency key
	// (created is false then).
	Enqueue(ctx context.Context, item OutboxItem) (stored OutboxItem, created bool, err error)
	// Claim leases the oldest due pending item to worker, counting an attempt; nil when none.
	Claim(ctx context.Context, worker string, now time.Time, lease time.Duration) (*OutboxItem, error)
	// Extend renews worker's lease on item id.
	Extend(ctx context.Context, id, worker string, until time.Time) error
	// Delivered, Retry and Fail settle a claimed item; they fail with ECONFLICT when worker no
	// longer holds the lease.
	Delivered(ctx context.Context, id, worker, runID string, now time.Time) error
	Retry(ctx context.Context, id, worker, lastError string, next, now time.Time) error
	Fail(ctx context.Context, id, worker, lastError string, now time.Time) error
	// OutboxItem returns one item; ENOTFOUND when there is none.
	OutboxItem(ctx context.Context, id string) (*OutboxItem, error)
	// OutboxCounts returns the number of items by status.
	OutboxCounts(ctx context.Context) (map[string]int, error)
}

// Ingester queues reported results for MLflow and answers how their delivery went
// (tracking.Ingest).
type Ingester interface {
	SubmitQuickTest(ctx context.Context, r QuickTestReport) (*OutboxItem, error)
	SubmitTrainingRun(ctx context.Context, r TrainingRunReport) (*OutboxItem, error)
	Status(ctx context.Context, id string) (*OutboxItem, error)
}
