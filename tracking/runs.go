package tracking

import (
	"math"
	"regexp"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// runNamePattern splits "config-042 Quick Test #3" into the config name, type and number.
var runNamePattern = regexp.MustCompile(`^(.+?) (?:Quick Test|Full Training) #\d+$`)

// ToRun reads an MLflow run into the domain, the same way whether mlexp or MLflow's Python
// client logged it: params and tags by the naming contract, loss falling back to final_loss.
func ToRun(m *mlflow.Run) mlexp.Run { return toRun(m, func(s string) string { return s }) }

// interner shares one copy of each repeated string: the runs of an experiment repeat the
// same param names and values, and metric names, thousands of times.
type interner map[string]string

func (in interner) intern(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}

func toRun(m *mlflow.Run, intern func(string) string) mlexp.Run {
	r := mlexp.Run{
		ID:           m.Info.RunID,
		Name:         m.Info.RunName,
		ExperimentID: m.Info.ExperimentID,
		Status:       string(m.Info.Status),
		Params:       make(map[string]string, len(m.Data.Params)),
		Metrics:      make(mlexp.MetricValues, len(m.Data.Metrics)+1),
	}
	if m.Info.StartTime > 0 {
		r.Start = time.UnixMilli(m.Info.StartTime).UTC()
	}
	if m.Info.EndTime > 0 {
		r.End = time.UnixMilli(m.Info.EndTime).UTC()
	}
	for _, p := range m.Data.Params {
		r.Params[intern(p.Key)] = intern(p.Value)
	}
	for _, x := range m.Data.Metrics {
		r.Metrics[intern(x.Key)] = mlexp.MetricFromStore(float64(x.Value))
	}
	if _, ok := r.Metrics[mlexp.MetricLoss]; !ok {
		if v, ok := r.Metrics[mlexp.MetricFinalLoss]; ok {
			r.Metrics[mlexp.MetricLoss] = v
		}
	}
	if v, ok := r.Metrics[mlexp.MetricCostUSD]; ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
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
			r.ConfigID = t.Value
		case TagDatasetID:
			r.DatasetID = t.Value
		case TagDatasetVersion:
			r.DatasetVersion = t.Value
		case TagFailureStage:
			stage = t.Value
		case TagFailureReason:
			reason = t.Value
		}
	}
	if stage != "" || reason != "" {
		r.Failure = &mlexp.Failure{Stage: stage, Reason: reason}
	}
	r.Type = mlexp.RunType(r.Params["run_type"])
	if id := r.Params["config_id"]; id != "" {
		r.ConfigID = id
	}
	switch match := runNamePattern.FindStringSubmatch(r.Name); {
	case match != nil:
		r.ConfigName = match[1]
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
