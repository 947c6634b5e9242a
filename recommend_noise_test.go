package mlexp

import (
	"strings"
	"testing"
)

// tiedJudge finds the configs of each listed pair within noise of each other.
type tiedJudge map[[2]string]int

func (j tiedJudge) WithinNoise(metric, a, b string) (bool, int, bool) {
	if n, ok := j[[2]string{a, b}]; ok {
		return true, n, true
	}
	if n, ok := j[[2]string{b, a}]; ok {
		return true, n, true
	}
	return false, 0, true
}

func TestRecommendAsksForReplicatesWithinNoise(t *testing.T) {
	q, f := QuickTestRun, FullTrainingRun
	dep := recRun("dep", f, 0.461)
	dep.Deployed = true
	runs := []Run{recRun("qa", q, 0.473), recRun("qb", q, 0.470), dep}
	// Without a judge: the rule of the spec.
	if r := mustCompare(t, runs, CompareOptions{}).Recommendation; r.Kind != RecommendRunFullTraining {
		t.Errorf("without noise: %s %q", r.Kind, r.Message)
	}
	r := mustCompare(t, runs, CompareOptions{Noise: tiedJudge{{"qa", "qb"}: 12}}).Recommendation
	if r.Kind != RecommendMoreReplicates || r.RunID != "qa" || r.ReferenceRunID != "dep" ||
		!strings.Contains(r.Message, "qa shows +1.2 pp improvement in Recall@100 over dep (deployed), but its quick tests are within run-to-run noise of qb's") ||
		!strings.Contains(r.Message, "Run about 12 runs of each before a Full Training.") {
		t.Errorf("within noise: %s %s vs %s %q", r.Kind, r.RunID, r.ReferenceRunID, r.Message)
	}
	// Too close for any practical number of runs: treat them as equivalent.
	r = mustCompare(t, runs, CompareOptions{Noise: tiedJudge{{"qa", "qb"}: 0}}).Recommendation
	if r.Kind != RecommendMoreReplicates || !strings.Contains(r.Message, "treat them as equivalent: no practical number of runs tells them apart") {
		t.Errorf("within noise, beyond practical replicates: %s %q", r.Kind, r.Message)
	}
	// A judge that tells them apart changes nothing.
	if r := mustCompare(t, runs, CompareOptions{Noise: tiedJudge{{"qb", "other"}: 3}}).Recommendation; r.Kind != RecommendRunFullTraining {
		t.Errorf("beyond noise: %s %q", r.Kind, r.Message)
	}
}

// TestRecommendQuickTestOfATrainedConfig: a quick test that beats its own config's full
// training does not ask for that full training again.
func TestRecommendQuickTestOfATrainedConfig(t *testing.T) {
	q, f := QuickTestRun, FullTrainingRun
	qt, ft := recRun("qt", q, 0.480), recRun("ft", f, 0.470)
	qt.ConfigID, qt.ConfigName, ft.ConfigID, ft.ConfigName = "config-x", "config-x", "config-x", "config-x"
	dep := recRun("dep", f, 0.461)
	dep.Deployed = true
	r := mustCompare(t, []Run{qt, ft, dep}, CompareOptions{}).Recommendation
	if r.Kind != RecommendPromote || r.RunID != "ft" || r.ReferenceRunID != "dep" || strings.Contains(r.Message, "Consider running Full Training") ||
		!strings.Contains(r.Message, "The Quick Test of config-x scores higher, but config-x already has a Full Training here") {
		t.Errorf("%s %s vs %s %q", r.Kind, r.RunID, r.ReferenceRunID, r.Message)
	}
	// Its full training barely ahead of the deployed run: no meaningful difference.
	ft.Metrics = ft.Metrics.With("recall_at_100", 0.463)
	r = mustCompare(t, []Run{qt, ft, dep}, CompareOptions{}).Recommendation
	if r.Kind != RecommendNoDifference || strings.Contains(r.Message, "Consider running Full Training") {
		t.Errorf("%s %q", r.Kind, r.Message)
	}
}
