package mlexp

import (
	"math"
	"time"
)

// Status of a quick test or training run when it is reported.
type Status string

// Statuses a trainer reports.
const (
	StatusCompleted Status = "completed"
	StatusFailed    Status = "failed"
)

// Metrics are the evaluation results of a run: loss and Recall@k as fractions 0..1. Pointers
// tell a missing value from a zero; Extra holds any other metric by its MLflow key.
type Metrics struct {
	Loss        *float64           `json:"loss,omitempty"`
	RecallAt10  *float64           `json:"recall_at_10,omitempty"`
	RecallAt50  *float64           `json:"recall_at_50,omitempty"`
	RecallAt100 *float64           `json:"recall_at_100,omitempty"`
	Extra       map[string]float64 `json:"extra,omitempty"`
}

// Standard metric keys, as logged to MLflow.
const (
	MetricLoss        = "loss"
	MetricFinalLoss   = "final_loss"
	MetricRecallAt10  = "recall_at_10"
	MetricRecallAt50  = "recall_at_50"
	MetricRecallAt100 = "recall_at_100"
	MetricCostUSD     = "cost_usd"
)

// Each returns the metrics that are set, by MLflow key, standard ones first.
func (m Metrics) Each(fn func(key string, v float64)) {
	for _, kv := range []struct {
		k string
		v *float64
	}{{MetricLoss, m.Loss}, {MetricRecallAt10, m.RecallAt10}, {MetricRecallAt50, m.RecallAt50}, {MetricRecallAt100, m.RecallAt100}} {
		if kv.v != nil {
			fn(kv.k, *kv.v)
		}
	}
	for _, k := range sortedKeys(m.Extra) {
		fn(k, m.Extra[k])
	}
}

// validate checks ranges; required says whether the four standard metrics must be present.
func (m Metrics) validate(prefix string, required bool) error {
	var p problems
	check := func(key string, v *float64, recall bool) error {
		field := prefix + "." + key
		switch {
		case v == nil && required:
			return InvalidField(field, "is required for a completed run")
		case v == nil:
			return nil
		case math.IsNaN(*v) || math.IsInf(*v, 0):
			return InvalidField(field, "must be a finite number")
		case recall && (*v < 0 || *v > 1):
			return InvalidField(field, "is a fraction between 0 and 1, got %v", *v)
		case !recall && *v < 0:
			return InvalidField(field, "must not be negative, got %v", *v)
		}
		return nil
	}
	for _, c := range []struct {
		k      string
		v      *float64
		recall bool
	}{{MetricLoss, m.Loss, false}, {MetricRecallAt10, m.RecallAt10, true}, {MetricRecallAt50, m.RecallAt50, true}, {MetricRecallAt100, m.RecallAt100, true}} {
		p.add(check(c.k, c.v, c.recall))
	}
	for _, k := range sortedKeys(m.Extra) {
		field := prefix + ".extra." + k
		_, standard := metricSpecByName[k]
		idErr := validateIdentifier(field, k)
		switch v := m.Extra[k]; {
		case idErr != nil:
			p.add(idErr)
		case standard:
			p.add(InvalidField(field, "is a standard metric: give it outside extra"))
		case math.IsInf(v, 0) || math.IsNaN(v):
			p.add(InvalidField(field, "must be a finite number"))
		}
	}
	return p.err()
}

// Failure says where and why a run failed.
type Failure struct {
	Stage  string `json:"stage"`  // e.g. "Transform"
	Reason string `json:"reason"` // e.g. "OOM during Transform: user:256d"
}

// Timing is when a run started and ended, as the trainer reported it.
type Timing struct {
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
}

func (t Timing) validate(prefix string) error {
	switch {
	case t.StartedAt.IsZero() && t.FinishedAt.IsZero():
		var p problems
		p.add(InvalidField(prefix+".started_at", "is required (RFC 3339, e.g. 2026-11-26T09:30:00Z)"))
		p.add(InvalidField(prefix+".finished_at", "is required (RFC 3339, e.g. 2026-11-26T09:38:00Z)"))
		return p.err()
	case t.StartedAt.IsZero():
		return InvalidField(prefix+".started_at", "is required (RFC 3339, e.g. 2026-11-26T09:30:00Z)")
	case t.FinishedAt.IsZero():
		return InvalidField(prefix+".finished_at", "is required (RFC 3339, e.g. 2026-11-26T09:38:00Z)")
	case t.FinishedAt.Before(t.StartedAt):
		return InvalidField(prefix+".finished_at", "is before started_at")
	case t.StartedAt.Year() < 2000 || t.FinishedAt.Year() > 2200:
		return InvalidField(prefix+".started_at", "is not a plausible time")
	}
	return nil
}

func validateOutcome(prefix string, status Status, failure *Failure, cost *float64) error {
	var p problems
	switch status {
	case StatusCompleted:
		if failure != nil {
			p.add(InvalidField(prefix+".failure", "is only for failed runs"))
		}
	case StatusFailed:
		if failure == nil || failure.Stage == "" || failure.Reason == "" {
			p.add(InvalidField(prefix+".failure", "a failed run needs failure.stage and failure.reason"))
		} else if len(failure.Stage) > 250 || len(failure.Reason) > 4000 {
			p.add(InvalidField(prefix+".failure", "stage (250) or reason (4000 characters) is too long"))
		}
	case "":
		p.add(InvalidField(prefix+".status", "is required: completed or failed"))
	default:
		p.add(InvalidField(prefix+".status", "must be completed or failed, got %q", status))
	}
	if cost != nil && (math.IsNaN(*cost) || math.IsInf(*cost, 0) || *cost < 0) {
		p.add(InvalidField(prefix+".cost_usd", "must be a non-negative number"))
	}
	return p.err()
}

func positive(field string, v, max int) error {
	if v < 1 || v > max {
		return InvalidField(field, "must be between 1 and %d, got %d", max, v)
	}
	return nil
}
