package tracking_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

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

func sorted(ids ...string) []string { slices.Sort(ids); return ids }

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
