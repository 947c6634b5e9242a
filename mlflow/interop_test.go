package mlflow_test

import (
	"encoding/json"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/mlflow"
)

// Interoperability with MLflow's official Python client, both ways: a run logged by Python
// is read back exactly by Go, and a run logged by Go is read back exactly by Python.

type point struct {
	Step      int64        `json:"step"`
	Timestamp int64        `json:"timestamp"`
	Value     mlflow.Float `json:"value"`
}

// runSpec is what one side logs and the other must read back.
type runSpec struct {
	Experiment string             `json:"experiment,omitempty"`
	RunName    string             `json:"run_name"`
	Status     string             `json:"status"`
	StartTime  int64              `json:"start_time"`
	EndTime    int64              `json:"end_time"`
	Params     map[string]string  `json:"params"`
	Tags       map[string]string  `json:"tags"`
	History    map[string][]point `json:"history"`
	Artifacts  map[string]string  `json:"artifacts"`
}

// readBack is what a reader saw; Latest holds the value of each metric that MLflow reports
// with the run.
type readBack struct {
	runSpec
	Latest map[string]mlflow.Float `json:"latest"`
}

func interopSpec(t *testing.T) runSpec {
	start := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC).UnixMilli()
	loss, recall := []point{}, []point{}
	for e := int64(0); e < 5; e++ {
		loss = append(loss, point{Step: e, Timestamp: start + 1000*e, Value: mlflow.Float(0.9 / float64(e+1))})
		recall = append(recall, point{Step: e, Timestamp: start + 1000*e, Value: mlflow.Float(0.3 + 0.03*float64(e))})
	}
	return runSpec{
		Experiment: uniqueName(t),
		RunName:    "config-042 Full Training #46",
		Status:     "FINISHED",
		StartTime:  start,
		EndTime:    start + 3*3600*1000,
		Params: map[string]string{"run_type": "full_training", "config_id": "config-042", "epochs": "5", "batch_size": "8192",
			"user_id_embedding_dim": "64", "cross_features": "category_x_subcategory,user_id_x_city", "query_tower": "user_id,city"},
		Tags: map[string]string{"dataset_id": "dataset-001", "dataset_version": "3", "feature_config_id": "config-042", "is_deployed": "true",
			"note": "quotes ' \" and ünïcode ✓"},
		History: map[string][]point{
			"loss":          loss,
			"recall_at_100": recall,
			"nan_metric":    {{Step: 0, Timestamp: start, Value: mlflow.Float(math.NaN())}},
			"cost_usd":      {{Step: 0, Timestamp: start, Value: 38.5}},
		},
		Artifacts: map[string]string{"model/model_uri.txt": "gs://bucket/models/46", "notes.txt": "a note\n"},
	}
}

