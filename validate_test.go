package mlexp_test

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
)

func TestQuickTestReportValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*mlexp.QuickTestReport)
		field  string // "" = valid
	}{
		{"the sample is valid", func(*mlexp.QuickTestReport) {}, ""},
		{"missing model id", func(r *mlexp.QuickTestReport) { r.Model.ID = "" }, "model.id"},
		{"missing dataset name", func(r *mlexp.QuickTestReport) { r.Dataset.Name = "" }, "dataset.name"},
		{"control character in a name", func(r *mlexp.QuickTestReport) { r.Model.Name = "a\nb" }, "model.name"},
		{"quotes in an id", func(r *mlexp.QuickTestReport) { r.FeatureConfig.ID = `config-"42'` }, "feature_config.id"},
		{"backslash in an id", func(r *mlexp.QuickTestReport) { r.Dataset.ID = `ds\1` }, "dataset.id"},
		{"negative embedding dim", func(r *mlexp.QuickTestReport) { r.FeatureConfig.QueryTower[0].EmbeddingDim = -64 }, "feature_config.query_tower[0].embedding_dim"},
		{"zero embedding dim", func(r *mlexp.QuickTestReport) { r.FeatureConfig.CandidateTower[1].EmbeddingDim = 0 }, "feature_config.candidate_tower[1].embedding_dim"},
		{"feature name not an identifier", func(r *mlexp.QuickTestReport) { r.FeatureConfig.QueryTower[1].Name = "City Name" }, "feature_config.query_tower[1].name"},
		{"a feature in both towers", func(r *mlexp.QuickTestReport) { r.FeatureConfig.CandidateTower[0].Name = "user_id" }, "feature_config.candidate_tower[0].name"},
		{"empty query tower", func(r *mlexp.QuickTestReport) { r.FeatureConfig.QueryTower = nil }, "feature_config.query_tower"},
		{"cross of one feature", func(r *mlexp.QuickTestReport) { r.FeatureConfig.CrossFeatures[0].Features = []string{"category"} }, "feature_config.cross_features[0].features"},
		{"cross without buckets", func(r *mlexp.QuickTestReport) { r.FeatureConfig.CrossFeatures[1].Buckets = 0 }, "feature_config.cross_features[1].buckets"},
		{"the same cross twice in another order", func(r *mlexp.QuickTestReport) {
			r.FeatureConfig.CrossFeatures = append(r.FeatureConfig.CrossFeatures, mlexp.CrossFeature{Features: []string{"subcategory", "category"}, Buckets: 10})
		}, "feature_config.cross_features[2]"},
		{"setting that clashes with a logged param", func(r *mlexp.QuickTestReport) { r.FeatureConfig.Settings["epochs"] = 3 }, "feature_config.settings.epochs"},
		{"NaN setting", func(r *mlexp.QuickTestReport) { r.FeatureConfig.Settings["revenue_buckets"] = math.NaN() }, "feature_config.settings.revenue_buckets"},
		{"percent over 100", func(r *mlexp.QuickTestReport) { r.QuickTest.DataSamplePercent = 110 }, "quick_test.data_sample_percent"},
		{"percent zero", func(r *mlexp.QuickTestReport) { r.QuickTest.DataSamplePercent = 0 }, "quick_test.data_sample_percent"},
		{"no epochs", func(r *mlexp.QuickTestReport) { r.QuickTest.Epochs = 0 }, "quick_test.epochs"},
		{"id zero", func(r *mlexp.QuickTestReport) { r.QuickTest.ID = 0 }, "quick_test.id"},
		{"unknown status", func(r *mlexp.QuickTestReport) { r.QuickTest.Status = "done" }, "quick_test.status"},
		{"completed without recall", func(r *mlexp.QuickTestReport) { r.QuickTest.Metrics.RecallAt100 = nil }, "quick_test.metrics.recall_at_100"},
		{"recall above 1", func(r *mlexp.QuickTestReport) { r.QuickTest.Metrics.RecallAt10 = new(47.3) }, "quick_test.metrics.recall_at_10"},
		{"NaN loss", func(r *mlexp.QuickTestReport) { r.QuickTest.Metrics.Loss = new(math.NaN()) }, "quick_test.metrics.loss"},
		{"negative cost", func(r *mlexp.QuickTestReport) { r.QuickTest.CostUSD = new(-1.0) }, "quick_test.cost_usd"},
		{"failed without a reason", func(r *mlexp.QuickTestReport) { r.QuickTest.Status = mlexp.StatusFailed }, "quick_test.failure"},
		{"failed with a reason and no metrics", func(r *mlexp.QuickTestReport) {
			r.QuickTest.Status = mlexp.StatusFailed
			r.QuickTest.Failure = &mlexp.Failure{Stage: "Transform", Reason: "OOM"}
			r.QuickTest.Metrics = mlexp.Metrics{}
		}, ""},
		{"completed with a failure", func(r *mlexp.QuickTestReport) { r.QuickTest.Failure = &mlexp.Failure{Stage: "x", Reason: "y"} }, "quick_test.failure"},
		{"missing start", func(r *mlexp.QuickTestReport) { r.QuickTest.StartedAt = r.QuickTest.StartedAt.AddDate(-3000, 0, 0) }, "quick_test.started_at"},
		{"end before start", func(r *mlexp.QuickTestReport) { r.QuickTest.FinishedAt = r.QuickTest.StartedAt.Add(-1) }, "quick_test.finished_at"},
		{"extra metric with a bad name", func(r *mlexp.QuickTestReport) { r.QuickTest.Metrics.Extra = map[string]float64{"NDCG@10": 0.1} }, "quick_test.metrics.extra.NDCG@10"},
		{"extra metric shadowing a standard one", func(r *mlexp.QuickTestReport) { r.QuickTest.Metrics.Extra = map[string]float64{"loss": 0.1} }, "quick_test.metrics.extra.loss"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := sample.QuickTestReport()
			tc.change(&r)
			err := r.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			e, ok := err.(*mlexp.Error)
			if !ok || e.Code != mlexp.EINVALID || e.Field != tc.field || !strings.HasPrefix(e.Message, tc.field) {
				t.Fatalf("err = %#v, want EINVALID naming %s", err, tc.field)
			}
		})
	}
}

func TestTrainingRunReportValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*mlexp.TrainingRunReport)
		field  string
	}{
		{"the sample is valid", func(*mlexp.TrainingRunReport) {}, ""},
		{"no batch size", func(r *mlexp.TrainingRunReport) { r.TrainingRun.BatchSize = 0 }, "training_run.batch_size"},
		{"history longer than epochs", func(r *mlexp.TrainingRunReport) { r.TrainingRun.Epochs = 10 }, "training_run.history"},
		{"epochs out of order", func(r *mlexp.TrainingRunReport) { r.TrainingRun.History[3].Epoch = 2 }, "training_run.history[3].epoch"},
		{"epoch zero", func(r *mlexp.TrainingRunReport) { r.TrainingRun.History[0].Epoch = 0 }, "training_run.history[0].epoch"},
		{"recall over 1 in the history", func(r *mlexp.TrainingRunReport) { r.TrainingRun.History[5].RecallAt50 = new(2.0) }, "training_run.history[5].recall_at_50"},
		{"model URI without a scheme", func(r *mlexp.TrainingRunReport) { r.TrainingRun.ModelURI = "models/46" }, "training_run.model_uri"},
		{"failed run with a partial history", func(r *mlexp.TrainingRunReport) {
			r.TrainingRun.Status = mlexp.StatusFailed
			r.TrainingRun.Failure = &mlexp.Failure{Stage: "Trainer", Reason: "preempted"}
			r.TrainingRun.History = r.TrainingRun.History[:4]
			r.TrainingRun.Metrics = mlexp.Metrics{}
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := sample.TrainingRunReport()
			tc.change(&r)
			err := r.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if e, ok := err.(*mlexp.Error); !ok || e.Field != tc.field {
				t.Fatalf("err = %v, want one naming %s", err, tc.field)
			}
		})
	}
}

