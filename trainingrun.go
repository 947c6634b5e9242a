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

// Validate checks the training run; field names are prefixed with prefix. It reports every
// invalid field at once.
func (t TrainingRun) Validate(prefix string) error {
	var p problems
	p.add(positive(prefix+".id", t.ID, 1<<31-1))
	p.add(positive(prefix+".epochs", t.Epochs, maxHistory))
	p.add(positive(prefix+".batch_size", t.BatchSize, 1<<30))
	p.add(validateOutcome(prefix, t.Status, t.Failure, t.CostUSD))
	p.add(t.Metrics.validate(prefix+".metrics", t.Status == StatusCompleted))
	p.add(t.validateHistory(prefix))
	if t.ModelURI != "" {
		u, err := url.Parse(t.ModelURI)
		if err != nil || u.Scheme == "" || len(t.ModelURI) > 2000 {
			p.add(InvalidField(prefix+".model_uri", "must be a URI with a scheme, such as gs://bucket/path"))
		}
	}
	p.add(t.Lineage.validate(prefix + ".lineage"))
	p.add(t.Timing.validate(prefix))
	return p.err()
}

// validateHistory checks the per-epoch history: epochs that increase within 1..Epochs, and
// each epoch's metrics.
func (t TrainingRun) validateHistory(prefix string) error {
	if len(t.History) > t.Epochs {
		return InvalidField(prefix+".history", "has %d epochs, more than epochs (%d)", len(t.History), t.Epochs)
	}
	var p problems
	last := 0
	for i, e := range t.History {
		field := fmt.Sprintf("%s.history[%d]", prefix, i)
		if e.Epoch <= last || e.Epoch > t.Epochs {
			p.add(InvalidField(field+".epoch", "epochs must increase from 1 to %d, got %d after %d", t.Epochs, e.Epoch, last))
		}
		last = max(last, e.Epoch)
		p.add(e.Metrics.validate(field, false))
	}
	return p.err()
}

// TrainingRunReport is what a trainer reports about a full training.
type TrainingRunReport struct {
	Model         Model         `json:"model"`
	Dataset       Dataset       `json:"dataset"`
	FeatureConfig FeatureConfig `json:"feature_config"`
	TrainingRun   TrainingRun   `json:"training_run"`
}

// Validate checks every part of the report, and reports every invalid field at once.
func (r TrainingRunReport) Validate() error {
	var p problems
	validateSubject(&p, r.Model, r.Dataset, r.FeatureConfig)
	p.add(r.TrainingRun.Validate("training_run"))
	return p.err()
}

// CurvesRenderer draws a training's per-epoch history as a PNG titled title
// (chart.TrainingCurves); the recorder logs it as training_curves.png.
type CurvesRenderer func(title string, history []EpochMetrics) ([]byte, error)
