package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/sqlstore"
)

// promoteTo is an apply that records a promotion of runID from the current run.
func promoteTo(runID, by string) func(context.Context, *mlexp.Deployment) (*mlexp.Deployment, error) {
	return func(_ context.Context, cur *mlexp.Deployment) (*mlexp.Deployment, error) {
		d := &mlexp.Deployment{Action: mlexp.ActionPromote, RunID: runID, RunName: "run " + runID, PromotedBy: by, Note: "note " + runID}
		if cur != nil {
			d.PreviousRunID, d.PreviousRunName = cur.RunID, cur.RunName
		}
		return d, nil
	}
}

func TestDeploymentHistory(t *testing.T) { forEachStore(t, testDeploymentHistory) }

func testDeploymentHistory(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	if h, err := db.Deployments(ctx, "model-7", 0); err != nil || len(h) != 0 {
		t.Fatalf("empty history: %v, %v", h, err)
	}
	at := time.Date(2026, 11, 24, 9, 0, 0, 123456789, time.UTC)
	first, err := db.Promote(ctx, "model-7", func(_ context.Context, cur *mlexp.Deployment) (*mlexp.Deployment, error) {
		if cur != nil {
			t.Errorf("current before any promotion: %+v", cur)
		}
		return &mlexp.Deployment{Action: mlexp.ActionPromote, RunID: "run-a", RunName: "A", ExperimentID: "3", DatasetID: "d1",
			PromotedBy: "ana", PromotedAt: at, Note: "first", RegisteredModel: "Retail Recs", Alias: "champion", Version: "4", PreviousVersion: "3"}, nil
	})
	if err != nil || first.Seq != 1 || first.ID == "" || first.ModelID != "model-7" || !first.PromotedAt.Equal(at.Truncate(time.Millisecond)) {
		t.Fatalf("first promotion: %+v, %v", first, err)
	}
	if _, err := db.Promote(ctx, "model-7", promoteTo("run-b", "bob")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Promote(ctx, "model-8", promoteTo("run-x", "bob")); err != nil {
		t.Fatal(err)
	}
	// apply may record nothing (the run is already deployed), or fail: nothing is recorded.
	same, err := db.Promote(ctx, "model-7", func(context.Context, *mlexp.Deployment) (*mlexp.Deployment, error) { return nil, nil })
	if err != nil || same.RunID != "run-b" || same.Seq != 2 {
		t.Errorf("nothing to record: %+v, %v", same, err)
	}
	boom := errors.New("MLflow said no")
	if _, err := db.Promote(ctx, "model-7", func(context.Context, *mlexp.Deployment) (*mlexp.Deployment, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("failed apply: %v", err)
	}
	h, err := db.Deployments(ctx, "model-7", 0)
	if err != nil || len(h) != 2 {
		t.Fatalf("history: %+v, %v", h, err)
	}
	if b := h[0]; b.RunID != "run-b" || b.Seq != 2 || b.PreviousRunID != "run-a" || b.PreviousRunName != "A" || b.PromotedBy != "bob" || b.Note != "note run-b" {
		t.Errorf("newest first: %+v", b)
	}
	if a := h[1]; a.RunID != "run-a" || a.ExperimentID != "3" || a.DatasetID != "d1" || a.Note != "first" || a.PromotedBy != "ana" ||
		a.RegisteredModel != "Retail Recs" || a.Alias != "champion" || a.Version != "4" || a.PreviousVersion != "3" {
		t.Errorf("oldest: %+v", a)
	}
	if h, _ := db.Deployments(ctx, "model-7", 1); len(h) != 1 || h[0].RunID != "run-b" {
		t.Errorf("limit 1: %+v", h)
	}
	if _, err := db.Promote(ctx, "", promoteTo("x", "y")); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("no model: %v", err)
	}
}

// TestConcurrentPromotionsAreSerialised promotes one model from 10 goroutines through two
// handles on one database (as two mlexp processes would): the applies never overlap, and the
// history is one unbroken chain in which each promotion names the one before.
func TestConcurrentPromotionsAreSerialised(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			var dsn string
			if backend == "postgres" {
				dsn = pg.NewDatabase(t)
			} else {
				dsn = filepath.Join(t.TempDir(), "mlexp.db")
			}
			dbs := []*sqlstore.DB{mustOpen(t, dsn), mustOpen(t, dsn)}
			ctx := context.Background()
			var inside, overlaps atomic.Int32
			var wg sync.WaitGroup
			for i := range 10 {
				wg.Go(func() {
					run := fmt.Sprintf("run-%d", i)
					_, err := dbs[i%2].Promote(ctx, "model-race", func(ctx context.Context, cur *mlexp.Deployment) (*mlexp.Deployment, error) {
						if inside.Add(1) > 1 {
							overlaps.Add(1)
						}
						defer inside.Add(-1)
						time.Sleep(20 * time.Millisecond) // the MLflow calls
						return promoteTo(run, "worker")(ctx, cur)
					})
					if err != nil {
						t.Error(err)
					}
				})
			}
			// Another model is not held up by them.
			if _, err := dbs[0].Promote(ctx, "model-other", promoteTo("run-o", "x")); err != nil {
				t.Error(err)
			}
			wg.Wait()
			if n := overlaps.Load(); n != 0 {
				t.Errorf("%d promotions of one model ran at the same time as another", n)
			}
			h, err := dbs[1].Deployments(ctx, "model-race", 0)
			if err != nil || len(h) != 10 {
				t.Fatalf("history of %d, %v", len(h), err)
			}
			for i, d := range h {
				if d.Seq != int64(10-i) {
					t.Errorf("entry %d has seq %d", i, d.Seq)
				}
				if i+1 < len(h) && d.PreviousRunID != h[i+1].RunID {
					t.Errorf("seq %d: previous %q, but seq %d promoted %q", d.Seq, d.PreviousRunID, h[i+1].Seq, h[i+1].RunID)
				}
			}
			if h[9].PreviousRunID != "" {
				t.Errorf("the first promotion names a previous run %q", h[9].PreviousRunID)
			}
		})
	}
}

