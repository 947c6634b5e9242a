package mlflow_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mlexp-dev/mlexp/mlflow"
)

func TestLogBatchLargeAndReadBack(t *testing.T) {
	var requests atomic.Int64
	c := newClient(t, mlflow.WithObserver(func(call mlflow.Call) {
		if call.Endpoint == "runs/log-batch" {
			requests.Add(1)
		}
	}))
	run := mustRun(t, c, mustExperiment(t, c), "big")
	var ms []mlflow.Metric
	var ps []mlflow.Param
	var ts []mlflow.Tag
	for i := 0; i < 2500; i++ { // one metric with a 2500-step history
		ms = append(ms, mlflow.Metric{Key: "loss", Value: mlflow.Float(1 / float64(i+1)), Timestamp: int64(1000 + i), Step: int64(i)})
	}
	for i := 0; i < 250; i++ {
		ps = append(ps, mlflow.Param{Key: fmt.Sprintf("feature_%03d_embedding_dim", i), Value: fmt.Sprint(16 * (i%8 + 1))})
	}
	for i := 0; i < 150; i++ {
		ts = append(ts, mlflow.Tag{Key: fmt.Sprintf("note.%d", i), Value: strings.Repeat("n", 100)})
	}
	ps = append(ps, mlflow.Param{Key: "long", Value: strings.Repeat("p", mlflow.MaxParamValueLength)})
	if err := c.LogBatch(ctx(t), run.Info.RunID, ms, ps, ts); err != nil {
		t.Fatal(err)
	}
	if got := requests.Load(); got != 3 {
		t.Errorf("logged in %d requests, want 3 (251 params need three)", got)
	}
	got, err := c.GetRun(ctx(t), run.Info.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Data.Params) != 251 {
		t.Errorf("read back %d params, want 251", len(got.Data.Params))
	}
	if v, _ := got.Data.Param("long"); len(v) != mlflow.MaxParamValueLength {
		t.Errorf("param at the length limit came back with %d characters", len(v))
	}
	userTags := 0
	for _, tag := range got.Data.Tags {
		if strings.HasPrefix(tag.Key, "note.") {
			userTags++
		}
	}
	if userTags != 150 {
		t.Errorf("read back %d tags, want 150", userTags)
	}
	if v, _ := got.Data.Metric("loss"); v != 1.0/2500 {
		t.Errorf("latest loss = %v, want the last step's value %v", v, 1.0/2500)
	}
	hist, err := c.GetMetricHistory(ctx(t), run.Info.RunID, "loss")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2500 {
		t.Fatalf("history has %d points, want 2500", len(hist))
	}
	for i, m := range hist {
		if m.Step != int64(i) || float64(m.Value) != 1/float64(i+1) || m.Timestamp != int64(1000+i) {
			t.Fatalf("history point %d = %+v", i, m)
		}
	}

	// The same batch again is harmless: equal params are kept and metric points deduplicated.
	if err := c.LogBatch(ctx(t), run.Info.RunID, ms[:10], ps[:10], ts[:10]); err != nil {
		t.Errorf("re-logging an equal batch: %v", err)
	}
	if hist, _ := c.GetMetricHistory(ctx(t), run.Info.RunID, "loss"); len(hist) != 2500 {
		t.Errorf("after re-logging, history has %d points, want 2500", len(hist))
	}
}

func TestLogBatchNaNAndInfinity(t *testing.T) {
	c := newClient(t)
	run := mustRun(t, c, mustExperiment(t, c), "nan")
	ms := []mlflow.Metric{
		{Key: "nan", Value: mlflow.Float(math.NaN()), Timestamp: 5},
		{Key: "pinf", Value: mlflow.Float(math.Inf(1)), Timestamp: 5},
		{Key: "ninf", Value: mlflow.Float(math.Inf(-1)), Timestamp: 5},
		{Key: "tiny", Value: 5e-324, Timestamp: 5},
	}
	if err := c.LogBatch(ctx(t), run.Info.RunID, ms, nil, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := c.GetRun(ctx(t), run.Info.RunID)
	if v, _ := got.Data.Metric("nan"); !math.IsNaN(v) {
		t.Errorf("NaN came back as %v", v)
	}
	// MLflow's SQL stores keep ±Infinity as ±MaxFloat64: the Python client reads the same.
	if v, _ := got.Data.Metric("pinf"); !(math.IsInf(v, 1) || v == math.MaxFloat64) {
		t.Errorf("+Inf came back as %v", v)
	}
	if v, _ := got.Data.Metric("ninf"); !(math.IsInf(v, -1) || v == -math.MaxFloat64) {
		t.Errorf("-Inf came back as %v", v)
	}
	if v, _ := got.Data.Metric("tiny"); v != 5e-324 {
		t.Errorf("smallest float came back as %v", v)
	}
}

func TestLogBatchRefusesWhatMLflowWouldTruncate(t *testing.T) {
	c := newClient(t)
	run := mustRun(t, c, mustExperiment(t, c), "limits")
	err := c.LogBatch(ctx(t), run.Info.RunID, nil, []mlflow.Param{{Key: "ok", Value: "1"}},
		[]mlflow.Tag{{Key: "too_long", Value: strings.Repeat("x", mlflow.MaxTagValueLength+1)}})
	var ve *mlflow.ValidationError
	if !errors.As(err, &ve) || ve.Field != "tags[0].value" {
		t.Fatalf("err = %v, want a ValidationError naming tags[0].value", err)
	}
	got, _ := c.GetRun(ctx(t), run.Info.RunID)
	if _, ok := got.Data.Param("ok"); ok {
		t.Error("the valid part of a refused batch was sent anyway")
	}
}

func TestLogBatchChangedParamIsInvalidParameter(t *testing.T) {
	c := newClient(t)
	run := mustRun(t, c, mustExperiment(t, c), "params")
	if err := c.LogBatch(ctx(t), run.Info.RunID, nil, []mlflow.Param{{Key: "epochs", Value: "2"}}, nil); err != nil {
		t.Fatal(err)
	}
	err := c.LogBatch(ctx(t), run.Info.RunID, nil, []mlflow.Param{{Key: "epochs", Value: "20"}}, nil)
	var me *mlflow.Error
	if !errors.Is(err, mlflow.ErrInvalidParameter) || !errors.As(err, &me) || !strings.Contains(me.Message, "Changing param values is not allowed") {
		t.Fatalf("err = %v, want INVALID_PARAMETER_VALUE with MLflow's message", err)
	}
}
