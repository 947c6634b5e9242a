package mlflow

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Experiment is an MLflow experiment.
type Experiment struct {
	ID               string `json:"experiment_id"`
	Name             string `json:"name"`
	ArtifactLocation string `json:"artifact_location,omitempty"`
	LifecycleStage   string `json:"lifecycle_stage,omitempty"`
	CreationTime     int64  `json:"creation_time,omitempty"`    // ms since the epoch
	LastUpdateTime   int64  `json:"last_update_time,omitempty"` // ms since the epoch
	Tags             []Tag  `json:"tags,omitempty"`
}

// Tag returns the value of the experiment tag key.
func (e *Experiment) Tag(key string) (string, bool) { return lookup(e.Tags, key) }

// Run is an MLflow run: its info and its data.
type Run struct {
	Info RunInfo `json:"info"`
	Data RunData `json:"data"`
}

// RunStatus is the status of a run.
type RunStatus string

// Run statuses.
const (
	StatusRunning   RunStatus = "RUNNING"
	StatusScheduled RunStatus = "SCHEDULED"
	StatusFinished  RunStatus = "FINISHED"
	StatusFailed    RunStatus = "FAILED"
	StatusKilled    RunStatus = "KILLED"
)

// RunInfo is the metadata of a run.
type RunInfo struct {
	RunID          string    `json:"run_id"`
	RunName        string    `json:"run_name,omitempty"`
	ExperimentID   string    `json:"experiment_id"`
	UserID         string    `json:"user_id,omitempty"`
	Status         RunStatus `json:"status"`
	StartTime      int64     `json:"start_time,omitempty"` // ms since the epoch
	EndTime        int64     `json:"end_time,omitempty"`   // ms since the epoch; 0 while running
	ArtifactURI    string    `json:"artifact_uri,omitempty"`
	LifecycleStage string    `json:"lifecycle_stage,omitempty"`
}

// RunData holds the latest value of each metric, the params and the tags of a run.
type RunData struct {
	Metrics []Metric `json:"metrics,omitempty"`
	Params  []Param  `json:"params,omitempty"`
	Tags    []Tag    `json:"tags,omitempty"`
}

// Param returns the value of the param key.
func (d *RunData) Param(key string) (string, bool) {
	for _, p := range d.Params {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// Tag returns the value of the tag key.
func (d *RunData) Tag(key string) (string, bool) { return lookup(d.Tags, key) }

// Metric returns the latest value of the metric key.
func (d *RunData) Metric(key string) (float64, bool) {
	for _, m := range d.Metrics {
		if m.Key == key {
			return float64(m.Value), true
		}
	}
	return 0, false
}

// Metric is one value of a metric at a step and time.
type Metric struct {
	Key       string `json:"key"`
	Value     Float  `json:"value"`
	Timestamp int64  `json:"timestamp"` // ms since the epoch
	Step      int64  `json:"step"`
}

// Param is a run parameter. A param may not be re-logged with another value.
type Param struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Tag is a key-value tag of a run or an experiment.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func lookup(tags []Tag, key string) (string, bool) {
	for _, t := range tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

// Float is a metric value. It is written and read the way MLflow's JSON does: finite values
// as numbers, NaN and ±Infinity as the strings "NaN", "Infinity" and "-Infinity" (a bare NaN
// token is misread by the server as 0). SQL-backed servers store ±Infinity as ±MaxFloat64.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Infinity"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		switch s {
		case "NaN":
			*f = Float(math.NaN())
		case "Infinity", "inf", "+Infinity":
			*f = Float(math.Inf(1))
		case "-Infinity", "-inf":
			*f = Float(math.Inf(-1))
		default:
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("mlflow: metric value %q is not a number", s)
			}
			*f = Float(v)
		}
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("mlflow: metric value %s is not a number", b)
	}
	*f = Float(v)
	return nil
}

// ViewType selects runs or experiments by lifecycle stage.
type ViewType string

// View types.
const (
	ActiveOnly  ViewType = "ACTIVE_ONLY"
	DeletedOnly ViewType = "DELETED_ONLY"
	AllViews    ViewType = "ALL"
)
