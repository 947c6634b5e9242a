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

// Validate checks the quick test; field names are prefixed with prefix. It reports every
// invalid field at once.
func (q QuickTest) Validate(prefix string) error {
	var p problems
	p.add(positive(prefix+".id", q.ID, 1<<31-1))
	if !(q.DataSamplePercent > 0 && q.DataSamplePercent <= 100) {
		p.add(InvalidField(prefix+".data_sample_percent", "must be more than 0 and at most 100, got %v", q.DataSamplePercent))
	}
	p.add(positive(prefix+".epochs", q.Epochs, 100000))
	p.add(validateOutcome(prefix, q.Status, q.Failure, q.CostUSD))
	p.add(q.Metrics.validate(prefix+".metrics", q.Status == StatusCompleted))
	p.add(q.Lineage.validate(prefix + ".lineage"))
	p.add(q.Timing.validate(prefix))
	return p.err()
}

// QuickTestReport is what a trainer reports about a quick test: the result and what it ran on.
type QuickTestReport struct {
	Model         Model         `json:"model"`
	Dataset       Dataset       `json:"dataset"`
	FeatureConfig FeatureConfig `json:"feature_config"`
	QuickTest     QuickTest     `json:"quick_test"`
}

// Validate checks every part of the report, and reports every invalid field at once.
func (r QuickTestReport) Validate() error {
	var p problems
	validateSubject(&p, r.Model, r.Dataset, r.FeatureConfig)
	p.add(r.QuickTest.Validate("quick_test"))
	return p.err()
}

// validateSubject checks what a result ran on: the model, the dataset and the config.
func validateSubject(p *problems, m Model, d Dataset, c FeatureConfig) {
	p.add(m.Validate("model"))
	p.add(d.Validate("dataset"))
	p.add(c.Validate("feature_config"))
}
