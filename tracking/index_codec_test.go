package tracking

import (
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// codecRun is a run with what the codec must keep: params and tags listed out of order, a
// system tag it leaves out, NaN, ±Inf and MLflow's stored stand-in for +Inf.
func codecRun() mlflow.Run {
	return mlflow.Run{
		Info: mlflow.RunInfo{RunID: "0123456789abcdef0123456789abcdef", ExperimentID: "7", RunName: "config-042 Quick Test #3",
			Status: mlflow.StatusFinished, StartTime: 1764000000000, EndTime: 1764000420000, LifecycleStage: "active"},
		Data: mlflow.RunData{
			Params: []mlflow.Param{{Key: "user_id_embedding_dim", Value: "64"}, {Key: "cross_features", Value: "user_id_x_city"},
				{Key: "run_type", Value: "quick_test"}, {Key: "config_id", Value: "config-042"}, {Key: "note", Value: ""}},
			Metrics: []mlflow.Metric{{Key: "recall_at_100", Value: 0.473}, {Key: "final_loss", Value: 0.38},
				{Key: "auc", Value: mlflow.Float(math.NaN())}, {Key: "mrr", Value: mlflow.Float(math.Inf(-1))},
				{Key: "ndcg_at_10", Value: math.MaxFloat64}},
			Tags: []mlflow.Tag{{Key: "mlflow.source.name", Value: "train.py"}, {Key: TagDeployed, Value: "true"},
				{Key: TagDatasetID, Value: "retail"}, {Key: TagFailureReason, Value: "ünïcode reason"}},
		},
	}
}

func runJSON(t *testing.T, r mlexp.Run) string {
	t.Helper()
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(js)
}

func TestCodecReadsBackWhatToRunReads(t *testing.T) {
	m := codecRun()
	row := encodeRuns([]mlflow.Run{m})[0]
	got, err := decodeRun(row, new(mlexp.Interner))
	if err != nil {
		t.Fatal(err)
	}
	if want := ToRun(&m); runJSON(t, got) != runJSON(t, want) {
		t.Errorf("decoded\n%s\nwant\n%s", runJSON(t, got), runJSON(t, want))
	}
	if v, ok := got.Metrics.Lookup("auc"); !ok || !math.IsNaN(v) {
		t.Errorf("auc = %v, %v; want NaN", v, ok)
	}
	if !math.IsInf(got.Metrics.Value("mrr"), -1) || !math.IsInf(got.Metrics.Value("ndcg_at_10"), 1) || got.Metrics.Value("loss") != 0.38 {
		t.Errorf("metrics = %v, want -Inf, +Inf and loss from final_loss", got.Metrics.Map())
	}
	reordered := codecRun()
	reordered.Data.Params[0], reordered.Data.Params[3] = reordered.Data.Params[3], reordered.Data.Params[0]
	reordered.Data.Tags[1], reordered.Data.Tags[2] = reordered.Data.Tags[2], reordered.Data.Tags[1]
	if bodySum(encodeBody(&reordered)) != bodySum(row.Body) {
		t.Errorf("the same run listed in another order has another body: the reconciliation would rewrite it")
	}
}

func TestCodecReadsLegacyJSONRows(t *testing.T) {
	m := codecRun()
	legacy := legacyRun{ID: m.Info.RunID, Exp: m.Info.ExperimentID, Name: m.Info.RunName, Status: string(m.Info.Status),
		Start: m.Info.StartTime, End: m.Info.EndTime, Metrics: map[string]mlflow.Float{}}
	for _, p := range m.Data.Params {
		legacy.Params = append(legacy.Params, p.Key, p.Value)
	}
	for _, x := range m.Data.Metrics {
		legacy.Metrics[x.Key] = x.Value
	}
	for _, tag := range m.Data.Tags[1:] { // the system tag was never kept
		legacy.Tags = append(legacy.Tags, tag.Key, tag.Value)
	}
	body, err := json.Marshal(legacy)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeRun(mlexp.IndexedRun{ID: m.Info.RunID, Body: body}, new(mlexp.Interner))
	if err != nil {
		t.Fatal(err)
	}
	if want := ToRun(&m); runJSON(t, got) != runJSON(t, want) {
		t.Errorf("legacy row decoded\n%s\nwant\n%s", runJSON(t, got), runJSON(t, want))
	}
	if bodySum(body) != bodySum(encodeBody(&m)) {
		t.Errorf("a legacy row and the binary row of the same run differ: the reconciliation would count a correction")
	}
}

func TestCodecRefusesATruncatedBody(t *testing.T) {
	m := codecRun()
	body := encodeBody(&m)
	for n := 1; n < len(body); n++ {
		if _, err := decodeRun(mlexp.IndexedRun{ID: "x", Body: body[:n]}, new(mlexp.Interner)); err == nil {
			t.Fatalf("a body cut to %d of %d bytes decoded without an error", n, len(body))
		}
	}
}

// BenchmarkEncodeRuns is the encoding of a page of a load into index rows, per 1,000 runs.
func BenchmarkEncodeRuns(b *testing.B) {
	runs := make([]mlflow.Run, 1000)
	for i := range runs {
		runs[i] = codecRun()
	}
	b.ReportAllocs()
	for b.Loop() {
		encodeRuns(runs)
	}
}

// TestEncodeRunsLikeOneByOne: encodeRuns reuses its room from run to run; each body is still
// the one encodeBody gives that run alone (a run with more values, then fewer, then the first
// again in another order).
func TestEncodeRunsLikeOneByOne(t *testing.T) {
	big, small := codecRun(), codecRun()
	small.Info.RunID = "fedcba9876543210fedcba9876543210"
	small.Data.Params, small.Data.Metrics, small.Data.Tags = small.Data.Params[:1], small.Data.Metrics[:1], nil
	reordered := codecRun()
	slices.Reverse(reordered.Data.Params)
	slices.Reverse(reordered.Data.Metrics)
	runs := []mlflow.Run{big, small, reordered}
	rows := encodeRuns(runs)
	for i := range runs {
		if want := encodeBody(&runs[i]); string(rows[i].Body) != string(want) {
			t.Errorf("run %d: encodeRuns gave\n%x\nencodeBody\n%x", i, rows[i].Body, want)
		}
	}
	if string(rows[0].Body) != string(rows[2].Body) {
		t.Errorf("the same run in another order has another body")
	}
}
