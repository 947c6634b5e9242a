package tracking_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/tracking"
)

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
		if v, err := f.c.GetModelVersionByAlias(ctx(t), h[0].RegisteredModel, "champion"); err != nil || v == nil || v.Version != h[0].Version || v.RunID != h[0].RunID {
			t.Errorf("the alias names %+v (%v); the last recorded promotion is version %s of %s", v, err, h[0].Version, h[0].RunID)
		}
		seen := map[string]bool{}
		for i, e := range h {
			seen[e.RunID] = true
			if i+1 < len(h) && (e.PreviousRunID != h[i+1].RunID || e.PreviousVersion != h[i+1].Version) {
				t.Errorf("seq %d replaced %q (version %q), but seq %d promoted %q (version %q)", e.Seq, e.PreviousRunID, e.PreviousVersion, h[i+1].Seq, h[i+1].RunID, h[i+1].Version)
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
		if v, err := f.c.GetModelVersionByAlias(ctx(t), h[0].RegisteredModel, "champion"); err != nil || v == nil || v.Version != h[0].Version || v.RunID != b {
			t.Errorf("the alias names %+v (%v); the last recorded promotion is version %s of b", v, err, h[0].Version)
		}
		if by := f.tag(b, tracking.TagPromotedBy); by != "bob" {
			t.Errorf("b promoted by %q in MLflow", by)
		}
	})
}
