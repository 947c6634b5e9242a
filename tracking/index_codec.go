package tracking

import (
	"encoding/json"
	"fmt"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// indexCodec is the version of the encoding of runs in the index: a new version makes every
// experiment load again, so that a change of what is kept never mixes with old rows.
const indexCodec = 1

// storedRun is a run as the index keeps it: what ToRun reads of an MLflow run and nothing
// else (system tags such as mlflow.source.name are left out), with short JSON names.
// Params and tags are key, value, key, value…; metrics keep only their latest value.
type storedRun struct {
	ID      string                  `json:"i"`
	Exp     string                  `json:"x"`
	Name    string                  `json:"n,omitempty"`
	Status  string                  `json:"s"`
	Start   int64                   `json:"b,omitempty"`
	End     int64                   `json:"e,omitempty"`
	Params  []string                `json:"p,omitempty"`
	Metrics map[string]mlflow.Float `json:"m,omitempty"`
	Tags    []string                `json:"t,omitempty"`
}

// domainTags are the run tags ToRun reads: the only ones the index keeps.
var domainTags = map[string]bool{TagRunName: true, TagDeployed: true, TagConfigID: true, TagDatasetID: true,
	TagDatasetVersion: true, TagFailureStage: true, TagFailureReason: true}

// encodeRun turns an MLflow run into its row of the index.
func encodeRun(m *mlflow.Run) (mlexp.IndexedRun, error) {
	s := storedRun{ID: m.Info.RunID, Exp: m.Info.ExperimentID, Name: m.Info.RunName, Status: string(m.Info.Status),
		Start: m.Info.StartTime, End: m.Info.EndTime}
	for _, p := range m.Data.Params {
		s.Params = append(s.Params, p.Key, p.Value)
	}
	if len(m.Data.Metrics) > 0 {
		s.Metrics = make(map[string]mlflow.Float, len(m.Data.Metrics))
		for _, x := range m.Data.Metrics {
			s.Metrics[x.Key] = x.Value
		}
	}
	for _, t := range m.Data.Tags {
		if domainTags[t.Key] {
			s.Tags = append(s.Tags, t.Key, t.Value)
		}
	}
	body, err := json.Marshal(s)
	if err != nil {
		return mlexp.IndexedRun{}, fmt.Errorf("encoding run %s for the index: %w", m.Info.RunID, err)
	}
	return mlexp.IndexedRun{ID: s.ID, Start: s.Start, Status: s.Status, Deleted: m.Info.LifecycleStage == "deleted", Body: body}, nil
}

// tombstone is the row of a run deleted in MLflow.
func tombstone(id string, start int64) mlexp.IndexedRun {
	return mlexp.IndexedRun{ID: id, Start: start, Status: "DELETED", Deleted: true, Body: []byte(`{}`)}
}

// decodeRun reads a row of the index back into the domain, as ToRun reads the run.
func decodeRun(r mlexp.IndexedRun, intern func(string) string) (mlexp.Run, error) {
	var s storedRun
	if err := json.Unmarshal(r.Body, &s); err != nil {
		return mlexp.Run{}, fmt.Errorf("decoding run %s of the index: %w", r.ID, err)
	}
	m := mlflow.Run{Info: mlflow.RunInfo{RunID: s.ID, ExperimentID: s.Exp, RunName: s.Name, Status: mlflow.RunStatus(s.Status),
		StartTime: s.Start, EndTime: s.End}}
	m.Data.Params = make([]mlflow.Param, 0, len(s.Params)/2)
	for i := 0; i+1 < len(s.Params); i += 2 {
		m.Data.Params = append(m.Data.Params, mlflow.Param{Key: s.Params[i], Value: s.Params[i+1]})
	}
	m.Data.Metrics = make([]mlflow.Metric, 0, len(s.Metrics))
	for k, v := range s.Metrics {
		m.Data.Metrics = append(m.Data.Metrics, mlflow.Metric{Key: k, Value: v})
	}
	for i := 0; i+1 < len(s.Tags); i += 2 {
		m.Data.Tags = append(m.Data.Tags, mlflow.Tag{Key: s.Tags[i], Value: s.Tags[i+1]})
	}
	return toRun(&m, intern), nil
}
