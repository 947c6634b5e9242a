package tracking_test

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/tracking"
)

// TestLineageRefReadsTheTagsTheLoggerWrote: the lineage ids of a report (full training or
// quick test) are logged as the run's mlmd.* tags and read back, with the model URI.
func TestLineageRefReadsTheTagsTheLoggerWrote(t *testing.T) {
	r := sample.TrainingRunReport()
	isolate(t, &r.Model, &r.Dataset)
	l := newLogger(t)
	plain, err := l.LogTrainingRun(ctx(t), r)
	if err != nil {
		t.Fatal(err)
	}
	r.TrainingRun.ID++
	r.TrainingRun.ModelURI = "gs://retail-recs/models/47"
	r.TrainingRun.Lineage = &mlexp.LineageIDs{ExecutionID: 12, ModelArtifactID: 40}
	tagged, err := l.LogTrainingRun(ctx(t), r)
	if err != nil {
		t.Fatal(err)
	}
	q := sample.QuickTestReport()
	q.Model, q.Dataset = r.Model, r.Dataset
	q.QuickTest.Lineage = &mlexp.LineageIDs{ModelArtifactID: 9}
	quick, err := l.LogQuickTest(ctx(t), q)
	if err != nil {
		t.Fatal(err)
	}
	reader := tracking.NewReader(client(t, srv.URL), time.Minute, time.Now, slog.New(slog.DiscardHandler))
	for _, c := range []struct {
		run  string
		want mlexp.LineageRef
	}{
		{tagged, mlexp.LineageRef{RunID: tagged, ExecutionID: 12, ModelArtifactID: 40, ModelURI: "gs://retail-recs/models/47"}},
		{plain, mlexp.LineageRef{RunID: plain, ModelURI: "gs://retail-recs/models/46"}},
		{quick, mlexp.LineageRef{RunID: quick, ModelArtifactID: 9}},
	} {
		got, err := reader.LineageRef(ctx(t), c.run)
		if err != nil || got != c.want {
			t.Errorf("LineageRef(%s) = %+v, %v; want %+v", c.run, got, err, c.want)
		}
	}
	_, err = reader.LineageRef(ctx(t), "0123456789abcdef0123456789abcdef")
	var e *mlexp.Error
	if !errors.As(err, &e) || e.Code != mlexp.ENOTFOUND {
		t.Errorf("LineageRef of a run that does not exist = %v, want ENOTFOUND", err)
	}
}
