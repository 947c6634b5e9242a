package tracking_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/tracking"
)

// TestMetricHistoryIsOnePointAnEpoch: a full training logged into a real MLflow reads back
// as one value an epoch, in epoch order; the last epoch, logged again with the final
// values, holds the final value. A run MLflow does not have is ENOTFOUND; a metric the run
// never logged has an empty history.
func TestMetricHistoryIsOnePointAnEpoch(t *testing.T) {
	r := sample.TrainingRunReport()
	isolate(t, &r.Model, &r.Dataset)
	runID, err := newLogger(t).LogTrainingRun(ctx(t), r)
	if err != nil {
		t.Fatal(err)
	}
	reader := tracking.NewReader(client(t, srv.URL), time.Minute, time.Now, slog.New(slog.DiscardHandler))
	hist := r.TrainingRun.History
	for _, c := range []struct {
		metric string
		at     func(mlexp.Metrics) *float64
		final  float64
	}{
		{"loss", func(m mlexp.Metrics) *float64 { return m.Loss }, 0.28},
		{"recall_at_100", func(m mlexp.Metrics) *float64 { return m.RecallAt100 }, 0.468},
	} {
		pts, err := reader.MetricHistory(ctx(t), runID, c.metric)
		if err != nil {
			t.Fatal(err)
		}
		if len(pts) != len(hist) {
			t.Fatalf("%s: %d points, want one an epoch (%d)", c.metric, len(pts), len(hist))
		}
		for i, p := range pts[:len(pts)-1] {
			if p.Step != int64(hist[i].Epoch) || p.Value != *c.at(hist[i].Metrics) {
				t.Errorf("%s epoch %d: %+v, want %v", c.metric, hist[i].Epoch, p, *c.at(hist[i].Metrics))
			}
		}
		if last := pts[len(pts)-1]; last.Step != int64(hist[len(hist)-1].Epoch) || last.Value != c.final {
			t.Errorf("%s: last point %+v, want the final value %v at the last epoch", c.metric, last, c.final)
		}
	}
	if pts, err := reader.MetricHistory(ctx(t), runID, "recall_at_7"); err != nil || len(pts) != 0 {
		t.Errorf("a metric never logged: %v, %v; want an empty history", pts, err)
	}
	if _, err := reader.MetricHistory(ctx(t), "0123456789abcdef0123456789abcdef", "loss"); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Errorf("an unknown run: %v, want ENOTFOUND", err)
	}
}
