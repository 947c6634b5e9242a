package mlexp

// QuickTest is the result of a cheap test of a feature configuration: a sample of the data
// for a few epochs.
type QuickTest struct {
	ID                int         `json:"id"` // the "#3" of "config-042 Quick Test #3"
	DataSamplePercent float64     `json:"data_sample_percent"`
	Epochs            int         `json:"epochs"`
	Status            Status      `json:"status"`
	CostUSD           *float64    `json:"cost_usd,omitempty"`
	Metrics           Metrics     `json:"metrics"`
	Failure           *Failure    `json:"failure,omitempty"`
	Lineage           *LineageIDs `json:"lineage,omitempty"` // where the run is in ML Metadata
	Timing
}

// Validate checks the quick test; field names are prefixed with prefix.
func (q QuickTest) Validate(prefix string) error {
	if err := positive(prefix+".id", q.ID, 1<<31-1); err != nil {
		return err
	}
	if !(q.DataSamplePercent > 0 && q.DataSamplePercent <= 100) {
		return InvalidField(prefix+".data_sample_percent", "must be more than 0 and at most 100, got %v", q.DataSamplePercent)
	}
	if err := positive(prefix+".epochs", q.Epochs, 100000); err != nil {
		return err
	}
	if err := validateOutcome(prefix, q.Status, q.Failure, q.CostUSD); err != nil {
		return err
	}
	if err := q.Metrics.validate(prefix+".metrics", q.Status == StatusCompleted); err != nil {
		return err
	}
	if err := q.Lineage.validate(prefix + ".lineage"); err != nil {
		return err
	}
	return q.Timing.validate(prefix)
}

// QuickTestReport is what a trainer reports about a quick test: the result and what it ran on.
type QuickTestReport struct {
	Model         Model         `json:"model"`
	Dataset       Dataset       `json:"dataset"`
	FeatureConfig FeatureConfig `json:"feature_config"`
	QuickTest     QuickTest     `json:"quick_test"`
}

// Validate checks every part of the report.
func (r QuickTestReport) Validate() error {
	if err := validateSubject(r.Model, r.Dataset, r.FeatureConfig); err != nil {
		return err
	}
	return r.QuickTest.Validate("quick_test")
}

// validateSubject checks what a result ran on: the model, the dataset and the config.
func validateSubject(m Model, d Dataset, c FeatureConfig) error {
	if err := m.Validate("model"); err != nil {
		return err
	}
	if err := d.Validate("dataset"); err != nil {
		return err
	}
	return c.Validate("feature_config")
}