// TestCancelledCallerKeepsTheLock cancels the caller's context while apply runs (a client
// hanging up mid-promotion): apply's context is not cancelled, the lock is not released —
// a promotion through another handle waits until apply returns — and what apply returns is
// recorded, before the waiting promotion, which names it as the run it replaced.
func TestCancelledCallerKeepsTheLock(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dsn := dsn(t, backend)
			first, second := mustOpen(t, dsn), mustOpen(t, dsn)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var waiterInside atomic.Bool
			waiter := make(chan error, 1)
			got, err := first.Promote(ctx, "model-c", func(applyCtx context.Context, cur *mlexp.Deployment) (*mlexp.Deployment, error) {
				cancel()
				go func() {
					_, err := second.Promote(context.Background(), "model-c", func(ctx context.Context, cur *mlexp.Deployment) (*mlexp.Deployment, error) {
						waiterInside.Store(true)
						return promoteTo("run-b", "bob")(ctx, cur)
					})
					waiter <- err
				}()
				time.Sleep(300 * time.Millisecond) // MLflow calls; database/sql would roll back now
				if err := applyCtx.Err(); err != nil {
					t.Errorf("apply's context ended with the caller's: %v", err)
				}
				if deadline, ok := applyCtx.Deadline(); !ok || time.Until(deadline) < time.Minute {
					t.Errorf("apply's context has deadline %v (%v), want one over a minute away", deadline, ok)
				}
				if waiterInside.Load() {
					t.Error("another promotion of the model ran while this one held the lock")
				}
				return promoteTo("run-a", "ana")(applyCtx, cur)
			})
			if err != nil || got.RunID != "run-a" || got.Seq != 1 {
				t.Fatalf("promotion whose caller was cancelled: %+v, %v", got, err)
			}
			if err := <-waiter; err != nil {
				t.Fatalf("the waiting promotion: %v", err)
			}
			h, err := second.Deployments(context.Background(), "model-c", 0)
			if err != nil || len(h) != 2 || h[0].RunID != "run-b" || h[0].PreviousRunID != "run-a" || h[1].RunID != "run-a" {
				t.Errorf("history: %+v, %v", h, err)
			}
		})
	}
}

// TestCallerBoundsTheWaitForTheLock: a promotion whose context ends while another holds the
// model's lock gives up, without running apply, and the holder is not disturbed.
func TestCallerBoundsTheWaitForTheLock(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dsn := dsn(t, backend)
			first, second := mustOpen(t, dsn), mustOpen(t, dsn)
			release, holding := make(chan struct{}), make(chan struct{})
			held := make(chan error, 1)
			go func() {
				_, err := first.Promote(context.Background(), "model-w", func(ctx context.Context, cur *mlexp.Deployment) (*mlexp.Deployment, error) {
					close(holding)
					<-release
					return promoteTo("run-a", "ana")(ctx, cur)
				})
				held <- err
			}()
			<-holding
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := second.Promote(ctx, "model-w", func(context.Context, *mlexp.Deployment) (*mlexp.Deployment, error) {
				t.Error("apply ran without the lock")
				return nil, nil
			})
			if err == nil {
				t.Error("a promotion whose context ended while waiting for the lock succeeded")
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("gave up after %v, want about the context's 200ms", d)
			}
			close(release)
			if err := <-held; err != nil {
				t.Fatalf("the holder: %v", err)
			}
			if h, err := second.Deployments(context.Background(), "model-w", 0); err != nil || len(h) != 1 || h[0].RunID != "run-a" {
				t.Errorf("history: %+v, %v", h, err)
			}
		})
	}
}
