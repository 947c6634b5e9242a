package tracking_test

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/pgtest"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// fleet logs full trainings of one model of its own to the shared MLflow.
type fleet struct {
	t      *testing.T
	report mlexp.TrainingRunReport
	logger *tracking.Logger
	c      *mlflow.Client
}

func newFleet(t *testing.T) *fleet {
	r := sample.TrainingRunReport()
	isolate(t, &r.Model, &r.Dataset)
	c := client(t, srv.URL)
	return &fleet{t: t, report: r, logger: tracking.NewLogger(c, nil), c: c}
}

// training logs full training id with the given Recall@100; edit changes the report first.
func (f *fleet) training(id int, recall float64, edit ...func(*mlexp.TrainingRunReport)) string {
	f.t.Helper()
	r := f.report
	r.TrainingRun.ID = id
	r.TrainingRun.ModelURI = fmt.Sprintf("gs://retail-recs/models/%d", id)
	m := r.TrainingRun.Metrics
	m.RecallAt100 = &recall
	r.TrainingRun.Metrics = m
	r.TrainingRun.History = nil
	for _, e := range edit {
		e(&r)
	}
	run, err := f.logger.LogTrainingRun(ctx(f.t), r)
	if err != nil {
		f.t.Fatal(err)
	}
	return run
}

// deployed lists the runs MLflow shows deployed among the model's experiments.
func (f *fleet) deployed() []string {
	f.t.Helper()
	filter, _ := mlflow.And(mlflow.Where(mlflow.Tags, tracking.TagModelID, "=", f.report.Model.ID))
	exps, err := f.c.SearchExperiments(ctx(f.t), mlflow.SearchExperimentsRequest{Filter: filter})
	if err != nil {
		f.t.Fatal(err)
	}
	var ids, out []string
	for _, e := range exps {
		ids = append(ids, e.ID)
	}
	runs, err := f.c.SearchRuns(ctx(f.t), mlflow.SearchRunsRequest{ExperimentIDs: ids})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, r := range runs {
		if v, _ := r.Data.Tag(tracking.TagDeployed); v == "true" {
			out = append(out, r.Info.RunID)
		}
	}
	return out
}

func (f *fleet) tag(runID, key string) string {
	f.t.Helper()
	r, err := f.c.GetRun(ctx(f.t), runID)
	if err != nil {
		f.t.Fatal(err)
	}
	v, _ := r.Data.Tag(key)
	return v
}

