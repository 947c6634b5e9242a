package mlflowdb_test

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/mlflowdb"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

var srv *mlflowtest.Server

func TestMain(m *testing.M) { mlflowtest.Main(m, &srv) }

// fixture is what log_db_fixture.py logged: experiment ids by name, run ids by label.
type fixture struct {
	Experiments map[string]string `json:"experiments"`
	Runs        map[string]string `json:"runs"`
}

// sqliteFixture is the fixture logged once to the SQLite-backed server of TestMain.
var sqliteFixture = sync.OnceValues(func() (fixture, error) { return logFixture(srv) })

func logFixture(s *mlflowtest.Server) (fixture, error) {
	var fx fixture
	out, err := s.RunPython("log_db_fixture.py", nil)
	if err != nil {
		return fx, err
	}
	return fx, json.Unmarshal(out, &fx)
}

func sqliteSetup(t *testing.T) (fixture, *mlflowdb.Store) {
	t.Helper()
	fx, err := sqliteFixture()
	if err != nil {
		t.Fatalf("logging the runs with MLflow's Python client: %v", err)
	}
	return fx, openDB(t, srv.SQLitePath())
}

func openDB(t *testing.T, dsn string) *mlflowdb.Store {
	t.Helper()
	db, err := mlflowdb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("opening MLflow's database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestSameRunsAsRESTOnSQLite compares, query by query and run by run, what MLflow's REST API
// and its SQLite database give for runs logged by MLflow's Python client.
func TestSameRunsAsRESTOnSQLite(t *testing.T) {
	fx, db := sqliteSetup(t)
	compareBackends(t, srv, db, fx)
}

// queries are the syncer's kinds of reads of one experiment.
func queries(expID string, fx fixture) map[string]mlflow.RunQuery {
	from, same := int64(1_790_000_010_000), int64(1_790_000_020_000)
	return map[string]mlflow.RunQuery{
		"every active run, ordered":     {ExperimentID: expID, Ordered: true},
		"a page of 5, ordered":          {ExperimentID: expID, Ordered: true, Limit: 5},
		"started since, less some runs": {ExperimentID: expID, View: mlflow.ActiveOnly, StartFrom: &from, NotIDs: []string{fx.Runs["ties"], fx.Runs["same-start-1"]}},
		"started at one ms":             {ExperimentID: expID, StartAt: &same, Ordered: true},
		"ended since":                   {ExperimentID: expID, View: mlflow.ActiveOnly, EndFrom: &from},
		"running":                       {ExperimentID: expID, View: mlflow.ActiveOnly, Status: mlflow.StatusRunning},
		"deleted":                       {ExperimentID: expID, View: mlflow.DeletedOnly},
		"by id, any stage":              {ExperimentID: expID, View: mlflow.AllViews, IDs: []string{fx.Runs["deleted"], fx.Runs["restored"], fx.Runs["non-finite"], fx.Runs["b-1"]}},
	}
}

func compareBackends(t *testing.T, s *mlflowtest.Server, db *mlflowdb.Store, fx fixture) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	client, err := mlflow.NewClient(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(fx.Experiments) != 3 {
		t.Fatalf("the fixture logged %d experiments, want 3", len(fx.Experiments))
	}
	for name, expID := range fx.Experiments {
		for what, q := range queries(expID, fx) {
			req, err := q.Request(1000)
			if err != nil {
				t.Fatal(err)
			}
			want, err := client.SearchRuns(ctx, req)
			if err != nil {
				t.Fatalf("%s, %s: REST: %v", name, what, err)
			}
			got, err := db.SearchRuns(ctx, q)
			if err != nil {
				t.Fatalf("%s, %s: database: %v", name, what, err)
			}
			if !q.Ordered {
				byID := func(a, b mlflow.Run) int { return cmp.Compare(a.Info.RunID, b.Info.RunID) }
				slices.SortFunc(want, byID)
				slices.SortFunc(got, byID)
			}
			t.Logf("%s, %s: %d runs", name, what, len(want))
			if len(got) != len(want) {
				t.Errorf("%s, %s: the database gave %d runs, REST %d", name, what, len(got), len(want))
				continue
			}
			for i := range want {
				if w, g := runJSON(t, want[i]), runJSON(t, got[i]); w != g {
					t.Errorf("%s, %s, run %d:\nREST     %s\ndatabase %s", name, what, i, w, g)
				}
			}
		}
		compareIndexes(t, ctx, client, db, expID)
	}
}

// runJSON is r with its params, tags and metrics sorted by key, as JSON (which writes NaN and
// ±Infinity as MLflow does).
func runJSON(t *testing.T, r mlflow.Run) string {
	t.Helper()
	slices.SortFunc(r.Data.Params, func(a, b mlflow.Param) int { return cmp.Compare(a.Key, b.Key) })
	slices.SortFunc(r.Data.Tags, func(a, b mlflow.Tag) int { return cmp.Compare(a.Key, b.Key) })
	slices.SortFunc(r.Data.Metrics, func(a, b mlflow.Metric) int { return cmp.Compare(a.Key, b.Key) })
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// compareIndexes loads the experiment into two run indexes, one through REST in pages of 4
// runs and one from the database in pages of 1, 2, 4, 8, 8 … (so that the cursor crosses runs
// that share a start time), and compares the rows run by run: what mlexp serves is decoded
// from them.
func compareIndexes(t *testing.T, ctx context.Context, client *mlflow.Client, db *mlflowdb.Store, expID string) {
	rest := loadIndex(t, ctx, client, nil, expID)
	fromDB := loadIndex(t, ctx, client, db, expID)
	if len(rest) == 0 || len(rest) != len(fromDB) {
		t.Fatalf("experiment %s: the index holds %d runs read through REST, %d read from the database", expID, len(rest), len(fromDB))
	}
	for id, body := range rest {
		if fromDB[id] != body {
			t.Errorf("experiment %s, run %s in the index:\nREST     %s\ndatabase %s", expID, id, body, fromDB[id])
		}
	}
}

func loadIndex(t *testing.T, ctx context.Context, client *mlflow.Client, db tracking.RunSearcher, expID string) map[string]string {
	t.Helper()
	rows, _ := loadIndexPages(t, ctx, client, db, expID)
	return rows
}

// loadIndexPages is loadIndex, with the runs read after each page of the load.
func loadIndexPages(t *testing.T, ctx context.Context, client *mlflow.Client, db tracking.RunSearcher, expID string) (map[string]string, []int) {
	t.Helper()
	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s := tracking.NewSyncer(client, store, tracking.SyncConfig{PageSize: 4, DatabasePageSize: 1}, "test", time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if db != nil {
		s.WithDatabase(db)
	}
	var pages []int
	if err := s.Load(ctx, expID, func(read int) { pages = append(pages, read) }); err != nil {
		t.Fatalf("loading experiment %s: %v", expID, err)
	}
	rows := map[string]string{}
	if _, err := store.EachIndexedRun(ctx, expID, 0, func(r mlexp.IndexedRun) error {
		rows[r.ID] = string(r.Body)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return rows, pages
}
