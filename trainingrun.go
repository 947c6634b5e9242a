package mlexp

import (
	"fmt"
	"net/url"
)

// EpochMetrics are the metrics of one epoch of a full training.
type EpochMetrics struct {
	Epoch int `json:"epoch"`
	Metrics
}

// TrainingRun is the result of a full training of a feature configuration.
type TrainingRun struct {
	ID        int            `json:"id"` // the "#46" of "config-042 Full Training #46"
	Epochs    int            `json:"epochs"`
	BatchSize int            `json:"batch_size"`
	Status    Status         `json:"status"`
	CostUSD   *float64       `json:"cost_usd,omitempty"`
	Metrics   Metrics        `json:"metrics"` // final metrics
	History   []EpochMetrics `json:"history,omitempty"`
	ModelURI  string         `json:"model_uri,omitempty"` // e.g. gs://bucket/models/46
	Lineage   *LineageIDs    `json:"lineage,omitempty"`   // where the run is in ML Metadata
	Failure   *Failure       `json:"failure,omitempty"`
	Timing
}

// maxHistory bounds the per-epoch history of one report.
const maxHistory = 10000

// Validate checks the training run; field names are prefixed with prefix.
func (t TrainingRun) Validate(prefix string) error {
	if err := positive(prefix+".id", t.ID, 1<<31-1); err != nil {
		return err
	}
	if err := positive(prefix+".epochs", t.Epochs, maxHistory); err != nil {
		return err
	}
	if err := positive(prefix+".batch_size", t.BatchSize, 1<<30); err != nil {
		return err
	}
	if err := validateOutcome(prefix, t.Status, t.Failure, t.CostUSD); err != nil {
		return err
	}
	if err := t.Metrics.validate(prefix+".metrics", t.Status == StatusCompleted); err != nil {
		return err
	}
	if len(t.History) > t.Epochs {
		return InvalidField(prefix+".history", "has %d epochs, more than epochs (%d)", len(t.History), t.Epochs)
	}
	last := 0
	for i, e := range t.History {
		field := fmt.Sprintf("%s.history[%d]", prefix, i)
		if e.Epoch <= last || e.Epoch > t.Epochs {
			return InvalidField(field+".epoch", "epochs must increase from 1 to %d, got %d after %d", t.Epochs, e.Epoch, last)
		}
		last = e.Epoch
		if err := e.Metrics.validate(field, false); err != nil {
			return err
		}
	}
	if t.ModelURI != "" {
		u, err := url.Parse(t.ModelURI)
		if err != nil || u.Scheme == "" || len(t.ModelURI) > 2000 {
			return InvalidField(prefix+".model_uri", "must be a URI with a scheme, such as gs://bucket/path")
		}
	}
	if err := t.Lineage.validate(prefix + ".lineage"); err != nil {
		return err
	}
	return t.Timing.validate(prefix)
}

// TrainingRunReport is what a trainer reports about a full training.
type TrainingRunReport struct {
	Model         Model         `json:"model"`
	Dataset       Dataset       `json:"dataset"`
	FeatureConfig FeatureConfig `json:"feature_config"`
	TrainingRun   TrainingRun   `json:"training_run"`
}

// Validate checks every part of the report.
func (r TrainingRunReport) Validate() error {
	if err := validateSubject(r.Model, r.Dataset, r.FeatureConfig); err != nil {
		return err
	}
	return r.TrainingRun.Validate("training_run")
}

// CurvesRenderer draws a training's per-epoch history as a PNG titled title
// (chart.TrainingCurves); the recorder logs it as training_curves.png.
type CurvesRenderer func(title string, history []EpochMetrics) ([]byte, error)