func openStore(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(ctx(t), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func reason(err error) any {
	if e, ok := err.(*mlexp.Error); ok {
		return e.Details["reason"]
	}
	return nil
}

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

func sorted(ids ...string) []string { slices.Sort(ids); return ids }

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

// TestConcurrentPromotionsEndWithOneDeployedRun promotes 10 runs at once through two
// promoters on two handles of one store (as two mlexp processes sharing it), on SQLite and on
// PostgreSQL: MLflow ends with exactly one run marked deployed, the one history recorded last.
func TestConcurrentPromotionsEndWithOneDeployedRun(t *testing.T) {
	onEachStore(t, func(t *testing.T, dsn string) {
		f := newFleet(t)
		var runs []string
		for i := range 10 {
			runs = append(runs, f.training(i+1, 0.40+float64(i)/100))
		}
		promoters := []*tracking.Promoter{
			tracking.NewPromoter(client(t, srv.URL), openStore(t, dsn), time.Now),
			tracking.NewPromoter(client(t, srv.URL), openStore(t, dsn), time.Now),
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, run := range runs {
			wg.Go(func() {
				<-start
				if _, err := promoters[i%2].Promote(ctx(t), mlexp.PromoteRequest{RunID: run, By: fmt.Sprintf("user-%d", i)}); err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		h, err := promoters[0].History(ctx(t), f.report.Model.ID, 0)
		if err != nil || len(h) != 10 {
			t.Fatalf("history of %d promotions, want 10 (%v)", len(h), err)
		}
		d := f.deployed()
		if len(d) != 1 || d[0] != h[0].RunID {
			t.Fatalf("MLflow shows %v deployed; the last recorded promotion is %s", d, h[0].RunID)
		}
		if by := f.tag(d[0], tracking.TagPromotedBy); by != h[0].PromotedBy {
			t.Errorf("the deployed run was promoted by %q in MLflow, by %q in the history", by, h[0].PromotedBy)
		}
		seen := map[string]bool{}
		for i, e := range h {
			seen[e.RunID] = true
			if i+1 < len(h) && e.PreviousRunID != h[i+1].RunID {
				t.Errorf("seq %d replaced %q, but seq %d promoted %q", e.Seq, e.PreviousRunID, h[i+1].Seq, h[i+1].RunID)
			}
		}
		if len(seen) != 10 {
			t.Errorf("%d distinct runs in the history, want 10", len(seen))
		}
	})
}

// TestCancelledPromotionDoesNotUndoTheNextOne cancels a promotion's context from inside its
// MLflow calls — just after it marked its run, before it cleared the old mark — and starts
// another promotion of the model at that moment, on another store handle (as another
// process would). The cancelled one must finish under the lock (or put MLflow back) before
// the other starts, so MLflow ends showing exactly the run the history recorded last.
// Before, the cancellation rolled the transaction back, which freed the lock while the
// cancelled promotion put back its predecessor's mark over the other's.
func TestCancelledPromotionDoesNotUndoTheNextOne(t *testing.T) {
	onEachStore(t, func(t *testing.T, dsn string) {
		f := newFleet(t)
		model := f.report.Model.ID
		x, a, b := f.training(1, 0.45), f.training(2, 0.46), f.training(3, 0.47)
		cancelled := tracking.NewPromoter(f.c, openStore(t, dsn), time.Now)
		other := tracking.NewPromoter(client(t, srv.URL), openStore(t, dsn), time.Now)
		if _, err := cancelled.Promote(ctx(t), mlexp.PromoteRequest{RunID: x, By: "ana"}); err != nil {
			t.Fatal(err)
		}
		promoteCtx, cancel := context.WithCancel(ctx(t))
		defer cancel()
		var once sync.Once
		next := make(chan error, 1)
		cancelled.OnChange(func(string) {
			once.Do(func() {
				cancel() // the client hangs up while the mark is half-moved
				go func() {
					_, err := other.Promote(ctx(t), mlexp.PromoteRequest{RunID: b, By: "bob"})
					next <- err
				}()
				time.Sleep(300 * time.Millisecond) // let the other promotion at the lock
			})
		})
		if _, err := cancelled.Promote(promoteCtx, mlexp.PromoteRequest{RunID: a, By: "carol"}); err != nil {
			t.Logf("the cancelled promotion: %v", err) // failing is fine, so long as MLflow is put back
		}
		if err := <-next; err != nil {
			t.Fatalf("the promotion that waited: %v", err)
		}
		h, err := other.History(ctx(t), model, 0)
		if err != nil || len(h) == 0 {
			t.Fatalf("history: %+v, %v", h, err)
		}
		if h[0].RunID != b {
			t.Errorf("the last recorded promotion is of %s, want b %s", h[0].RunID, b)
		}
		if len(h) > 1 && h[0].PreviousRunID != h[1].RunID {
			t.Errorf("b replaced %s, but the entry before it is %s", h[0].PreviousRunID, h[1].RunID)
		}
		if d := f.deployed(); !slices.Equal(d, []string{h[0].RunID}) {
			t.Errorf("MLflow shows %v deployed; the last recorded promotion is %s (x %s, a %s, b %s)", d, h[0].RunID, x, a, b)
		}
		if by := f.tag(b, tracking.TagPromotedBy); by != "bob" {
			t.Errorf("b promoted by %q in MLflow", by)
		}
	})
}

func TestSelectBestOverMLflow(t *testing.T) {
	f := newFleet(t)
	model := f.report.Model.ID
	a := f.training(1, 0.45)
	b := f.training(2, 0.47)
	f.training(3, 0.49, func(r *mlexp.TrainingRunReport) { r.TrainingRun.ModelURI = "" }) // best, but nothing to deploy
	nan := f.training(4, 0.50)
	// NaN logged over it, at a later step: MLflow reports NaN as its latest value.
	if err := f.c.LogBatch(ctx(t), nan, []mlflow.Metric{{Key: "recall_at_100", Value: mlflow.Float(math.NaN()), Timestamp: time.Now().UnixMilli(), Step: 99}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	q := sample.QuickTestReport()
	q.Model, q.Dataset = f.report.Model, f.report.Dataset
	q.QuickTest.Metrics.RecallAt100 = ptr(0.6)
	if _, err := f.logger.LogQuickTest(ctx(t), q); err != nil {
		t.Fatal(err)
	}
	reader := tracking.NewReader(f.c, time.Minute, time.Now, slog.New(slog.DiscardHandler))
	_, ds, err := reader.Experiment(ctx(t), model, "")
	if err != nil {
		t.Fatal(err)
	}
	set, err := reader.Runs(ctx(t), ds.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	p := tracking.NewPromoter(f.c, openStore(t, filepath.Join(t.TempDir(), "mlexp.db")), time.Now)
	if _, err := p.Promote(ctx(t), mlexp.PromoteRequest{RunID: a, By: "ana"}); err != nil {
		t.Fatal(err)
	}
	best, err := p.SelectBest(ctx(t), model, set.Runs, mlexp.BestQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if !best.Eligible || best.Run.RunID != b || best.Run.ModelURI != "gs://retail-recs/models/2" || best.Run.DatasetVersion != f.report.Dataset.Version ||
		best.RunnerUp == nil || best.RunnerUp.RunID != a || !best.RunnerUp.IsDeployed {
		t.Fatalf("best %+v, runner-up %+v", best.Run, best.RunnerUp)
	}
	if best.Deployed == nil || best.Deployed.RunID != a || best.OverDeployed == nil || best.OverDeployed.Text != "+2.0 pp" {
		t.Errorf("deployed %+v, margin %+v", best.Deployed, best.OverDeployed)
	}
	removed := map[string]int{}
	for _, g := range best.Gates {
		removed[g.Gate] = g.Removed
	}
	if removed[mlexp.GateRunType] != 1 || removed[mlexp.GateMetric] != 1 || removed[mlexp.GateModelURI] != 1 {
		t.Errorf("gates %+v", best.Gates)
	}
	none, err := p.SelectBest(ctx(t), model, set.Runs, mlexp.BestQuery{MinValue: ptr(0.48)})
	if err != nil || none.Eligible || none.Run != nil || none.Reason == "" {
		t.Errorf("nothing above 0.48 with a model: %+v, %v", none, err)
	}
	if _, err := p.SelectBest(ctx(t), model, set.Runs, mlexp.BestQuery{RunType: "deployed"}); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("bad run type: %v", err)
	}
}

func ptr(v float64) *float64 { return &v }

// onEachStore runs test on a SQLite store file and on a PostgreSQL database, each a subtest
// with the store's DSN.
func onEachStore(t *testing.T, test func(t *testing.T, dsn string)) {
	pg, err := pgtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Stop)
	t.Run("sqlite", func(t *testing.T) { test(t, filepath.Join(t.TempDir(), "mlexp.db")) })
	t.Run("postgres", func(t *testing.T) { test(t, pg.NewDatabase(t)) })
}
