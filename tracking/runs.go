package tracking

import (
	"regexp"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// runNamePattern splits "config-042 Quick Test #3" into the config name, type and number.
var runNamePattern = regexp.MustCompile(`^(.+?) (?:Quick Test|Full Training) #\d+$`)

// ToRun reads an MLflow run into the domain, the same way whether mlexp or MLflow's Python
// client logged it: params and tags by the naming contract, loss falling back to final_loss.
func ToRun(m *mlflow.Run) mlexp.Run { return toRun(m, new(mlexp.Interner)) }

// toRun is ToRun sharing, through in, the strings and names that the runs of an experiment
// repeat thousands of times.
func toRun(m *mlflow.Run, in *mlexp.Interner) mlexp.Run {
	r := mlexp.Run{
		ID:           m.Info.RunID,
		Name:         m.Info.RunName,
		ExperimentID: in.String(m.Info.ExperimentID),
		Status:       in.String(string(m.Info.Status)),
	}
	if m.Info.StartTime > 0 {
		r.Start = time.UnixMilli(m.Info.StartTime).UTC()
	}
	if m.Info.EndTime > 0 {
		r.End = time.UnixMilli(m.Info.EndTime).UTC()
	}
	pairs := make([]string, 0, 2*len(m.Data.Params))
	for _, p := range m.Data.Params {
		pairs = append(pairs, p.Key, p.Value)
	}
	r.Params = in.Params(pairs)
	keys, values := make([]string, 0, len(m.Data.Metrics)+1), make([]float64, 0, len(m.Data.Metrics)+1)
	var loss, finalLoss bool
	for _, x := range m.Data.Metrics {
		keys, values = append(keys, x.Key), append(values, mlexp.MetricFromStore(float64(x.Value)))
		loss, finalLoss = loss || x.Key == mlexp.MetricLoss, finalLoss || x.Key == mlexp.MetricFinalLoss
	}
	if finalLoss && !loss {
		for i, k := range keys {
			if k == mlexp.MetricFinalLoss {
				keys, values = append(keys, mlexp.MetricLoss), append(values, values[i])
				break
			}
		}
	}
	r.Metrics = in.Metrics(keys, values)
	if v, ok := r.Metrics.Lookup(mlexp.MetricCostUSD); ok && mlexp.IsFinite(v) {
		r.CostUSD = &v
	}
	var stage, reason string
	for _, t := range m.Data.Tags {
		switch t.Key {
		case TagRunName:
			if r.Name == "" {
				r.Name = t.Value
			}
		case TagDeployed:
			r.Deployed = t.Value == "true"
		case TagConfigID:
			r.ConfigID = in.String(t.Value)
		case TagDatasetID:
			r.DatasetID = in.String(t.Value)
		case TagDatasetVersion:
			r.DatasetVersion = in.String(t.Value)
		case TagFailureStage:
			stage = t.Value
		case TagFailureReason:
			reason = t.Value
		}
	}
	if stage != "" || reason != "" {
		r.Failure = &mlexp.Failure{Stage: stage, Reason: reason}
	}
	r.Type = mlexp.RunType(r.Params.Get("run_type"))
	if id := r.Params.Get("config_id"); id != "" {
		r.ConfigID = id
	}
	switch match := runNamePattern.FindStringSubmatch(r.Name); {
	case match != nil:
		r.ConfigName = in.String(match[1])
	case r.ConfigID != "":
		r.ConfigName = r.ConfigID
	default:
		r.ConfigName = r.Name
	}
	if r.Name == "" {
		r.Name = r.ID
	}
	r.Prepare()
	return r
}