// TestDocumentedExamplesAreValid keeps the README's request bodies honest.
func TestDocumentedExamplesAreValid(t *testing.T) {
	for file, v := range map[string]interface{ Validate() error }{
		"docs/examples/quick-test.json":   &mlexp.QuickTestReport{},
		"docs/examples/training-run.json": &mlexp.TrainingRunReport{},
	} {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := mlexp.UnmarshalStrict(body, v); err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if err := v.Validate(); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}

func TestLineageIDsMustBePositive(t *testing.T) {
	r := sample.TrainingRunReport()
	r.TrainingRun.Lineage = &mlexp.LineageIDs{ExecutionID: 3, ModelArtifactID: -1}
	var e *mlexp.Error
	if err := r.Validate(); !errors.As(err, &e) || e.Field != "training_run.lineage.mlmd_model_artifact_id" {
		t.Errorf("Validate = %v, want an error naming training_run.lineage.mlmd_model_artifact_id", err)
	}
	r.TrainingRun.Lineage.ModelArtifactID = 0
	if err := r.Validate(); err != nil {
		t.Errorf("ids 3 and absent: %v", err)
	}
	q := sample.QuickTestReport()
	q.QuickTest.Lineage = &mlexp.LineageIDs{ExecutionID: -2}
	if err := q.Validate(); !errors.As(err, &e) || e.Field != "quick_test.lineage.mlmd_execution_id" {
		t.Errorf("quick test: Validate = %v, want an error naming quick_test.lineage.mlmd_execution_id", err)
	}
}

// TestLineageIDsDecode: the lineage ids of a report decode strictly, as `mlexp log` and the
// ingest API read them.
func TestLineageIDsDecode(t *testing.T) {
	var r mlexp.TrainingRunReport
	if err := mlexp.UnmarshalStrict([]byte(`{"training_run":{"lineage":{"mlmd_execution_id":812,"mlmd_model_artifact_id":4051}}}`), &r); err != nil ||
		r.TrainingRun.Lineage == nil || *r.TrainingRun.Lineage != (mlexp.LineageIDs{ExecutionID: 812, ModelArtifactID: 4051}) {
		t.Errorf("decoded %+v, %v", r.TrainingRun.Lineage, err)
	}
	if err := mlexp.UnmarshalStrict([]byte(`{"training_run":{"lineage":{"execution_id":812}}}`), &r); err == nil {
		t.Error("an unknown lineage field was accepted")
	}
}

// TestValidateReportsEveryField: a report with several mistakes names each of them in one
// error, so that a trainer fixes them in one attempt, and the error still names the first
// field (the 400's field).
func TestValidateReportsEveryField(t *testing.T) {
	r := sample.TrainingRunReport()
	r.Model.ID = ""
	r.FeatureConfig.QueryTower[0].EmbeddingDim = -16
	r.FeatureConfig.Settings["epochs"] = 3
	r.TrainingRun.BatchSize = 0
	r.TrainingRun.Metrics.RecallAt10 = new(47.3)
	r.TrainingRun.History[3].Epoch = 2
	r.TrainingRun.ModelURI = "models/46"
	want := []string{
		"model.id",
		"feature_config.query_tower[0].embedding_dim",
		"feature_config.settings.epochs",
		"training_run.batch_size",
		"training_run.metrics.recall_at_10",
		"training_run.history[3].epoch",
		"training_run.model_uri",
	}
	err := r.Validate()
	var e *mlexp.Error
	if !errors.As(err, &e) || e.Code != mlexp.EINVALID || e.Field != want[0] {
		t.Fatalf("Validate = %#v, want EINVALID naming %s first", err, want[0])
	}
	var got []string
	for _, f := range mlexp.FieldErrors(err) {
		got = append(got, f.Field)
		if !strings.HasPrefix(f.Message, f.Field+": ") || !strings.Contains(e.Message, f.Message) {
			t.Errorf("field %s: message %q does not name it, or is missing from the error's message %q", f.Field, f.Message, e.Message)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("fields named:\n %v\nwant\n %v", got, want)
	}

	q := sample.QuickTestReport()
	q.Dataset.Name = ""
	q.QuickTest.DataSamplePercent = 0
	q.QuickTest.Status = "done"
	q.QuickTest.CostUSD = new(-1.0)
	got = nil
	for _, f := range mlexp.FieldErrors(q.Validate()) {
		got = append(got, f.Field)
	}
	if want := "dataset.name quick_test.data_sample_percent quick_test.status quick_test.cost_usd"; strings.Join(got, " ") != want {
		t.Errorf("quick test: fields named %v, want %s", got, want)
	}
}
