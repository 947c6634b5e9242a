package sample

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// Promote makes runID the deployed run of its model, as test data: through a promoter over
// a throw-away store, so that MLflow carries the mark and no test store has the history.
func Promote(ctx context.Context, c *mlflow.Client, runID string) error {
	dir, err := os.MkdirTemp("", "mlexp-seed-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := sqlstore.Open(ctx, filepath.Join(dir, "seed.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = tracking.NewPromoter(c, db, time.Now).Promote(ctx, mlexp.PromoteRequest{RunID: runID, By: "test seed"})
	return err
}
