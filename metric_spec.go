package mlexp

import "strings"

// MetricSpec is how mlexp names, judges and shows one metric. The table of them,
// metricSpecs, is the one place a first-class metric is described: pages, the CLI, the CSV
// exports and the charts read it through MetricSpecOf and the helpers below. A metric
// outside the table gets a spec by the rules of the naming contract (see derivedSpec).
type MetricSpec struct {
	Name        string // the MLflow key: recall_at_100
	Label       string // for people: Recall@100
	Short       string // for narrow columns: R@100
	LowerBetter bool   // minimised (loss, cost); maximised otherwise
	Fraction    bool   // a fraction shown as a percentage; differences in percentage points
	Unit        string // of a value as shown: "%" for fractions, "USD" for cost, "" for none
	// Decimals is the one precision rule of the metric: how many decimals its values and
	// their differences are shown with, in the unit shown (percent and percentage points for
	// a fraction, dollars for cost). 0 with no unit means three significant digits.
	Decimals int
	Standard bool // every run of the naming contract has it; tables show it by default
}

// UnitUSDValue is the Unit of a cost in US dollars, shown as "$38.22".
const UnitUSDValue = "USD"

// metricSpecs are the first-class metrics, in the order screens show the standard ones.
var metricSpecs = []MetricSpec{
	{Name: MetricRecallAt100, Label: "Recall@100", Short: "R@100", Fraction: true, Unit: "%", Decimals: 1, Standard: true},
	{Name: MetricRecallAt50, Label: "Recall@50", Short: "R@50", Fraction: true, Unit: "%", Decimals: 1, Standard: true},
	{Name: MetricRecallAt10, Label: "Recall@10", Short: "R@10", Fraction: true, Unit: "%", Decimals: 1, Standard: true},
	{Name: MetricLoss, Label: "Loss", Short: "Loss", LowerBetter: true, Decimals: 3, Standard: true},
	{Name: MetricFinalLoss, Label: "Final loss", Short: "Final loss", LowerBetter: true, Decimals: 3},
	{Name: MetricCostUSD, Label: "Cost", Short: "Cost", LowerBetter: true, Unit: UnitUSDValue, Decimals: 2},
}

// metricSpecByName indexes metricSpecs: LowerIsBetter and IsFraction run inside sorts.
var metricSpecByName = func() map[string]MetricSpec {
	m := make(map[string]MetricSpec, len(metricSpecs))
	for _, s := range metricSpecs {
		m[s.Name] = s
	}
	return m
}()

// StandardMetrics are the metrics every run of the naming contract has, in the order
// screens show them.
var StandardMetrics = func() []string {
	var out []string
	for _, s := range metricSpecs {
		if s.Standard {
			out = append(out, s.Name)
		}
	}
	return out
}()

// MetricSpecs returns the table of first-class metrics, in the order screens show them.
func MetricSpecs() []MetricSpec { return append([]MetricSpec(nil), metricSpecs...) }

// MetricSpecOf returns the spec of metric: its row of the table, else the spec its name
// implies.
func MetricSpecOf(metric string) MetricSpec {
	if s, ok := metricSpecByName[metric]; ok {
		return s
	}
	return derivedSpec(metric)
}

// derivedSpec is the spec of a metric outside the table, by its name: recall_at_K is
// Recall@K; names containing loss, error, mse, mae, rmse, cost, duration or latency are
// minimised; recall, precision, hit_rate, ndcg, mrr and accuracy are fractions; names
// ending in _usd are costs in dollars.
func derivedSpec(metric string) MetricSpec {
	s := MetricSpec{Name: metric, Label: metric, Short: metric}
	if k, ok := strings.CutPrefix(metric, "recall_at_"); ok {
		s.Label, s.Short = "Recall@"+k, "R@"+k
	}
	m := strings.ToLower(metric)
	for _, w := range []string{"loss", "error", "mse", "mae", "rmse", "cost", "duration", "latency"} {
		if strings.Contains(m, w) {
			s.LowerBetter = true
		}
	}
	for _, p := range []string{"recall", "precision", "hit_rate", "ndcg", "mrr", "accuracy"} {
		if strings.HasPrefix(m, p) {
			s.Fraction, s.Unit, s.Decimals = true, "%", 1
		}
	}
	if strings.HasSuffix(m, "_usd") {
		s.Unit, s.Decimals = UnitUSDValue, 2
	}
	return s
}

// LowerIsBetter reports whether smaller values of metric are better: names containing loss,
// error, mse, mae or rmse (and cost or duration). Every other metric is maximised.
func LowerIsBetter(metric string) bool { return MetricSpecOf(metric).LowerBetter }

// IsFraction reports whether metric is a fraction shown as a percentage (Recall@k and the
// like), so that differences are in percentage points.
func IsFraction(metric string) bool { return MetricSpecOf(metric).Fraction }

// MetricLabel is the human name of metric: "Recall@100" for recall_at_100, "Loss" for loss.
func MetricLabel(metric string) string { return MetricSpecOf(metric).Label }

// MetricShortLabel is the name of metric for narrow columns: "R@100" for recall_at_100.
func MetricShortLabel(metric string) string { return MetricSpecOf(metric).Short }
