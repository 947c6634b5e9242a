package mlexp

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// fullTrainingOf is a finished full training of config-042 outside the spec's comparison,
// with Recall@100 r100.
func fullTrainingOf(id string, r100 float64) Run {
	return Run{ID: id, Name: "config-042 Full Training #" + id, Type: FullTrainingRun, ConfigID: "config-042", ConfigName: "config-042",
		Status: RunFinished, Start: compareT0, End: compareT0.Add(3 * time.Hour),
		Params:  NewParams(map[string]string{"run_type": "full_training", "config_id": "config-042"}),
		Metrics: NewMetricValues(map[string]float64{MetricRecallAt100: r100})}
}

// TestRecommendFullTrainingExists: the spec's Quick Test of config-042 leads the deployed
// config-038 by 1.2 pp; when config-042 already has a Full Training in the experiment, the
// recommendation says so, measures it, and offers to compare with it or promote it
// instead of asking for another Full Training.
func TestRecommendFullTrainingExists(t *testing.T) {
	runs := specRuns()
	// Without related runs (or with only the compared ones) the rule is the plain one.
	for _, related := range [][]Run{nil, runs} {
		if rec := mustCompare(t, runs, CompareOptions{Related: related}).Recommendation; rec.Kind != RecommendRunFullTraining || rec.FullTraining != nil {
			t.Fatalf("no full training elsewhere: %+v", rec)
		}
	}
	failed := fullTrainingOf("ft-failed", 0.60)
	failed.Status = RunFailed
	running := fullTrainingOf("ft-running", 0.60)
	running.Status = RunRunning
	other := fullTrainingOf("ft-other", 0.60)
	other.ConfigID = "config-999"
	good, better := fullTrainingOf("ft4", 0.470), fullTrainingOf("ft5", 0.475)
	related := append(specRuns(), failed, running, other, good, better)

	rec := mustCompare(t, runs, CompareOptions{Related: related}).Recommendation
	ft := rec.FullTraining
	if rec.Kind != RecommendFullTrainingExists || ft == nil || ft.RunID != "ft5" {
		t.Fatalf("recommendation = %+v, want full_training_exists pointing at ft5, the best finished one", rec)
	}
	// 47.5% − 46.1% = +1.4 pp over the deployed run: more than 0.5 pp, worth promoting.
	if !near(ft.Delta, 1.4) || !ft.Promote || ft.Text != "47.5%" || !slices.Equal(ft.CompareRunIDs, []string{"r042", "r038", "ft5"}) {
		t.Errorf("full training = %+v", *ft)
	}
	for _, want := range []string{"config-042 already has", `"config-042 Full Training #ft5" measured 47.5% (+1.4 pp over config-038 (deployed))`, "consider promoting it"} {
		if !strings.Contains(strings.ReplaceAll(rec.Message, "but it already has", "config-042 already has"), want) {
			t.Errorf("message %q lacks %q", rec.Message, want)
		}
	}
	if strings.Contains(rec.Message, "Consider running Full Training") {
		t.Errorf("message still asks for a Full Training: %q", rec.Message)
	}
	b, _ := json.Marshal(rec)
	if !strings.Contains(string(b), `"full_training":{"run_id":"ft5"`) {
		t.Errorf("JSON: %s", b)
	}

	rec = mustCompare(t, runs, CompareOptions{Related: append(specRuns(), good)}).Recommendation
	if rec.Kind != RecommendFullTrainingExists || !rec.FullTraining.Promote || !near(rec.FullTraining.Delta, 0.9) {
		t.Errorf("ft4 (+0.9 pp): %+v", rec.FullTraining)
	}
	// A full training that does not lead by more than the threshold is not to be promoted.
	weak := fullTrainingOf("ft6", 0.463)
	rec = mustCompare(t, runs, CompareOptions{Related: append(specRuns(), weak)}).Recommendation
	if rec.FullTraining == nil || rec.FullTraining.Promote || !strings.Contains(rec.Message, "does not lead by more than 0.5 pp") {
		t.Errorf("ft6 (+0.2 pp): %q %+v", rec.Message, rec.FullTraining)
	}
}

// TestRecommendFullTrainingExistsReplicates: a quick test within noise of another config
// is no longer sent to replicates when its config has a measured full training.
func TestRecommendFullTrainingExistsReplicates(t *testing.T) {
	runs := specRuns()
	rival := runs[0]
	rival.ID, rival.Name, rival.ConfigID, rival.ConfigName = "r041", "config-041 Quick Test #2", "config-041", "config-041"
	rival.Metrics = NewMetricValues(map[string]float64{MetricRecallAt100: 0.472})
	runs = append(runs, rival)
	judge := tiedJudge{{"config-042", "config-041"}: 12}
	if rec := mustCompare(t, runs, CompareOptions{Noise: judge}).Recommendation; rec.Kind != RecommendMoreReplicates {
		t.Fatalf("without related runs: %+v", rec)
	}
	rec := mustCompare(t, runs, CompareOptions{Noise: judge, Related: append(slices.Clone(runs), fullTrainingOf("ft5", 0.475))}).Recommendation
	if rec.Kind != RecommendFullTrainingExists || rec.FullTraining.RunID != "ft5" || strings.Contains(rec.Message, "Run about") {
		t.Errorf("with a full training: %+v", rec)
	}
}
