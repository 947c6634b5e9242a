package demo

import "strconv"

// The demo's data spans in ML Metadata: every full training read the latest span, but the
// oldest one, which read the span before it — so that comparing it with the others says
// "not a like-for-like comparison".
const (
	LatestSpan = 47
	OlderSpan  = 46
)

// PipelineRun is one TFX pipeline run, in the shape scripts/mlmd_write.py reads.
type PipelineRun struct {
	Key           string `json:"key"`
	Link          string `json:"link"`
	ModelURI      string `json:"model_uri"`
	DatasetURI    string `json:"dataset_uri"`
	Span          int    `json:"span"`
	Version       int    `json:"version"`
	SchemaVersion int    `json:"schema_version"`
	Vocabulary    string `json:"vocabulary"`
	Blessed       bool   `json:"blessed"`
	Pushed        bool   `json:"pushed"`
	PushedVersion string `json:"pushed_version,omitempty"`
}

// PipelineSpec is what scripts/mlmd_write.py writes into the store.
type PipelineSpec struct {
	Store     map[string]string `json:"store"`
	Trainings []PipelineRun     `json:"trainings"`
}

// Pipeline is the ML Metadata of the demo of seed, for the SQLite store at path: a
// TFX-shaped pipeline run (ExampleGen, SchemaGen, Transform, Trainer, Evaluator, Pusher) for
// each full training, linked to its MLflow run by its model URI. Every model is blessed;
// the deployed run's is pushed. The oldest full training read OlderSpan, the others
// LatestSpan, and each Transform built its vocabulary from the span it read.
func Pipeline(seed uint64, path string) PipelineSpec {
	set := Reports(seed)
	oldest := 0
	for i, r := range set.TrainingRuns {
		if r.TrainingRun.StartedAt.Before(set.TrainingRuns[oldest].TrainingRun.StartedAt) {
			oldest = i
		}
	}
	spec := PipelineSpec{Store: map[string]string{"sqlite": path}}
	for i, r := range set.TrainingRuns {
		span := LatestSpan
		if i == oldest {
			span = OlderSpan
		}
		spec.Trainings = append(spec.Trainings, PipelineRun{
			Key: r.FeatureConfig.ID + "-full-training-" + strconv.Itoa(r.TrainingRun.ID), Link: "uri", ModelURI: r.TrainingRun.ModelURI,
			DatasetURI: "gs://demo-bucket/data/" + Dataset(seed).ID, Span: span, Version: 1, SchemaVersion: 3,
			Vocabulary: "vocab-span-" + strconv.Itoa(span), Blessed: true, Pushed: i == set.Deployed,
			PushedVersion: strconv.Itoa(r.TrainingRun.ID),
		})
	}
	return spec
}