func python(t *testing.T, script string, stdin []byte, args ...string) []byte {
	t.Helper()
	out, err := srv.RunPython(script, stdin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestInteropPythonLogsGoReads(t *testing.T) {
	spec := interopSpec(t)
	in, _ := json.Marshal(spec)
	var logged struct {
		RunID string `json:"run_id"`
	}
	if err := json.Unmarshal(python(t, "log_run.py", in), &logged); err != nil {
		t.Fatal(err)
	}

	c := newClient(t)
	run, err := c.GetRun(ctx(t), logged.RunID)
	if err != nil {
		t.Fatal(err)
	}
	got := readBack{runSpec: runSpec{RunName: run.Info.RunName, Status: string(run.Info.Status), StartTime: run.Info.StartTime, EndTime: run.Info.EndTime,
		Params: map[string]string{}, Tags: map[string]string{}, History: map[string][]point{}, Artifacts: map[string]string{}},
		Latest: map[string]mlflow.Float{}}
	for _, p := range run.Data.Params {
		got.Params[p.Key] = p.Value
	}
	for _, tag := range run.Data.Tags {
		got.Tags[tag.Key] = tag.Value
	}
	for _, m := range run.Data.Metrics {
		got.Latest[m.Key] = m.Value
		hist, err := c.GetMetricHistory(ctx(t), logged.RunID, m.Key)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hist {
			got.History[m.Key] = append(got.History[m.Key], point{Step: h.Step, Timestamp: h.Timestamp, Value: h.Value})
		}
	}
	var walk func(dir string)
	walk = func(dir string) {
		files, err := c.ListArtifacts(ctx(t), run.Info.ArtifactURI, dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if f.IsDir {
				walk(f.Path)
				continue
			}
			b, err := c.DownloadArtifact(ctx(t), run.Info.ArtifactURI, f.Path)
			if err != nil {
				t.Fatal(err)
			}
			got.Artifacts[f.Path] = string(b)
		}
	}
	walk("")
	compareRun(t, spec, got)
}

func TestInteropGoLogsPythonReads(t *testing.T) {
	spec := interopSpec(t)
	c := newClient(t)
	exp, err := c.CreateExperiment(ctx(t), spec.Experiment, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.CreateRun(ctx(t), mlflow.CreateRunRequest{ExperimentID: exp, RunName: spec.RunName, StartTime: time.UnixMilli(spec.StartTime)})
	if err != nil {
		t.Fatal(err)
	}
	var params []mlflow.Param
	var tags []mlflow.Tag
	var metrics []mlflow.Metric
	for k, v := range spec.Params {
		params = append(params, mlflow.Param{Key: k, Value: v})
	}
	for k, v := range spec.Tags {
		tags = append(tags, mlflow.Tag{Key: k, Value: v})
	}
	for k, pts := range spec.History {
		for _, p := range pts {
			metrics = append(metrics, mlflow.Metric{Key: k, Value: p.Value, Timestamp: p.Timestamp, Step: p.Step})
		}
	}
	if err := c.LogBatch(ctx(t), run.Info.RunID, metrics, params, tags); err != nil {
		t.Fatal(err)
	}
	for path, text := range spec.Artifacts {
		if err := c.UploadArtifact(ctx(t), run.Info.ArtifactURI, path, []byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.UpdateRun(ctx(t), mlflow.UpdateRunRequest{RunID: run.Info.RunID, Status: mlflow.RunStatus(spec.Status), EndTime: time.UnixMilli(spec.EndTime)}); err != nil {
		t.Fatal(err)
	}

	var got readBack
	if err := json.Unmarshal(python(t, "read_run.py", nil, run.Info.RunID), &got); err != nil {
		t.Fatal(err)
	}
	compareRun(t, spec, got)
}

// compareRun checks that a reader saw exactly what was logged. MLflow adds system tags
// (mlflow.user, mlflow.runName, ...), so only the logged tags are compared, plus the run name.
func compareRun(t *testing.T, want runSpec, got readBack) {
	t.Helper()
	if got.RunName != want.RunName || got.Status != want.Status || got.StartTime != want.StartTime || got.EndTime != want.EndTime {
		t.Errorf("run info = %q %s %d..%d, want %q %s %d..%d", got.RunName, got.Status, got.StartTime, got.EndTime,
			want.RunName, want.Status, want.StartTime, want.EndTime)
	}
	if got.Tags["mlflow.runName"] != want.RunName {
		t.Errorf("mlflow.runName tag = %q", got.Tags["mlflow.runName"])
	}
	if len(got.Params) != len(want.Params) {
		t.Errorf("read %d params, logged %d", len(got.Params), len(want.Params))
	}
	for k, v := range want.Params {
		if got.Params[k] != v {
			t.Errorf("param %s = %q, want %q", k, got.Params[k], v)
		}
	}
	for k, v := range want.Tags {
		if got.Tags[k] != v {
			t.Errorf("tag %s = %q, want %q", k, got.Tags[k], v)
		}
	}
	if len(got.History) != len(want.History) {
		t.Errorf("read %d metrics, logged %d", len(got.History), len(want.History))
	}
	for k, pts := range want.History {
		g := got.History[k]
		sort.Slice(g, func(i, j int) bool { return g[i].Step < g[j].Step })
		if len(g) != len(pts) {
			t.Errorf("metric %s: %d points, want %d", k, len(g), len(pts))
			continue
		}
		for i := range pts {
			if g[i].Step != pts[i].Step || g[i].Timestamp != pts[i].Timestamp || !sameFloat(g[i].Value, pts[i].Value) {
				t.Errorf("metric %s point %d = %+v, want %+v", k, i, g[i], pts[i])
			}
		}
		if last := pts[len(pts)-1].Value; !sameFloat(got.Latest[k], last) {
			t.Errorf("latest %s = %v, want the last step's %v", k, got.Latest[k], last)
		}
	}
	if len(got.Artifacts) != len(want.Artifacts) {
		t.Errorf("read artifacts %v, want %v", got.Artifacts, want.Artifacts)
	}
	for p, text := range want.Artifacts {
		if got.Artifacts[p] != text {
			t.Errorf("artifact %s = %q, want %q", p, got.Artifacts[p], text)
		}
	}
}

func sameFloat(a, b mlflow.Float) bool {
	return a == b || math.IsNaN(float64(a)) && math.IsNaN(float64(b))
}
