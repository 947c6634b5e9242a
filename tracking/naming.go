// Package tracking maps mlexp's domain to MLflow and back: the naming contract (design.md
// §3, this file); the Logger, which logs quick tests and full trainings in that shape and
// attaches existing experiments; the read-only Reader, which reads runs back as domain runs
// through a cache; the Selector and Promoter, which pick the run to deploy and promote it;
// and the delivery of the ingest outbox.
package tracking

import (
	"cmp"
	"fmt"
	"strconv"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// Tag and param names of the MLflow naming contract.
const (
	TagModelID        = "ml_model_id"
	TagModelName      = "ml_model_name"
	TagDatasetID      = "dataset_id"
	TagDatasetName    = "dataset_name"
	TagDatasetVersion = "dataset_version"
	TagConfigID       = "feature_config_id"
	TagDeployed       = "is_deployed"
	TagFailureStage   = "failure_stage"
	TagFailureReason  = "failure_reason"
	TagIdempotencyKey = "mlexp.idempotency_key"
	TagRunName        = "mlflow.runName"

	// TagExperimentKind is MLflow 3's kind of an experiment, which chooses the page its UI
	// opens the experiment on; KindCustomModel, classic model development, opens its runs
	// (GenAI experiments open on traces). Set on the experiments mlexp creates.
	TagExperimentKind = "mlflow.experimentKind"
	KindCustomModel   = "custom_model_development"

	CurvesArtifact   = "training_curves.png"
	ModelURIArtifact = "model/model_uri.txt"
)

// record is one result mapped to MLflow: everything needed to log it.
type record struct {
	Model          mlexp.Model // Model and Dataset identify the experiment, by its tags
	Dataset        mlexp.Dataset
	ConfigID       string
	RunName        string
	Start, End     time.Time
	Status         mlflow.RunStatus
	Params         []mlflow.Param
	Metrics        []mlflow.Metric
	Tags           []mlflow.Tag // includes the idempotency key and the run name
	IdempotencyKey string
	LegacyKey      string // the key as written before keys were escaped, when it differs
	ModelURI       string
	History        []mlexp.EpochMetrics // drawn as training_curves.png when not empty
}

func quickTestRecord(r mlexp.QuickTestReport) record {
	q := r.QuickTest
	rec := baseRecord(r.Model, r.Dataset, r.FeatureConfig, string(mlexp.QuickTestRun), q.Status, q.Failure, q.Timing)
	rec.RunName = fmt.Sprintf("%s Quick Test #%d", r.FeatureConfig.DisplayName(), q.ID)
	rec.IdempotencyKey, rec.LegacyKey = QuickTestKey(r), legacyKey(quickTestKind, r.Model, r.Dataset, r.FeatureConfig, q.ID)
	rec.Params = append(rec.Params,
		mlflow.Param{Key: "data_sample_percent", Value: formatNumber(q.DataSamplePercent)},
		mlflow.Param{Key: "epochs", Value: strconv.Itoa(q.Epochs)},
	)
	rec.Metrics = finalMetrics(q.Metrics, q.CostUSD, q.FinishedAt, q.Epochs, false)
	rec.Tags = append(rec.Tags, lineageTags(q.Lineage)...)
	return rec.finish()
}

func trainingRunRecord(r mlexp.TrainingRunReport) record {
	t := r.TrainingRun
	rec := baseRecord(r.Model, r.Dataset, r.FeatureConfig, string(mlexp.FullTrainingRun), t.Status, t.Failure, t.Timing)
	rec.RunName = fmt.Sprintf("%s Full Training #%d", r.FeatureConfig.DisplayName(), t.ID)
	rec.IdempotencyKey, rec.LegacyKey = TrainingRunKey(r), legacyKey(trainingRunKind, r.Model, r.Dataset, r.FeatureConfig, t.ID)
	rec.Params = append(rec.Params,
		mlflow.Param{Key: "epochs", Value: strconv.Itoa(t.Epochs)},
		mlflow.Param{Key: "batch_size", Value: strconv.Itoa(t.BatchSize)},
		mlflow.Param{Key: "training_run_id", Value: strconv.Itoa(t.ID)},
		mlflow.Param{Key: "data_sample_percent", Value: "100"},
	)
	// Per-epoch values are metric history (step = epoch), with times spread over the run so
	// that the final values, logged at the end time, are the ones MLflow reports as latest.
	span := t.FinishedAt.Sub(t.StartedAt)
	for _, e := range t.History {
		at := t.StartedAt.Add(span * time.Duration(e.Epoch) / time.Duration(t.Epochs+1))
		e.Metrics.Each(func(k string, v float64) {
			rec.Metrics = append(rec.Metrics, mlflow.Metric{Key: k, Value: mlflow.Float(v), Timestamp: at.UnixMilli(), Step: int64(e.Epoch)})
		})
	}
	rec.Metrics = append(rec.Metrics, finalMetrics(t.Metrics, t.CostUSD, t.FinishedAt, lastEpoch(t), true)...)
	rec.ModelURI = t.ModelURI
	rec.History = t.History
	rec.Tags = append(rec.Tags, lineageTags(t.Lineage)...)
	return rec.finish()
}

// lineageTags are the mlmd.* tags of the lineage ids a trainer reported (docs/lineage.md).
func lineageTags(l *mlexp.LineageIDs) []mlflow.Tag {
	if l == nil {
		return nil
	}
	var tags []mlflow.Tag
	for _, tag := range []struct {
		key string
		id  int64
	}{{mlexp.TagMLMDExecutionID, l.ExecutionID}, {mlexp.TagMLMDModelArtifactID, l.ModelArtifactID}} {
		if tag.id > 0 {
			tags = append(tags, mlflow.Tag{Key: tag.key, Value: strconv.FormatInt(tag.id, 10)})
		}
	}
	return tags
}

func lastEpoch(t mlexp.TrainingRun) int {
	if n := len(t.History); n > 0 {
		return t.History[n-1].Epoch
	}
	return t.Epochs
}

func baseRecord(m mlexp.Model, d mlexp.Dataset, c mlexp.FeatureConfig, runType string, status mlexp.Status, f *mlexp.Failure, tm mlexp.Timing) record {
	rec := record{
		Model:    m,
		Dataset:  d,
		ConfigID: c.ID,
		Start:    tm.StartedAt,
		End:      tm.FinishedAt,
		Status:   mlflow.StatusFinished,
		Params:   append([]mlflow.Param{{Key: "run_type", Value: runType}, {Key: "config_id", Value: c.ID}}, configParams(c)...),
		Tags: []mlflow.Tag{
			{Key: TagDatasetID, Value: d.ID},
			{Key: TagConfigID, Value: c.ID},
		},
	}
	if d.Version != "" {
		rec.Tags = append(rec.Tags, mlflow.Tag{Key: TagDatasetVersion, Value: d.Version})
	}
	if status == mlexp.StatusFailed {
		rec.Status = mlflow.StatusFailed
		rec.Tags = append(rec.Tags, mlflow.Tag{Key: TagFailureStage, Value: f.Stage}, mlflow.Tag{Key: TagFailureReason, Value: f.Reason})
	}
	return rec
}

// finish adds the tags every run carries.
func (r record) finish() record {
	r.Tags = append(r.Tags, mlflow.Tag{Key: TagRunName, Value: r.RunName}, mlflow.Tag{Key: TagIdempotencyKey, Value: r.IdempotencyKey})
	return r
}

// ExperimentTags are the tags by which a model's experiments are found.
func ExperimentTags(m mlexp.Model, d mlexp.Dataset) []mlflow.Tag {
	return []mlflow.Tag{
		{Key: TagModelID, Value: m.ID}, {Key: TagModelName, Value: m.Name},
		{Key: TagDatasetID, Value: d.ID}, {Key: TagDatasetName, Value: d.Name},
	}
}

// configParams are the params that describe a feature configuration (see
// mlexp.FeatureConfig.Params, which decides them).
func configParams(c mlexp.FeatureConfig) []mlflow.Param {
	var ps []mlflow.Param
	for _, p := range c.Params() {
		ps = append(ps, mlflow.Param{Key: p.Key, Value: p.Value})
	}
	return ps
}

// finalMetrics are the result's metrics at the end time; full trainings also log final_loss.
func finalMetrics(m mlexp.Metrics, cost *float64, at time.Time, step int, full bool) []mlflow.Metric {
	var ms []mlflow.Metric
	add := func(k string, v float64) {
		ms = append(ms, mlflow.Metric{Key: k, Value: mlflow.Float(v), Timestamp: at.UnixMilli(), Step: int64(step)})
	}
	m.Each(add)
	if full && m.Loss != nil {
		add(mlexp.MetricFinalLoss, *m.Loss)
	}
	if cost != nil {
		add(mlexp.MetricCostUSD, *cost)
	}
	return ms
}

// formatNumber writes a number param as mlexp.FormatParamNumber does.
func formatNumber(v float64) string { return mlexp.FormatParamNumber(v) }

// Tags mlexp sets on a run it promotes, beside is_deployed, so that MLflow users see who
// promoted it and when (RFC 3339).
const (
	TagPromotedBy = "mlexp.promoted_by"
	TagPromotedAt = "mlexp.promoted_at"
)

// validate checks every key and value of the record against MLflow's limits before
// anything is made in MLflow, so that a result MLflow would refuse leaves no half-made run
// behind. The reports' Validate refuses such results first, naming the report's field;
// this keeps it so whatever the mapping adds.
func (r record) validate() error {
	var err error
	for i, p := range r.Params {
		err = cmp.Or(err, mlflow.ValidateParam(fmt.Sprintf("params[%d]", i), p))
	}
	for i, t := range r.Tags {
		err = cmp.Or(err, mlflow.ValidateTag(fmt.Sprintf("tags[%d]", i), t))
	}
	for i, m := range r.Metrics {
		err = cmp.Or(err, mlflow.ValidateMetric(fmt.Sprintf("metrics[%d]", i), m))
	}
	return MLflowError(err, "checking the run "+r.RunName)
}
