package tracking_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

func TestPromoteRecordsHistoryAndMirrorsMLflow(t *testing.T) {
	f := newFleet(t)
	model := f.report.Model.ID
	a, b, c := f.training(1, 0.45), f.training(2, 0.46), f.training(3, 0.47)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	p := tracking.NewPromoter(f.c, openStore(t, filepath.Join(t.TempDir(), "mlexp.db")), func() time.Time { return now })
	var changed []string
	p.OnChange(func(id string) { changed = append(changed, id) })

	got, err := p.Promote(ctx(t), mlexp.PromoteRequest{RunID: a, By: "ana", Note: "first"})
	if err != nil || !got.Changed || got.Deployment.Seq != 1 || got.Deployment.PreviousRunID != "" || got.Deployment.ModelID != model ||
		got.Deployment.Action != mlexp.ActionPromote || len(got.Cleared) != 0 {
		t.Fatalf("promote a: %+v, %v", got, err)
	}
	if d := f.deployed(); !slices.Equal(d, []string{a}) || f.tag(a, tracking.TagPromotedBy) != "ana" || f.tag(a, tracking.TagPromotedAt) != "2026-11-25T10:00:00Z" {
		t.Errorf("MLflow after promoting a: deployed %v, promoted by %q", d, f.tag(a, tracking.TagPromotedBy))
	}
	if len(changed) == 0 {
		t.Error("no cache was told of the change")
	}
	// A mark set by hand in MLflow is cleared by the next promotion.
	if err := f.c.SetTag(ctx(t), c, mlflow.Tag{Key: tracking.TagDeployed, Value: "true"}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	got, err = p.Promote(ctx(t), mlexp.PromoteRequest{RunID: b, ModelID: model, By: "bob"})
	if err != nil || got.Deployment.PreviousRunID != a || got.Deployment.Seq != 2 {
		t.Fatalf("promote b: %+v, %v", got, err)
	}
	if slices.Sort(got.Cleared); !slices.Equal(got.Cleared, sorted(a, c)) {
		t.Errorf("promote b cleared %v, want a and c", got.Cleared)
	}
	if d := f.deployed(); !slices.Equal(d, []string{b}) {
		t.Errorf("MLflow after promoting b: %v", d)
	}
	// Again: nothing new is recorded.
	if got, err := p.Promote(ctx(t), mlexp.PromoteRequest{RunID: b, By: "bob"}); err != nil || got.Changed || got.Deployment.Seq != 2 {
		t.Errorf("promote b again: %+v, %v", got, err)
	}

	// Rollback goes back to a, and is itself a promotion; twice returns to b.
	got, err = p.Rollback(ctx(t), model, "carol", "b regressed")
	if err != nil || got.Deployment.RunID != a || got.Deployment.PreviousRunID != b || got.Deployment.Action != mlexp.ActionRollback {
		t.Fatalf("rollback: %+v, %v", got, err)
	}
	if d := f.deployed(); !slices.Equal(d, []string{a}) || f.tag(a, tracking.TagPromotedBy) != "carol" {
		t.Errorf("MLflow after the rollback: %v", d)
	}
	if got, err := p.Rollback(ctx(t), model, "carol", ""); err != nil || got.Deployment.RunID != b {
		t.Errorf("second rollback: %+v, %v", got, err)
	}
	h, err := p.History(ctx(t), model, 0)
	if err != nil || len(h) != 4 {
		t.Fatalf("history: %+v, %v", h, err)
	}
	want := []struct{ run, prev, by, note, action string }{
		{b, a, "carol", "", "rollback"}, {a, b, "carol", "b regressed", "rollback"}, {b, a, "bob", "", "promote"}, {a, "", "ana", "first", "promote"}}
	for i, w := range want {
		d := h[i]
		if d.RunID != w.run || d.PreviousRunID != w.prev || d.PromotedBy != w.by || d.Note != w.note || d.Action != w.action ||
			d.RunName == "" || d.ExperimentID == "" || d.DatasetID != f.report.Dataset.ID || d.PromotedAt.IsZero() {
			t.Errorf("history[%d] = %+v, want %+v", i, d, w)
		}
	}
	if !h[3].PromotedAt.Equal(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("first promoted at %v", h[3].PromotedAt)
	}
}

func TestPromotionRefusals(t *testing.T) {
	f := newFleet(t)
	model := f.report.Model.ID
	good := f.training(1, 0.45)
	noURI := f.training(2, 0.46, func(r *mlexp.TrainingRunReport) { r.TrainingRun.ModelURI = "" })
	failed := f.training(3, 0.47, func(r *mlexp.TrainingRunReport) {
		r.TrainingRun.Status, r.TrainingRun.Failure = mlexp.StatusFailed, &mlexp.Failure{Stage: "Trainer", Reason: "OOM"}
	})
	q := sample.QuickTestReport()
	q.Model, q.Dataset = f.report.Model, f.report.Dataset
	quick, err := f.logger.LogQuickTest(ctx(t), q)
	if err != nil {
		t.Fatal(err)
	}
	other := newFleet(t)
	foreign := other.training(4, 0.5)
	expID, err := f.c.CreateExperiment(ctx(t), fmt.Sprintf("no model %d", time.Now().UnixNano()), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	orphan, err := f.c.CreateRun(ctx(t), mlflow.CreateRunRequest{ExperimentID: expID})
	if err != nil {
		t.Fatal(err)
	}
	p := tracking.NewPromoter(f.c, openStore(t, filepath.Join(t.TempDir(), "mlexp.db")), time.Now)
	if _, err := p.Rollback(ctx(t), model, "ana", ""); mlexp.ErrorCode(err) != mlexp.ECONFLICT {
		t.Errorf("rollback without history: %v", err)
	}
	if _, err := p.Promote(ctx(t), mlexp.PromoteRequest{RunID: good, By: "ana"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		req    mlexp.PromoteRequest
		code   string
		reason any
	}{
		{"failed", mlexp.PromoteRequest{RunID: failed}, mlexp.ECONFLICT, mlexp.RefusedNotFinished},
		{"no model URI", mlexp.PromoteRequest{RunID: noURI}, mlexp.ECONFLICT, mlexp.RefusedNoModelURI},
		{"quick test", mlexp.PromoteRequest{RunID: quick, ModelID: model}, mlexp.ECONFLICT, mlexp.RefusedNoModelURI},
		{"another model's run", mlexp.PromoteRequest{RunID: foreign, ModelID: model}, mlexp.ECONFLICT, mlexp.RefusedOtherModel},
		{"a run of no model", mlexp.PromoteRequest{RunID: orphan.Info.RunID}, mlexp.ECONFLICT, mlexp.RefusedNoModel},
		{"missing run", mlexp.PromoteRequest{RunID: "0123456789abcdef0123456789abcdef"}, mlexp.ENOTFOUND, nil},
		{"nobody", mlexp.PromoteRequest{RunID: good, By: "-"}, mlexp.EUNAUTHORIZED, nil},
		{"long note", mlexp.PromoteRequest{RunID: good, Note: string(make([]byte, 3000))}, mlexp.EINVALID, nil},
		{"long by", mlexp.PromoteRequest{RunID: good, By: strings.Repeat("é", mlflow.MaxTagValueLength+1)}, mlexp.EINVALID, nil},
	} {
		req := tc.req
		if req.By == "" {
			req.By = "ana"
		} else if req.By == "-" {
			req.By = ""
		}
		_, err := p.Promote(ctx(t), req)
		if mlexp.ErrorCode(err) != tc.code || reason(err) != tc.reason {
			t.Errorf("%s: %v (reason %v), want %s (%v)", tc.name, err, reason(err), tc.code, tc.reason)
		}
		if tc.name == "long by" {
			if e, ok := err.(*mlexp.Error); !ok || e.Field != "by" || !strings.Contains(e.Message, "8000") {
				t.Errorf("long by names %+v, want the field by and MLflow's limit", err)
			}
		}
	}
	if d := f.deployed(); !slices.Equal(d, []string{good}) {
		t.Errorf("after the refusals MLflow shows %v deployed, want only %s", d, good)
	}
	if h, _ := p.History(ctx(t), model, 0); len(h) != 1 {
		t.Errorf("refusals were recorded: %+v", h)
	}
	if d := other.deployed(); len(d) != 0 {
		t.Errorf("the other model has %v deployed", d)
	}
}
