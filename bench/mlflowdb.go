package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/readonlydb"
	"github.com/mlexp-dev/mlexp/internal/sqlbind"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/mlflowdb"
	"github.com/mlexp-dev/mlexp/tracking"
)

// dbResult is what issue 15 measures at one experiment size: first loads into an empty run
// index through MLflow's API and from MLflow's database, side by side, against a bare SQL
// read of the same rows; and the time to open the experiment from the database through an
// index-backed reader.
type dbResult struct {
	n            int
	backend      string          // MLflow's store: SQLite or PostgreSQL
	rest, db     []time.Duration // first loads into an empty index (Syncer.Load)
	bare, dbRead []time.Duration // bare SQL read of the rows; mlflowdb's read alone, without the index
	open         time.Duration   // a reader's first request until it serves every run, from the database
	restRequests int             // runs/search requests of a REST first load
	restOpen     *restOpenResult // with -mlflow-db-rest-open
	fill         time.Duration   // bulk SQL inserts of the runs
}

// mlflowDB measures issue 15 at n runs: an experiment filled by bulk SQL inserts into the
// SQLite store of the bench's MLflow (after MLflow created the schema), then -mlflow-db-repeats
// rounds of each measure, in an order rotated between rounds. The REST first load is left
// out above -mlflow-db-rest-max runs (158–189 s of bare runs/search at 100,000).
func (b *bench) mlflowDB(n int) (dbResult, error) {
	res := dbResult{n: n, backend: b.backend}
	ctx := context.Background()
	path := b.srv.SQLitePath()
	if b.storeDSN != "" {
		path = b.storeDSN
	}
	expID, err := b.newClient(nil).CreateExperiment(ctx, fmt.Sprintf("bench-db-%d-%d", n, time.Now().UnixNano()), "", nil)
	if err != nil {
		return res, err
	}
	t := time.Now()
	if err := fillMLflowDB(ctx, path, expID, n); err != nil {
		return res, fmt.Errorf("filling MLflow's database: %w", err)
	}
	res.fill = time.Since(t)
	logf("mlflow-db: %d runs inserted into MLflow's %s store in %v", n, b.backend, res.fill)
	db, err := mlflowdb.Open(ctx, path)
	if err != nil {
		return res, err
	}
	defer db.Close()
	bare, err := readonlydb.Open(path)
	if err != nil {
		return res, err
	}
	defer bare.Close()
	dir, err := os.MkdirTemp("", "mlexp-bench-db-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	steps := b.dbSteps(ctx, dir, db, bare, expID, &res)
	for r := range b.cfg.dbRepeats {
		for k := range steps {
			if err := steps[(k+r)%len(steps)](r); err != nil {
				return res, err
			}
		}
	}
	if b.cfg.cpuProfile != "" {
		stop, err := cpuProfile(fmt.Sprintf("%s.db-open-%d", b.cfg.cpuProfile, n))
		if err != nil {
			return res, err
		}
		defer stop()
	}
	if res.open, err = b.openFromDB(ctx, dir, db, expID, n); err != nil {
		return res, err
	}
	if b.cfg.dbRESTOpen {
		if res.restOpen, err = b.restOpen(ctx, dir, expID, n); err != nil {
			return res, err
		}
	}
	logf("mlflow-db, %d runs: first load REST %v (%d requests), database %v; bare SQL %v, mlflowdb read %v; open from the database %v",
		n, median(res.rest), res.restRequests, median(res.db), median(res.bare), median(res.dbRead), res.open)
	return res, nil
}

// dbSteps are the measures of one round at res.n runs, each adding its time to res.
func (b *bench) dbSteps(ctx context.Context, dir string, db *mlflowdb.Store, bare *sql.DB, expID string, res *dbResult) []func(r int) error {
	n := res.n
	steps := []func(r int) error{
		func(r int) error { // from the database into an index
			if b.cfg.cpuProfile != "" && r == 0 {
				stop, err := cpuProfile(fmt.Sprintf("%s.db-load-%d", b.cfg.cpuProfile, n))
				if err != nil {
					return err
				}
				defer stop()
			}
			d, _, err := b.indexLoad(ctx, dir, fmt.Sprintf("db-%d-%d", n, r), db, expID, n)
			res.db = append(res.db, d)
			return err
		},
		func(int) error {
			d, err := timed(func() error { return bareRows(ctx, bare, b.storeDSN != "", expID, n) })
			res.bare = append(res.bare, d)
			return err
		},
		func(int) error {
			d, err := timed(func() error {
				runs, err := db.SearchRuns(ctx, mlflow.RunQuery{ExperimentID: expID, Ordered: true})
				if err == nil && len(runs) != n {
					err = fmt.Errorf("mlflowdb read %d runs, want %d", len(runs), n)
				}
				return err
			})
			res.dbRead = append(res.dbRead, d)
			return err
		},
	}
	if n <= b.cfg.dbRESTMax {
		steps = append(steps, func(r int) error {
			d, requests, err := b.indexLoad(ctx, dir, fmt.Sprintf("rest-%d-%d", n, r), nil, expID, n)
			res.rest, res.restRequests = append(res.rest, d), requests
			return err
		})
	}
	return steps
}

func timed(f func() error) (time.Duration, error) {
	t := time.Now()
	err := f()
	return time.Since(t), err
}

// indexLoad loads the experiment into a new SQLite index with the default configuration of
// mlexp serve, from db (nil: through MLflow's API), and returns the time and how many
// runs/search requests it made.
func (b *bench) indexLoad(ctx context.Context, dir, name string, db tracking.RunSearcher, expID string, n int) (time.Duration, int, error) {
	store, drop, err := b.newIndexStore(dir, name)
	if err != nil {
		return 0, 0, err
	}
	defer drop()
	var requests atomic.Int64
	client := b.newClient(func(c mlflow.Call) {
		if c.Endpoint == "runs/search" {
			requests.Add(1)
		}
	})
	s := tracking.NewSyncer(client, store, tracking.SyncConfig{}, indexOwner(n), time.Now, quiet)
	if db != nil {
		s.WithDatabase(db)
	}
	t := time.Now()
	if err := s.Load(ctx, expID, nil); err != nil {
		return 0, 0, err
	}
	d := time.Since(t)
	st, err := store.IndexState(ctx, expID)
	if err == nil && (st.Loaded != n || !st.Complete) {
		err = fmt.Errorf("the index holds %d runs (complete: %v), want %d", st.Loaded, st.Complete, n)
	}
	return d, int(requests.Load()), err
}

// openFromDB is the time from a reader's first request for the experiment until it serves
// every run, loaded from the database into a new index (asked every 100 ms, as a page that
// shows the progress asks again).
func (b *bench) openFromDB(ctx context.Context, dir string, db tracking.RunSearcher, expID string, n int) (time.Duration, error) {
	store, drop, err := b.newIndexStore(dir, fmt.Sprintf("open-%d", n))
	if err != nil {
		return 0, err
	}
	defer drop()
	reader, s := indexedReader(b.newClient(nil), store, tracking.SyncConfig{}, indexOwner(n), b.cfg.indexTTL, tracking.WaitForFirstLoad(100*time.Millisecond))
	s.WithDatabase(db)
	t := time.Now()
	for time.Since(t) < 10*time.Minute {
		set, err := reader.Runs(ctx, expID)
		if _, loading := mlexp.LoadingProgress(err); loading {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if err != nil {
			return 0, err
		}
		if len(set.Runs) != n {
			return 0, fmt.Errorf("the reader served %d runs, want %d", len(set.Runs), n)
		}
		return time.Since(t), nil
	}
	return 0, fmt.Errorf("%d runs not open after 10 minutes", n)
}

// bareRows reads the rows a first load needs — the experiment's active runs, their params,
// tags and latest metrics — with one plain query per table, scanning every column and
// keeping nothing: the floor of a read from the database.
func bareRows(ctx context.Context, db *sql.DB, pg bool, expID string, n int) error {
	const active = ` JOIN runs r ON r.run_uuid = x.run_uuid WHERE r.experiment_id = ? AND r.lifecycle_stage = 'active'`
	queries := []struct {
		text string
		cols int
	}{
		{`SELECT run_uuid, name, status, start_time, end_time, lifecycle_stage, artifact_uri, user_id FROM runs x WHERE experiment_id = ? AND lifecycle_stage = 'active'`, 8},
		{`SELECT x.run_uuid, x.key, x.value FROM params x` + active, 3},
		{`SELECT x.run_uuid, x.key, x.value FROM tags x` + active, 3},
		{`SELECT x.run_uuid, x.key, x.value, x.timestamp, x.step, x.is_nan FROM latest_metrics x` + active, 6},
	}
	for i, q := range queries {
		text := q.text
		if pg {
			text = sqlbind.Postgres(text)
		}
		rows, err := db.QueryContext(ctx, text, expID)
		if err != nil {
			return err
		}
		vals := make([]any, q.cols)
		for k := range vals {
			vals[k] = new(any)
		}
		count := 0
		for rows.Next() {
			if err := rows.Scan(vals...); err != nil {
				rows.Close()
				return err
			}
			count++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if i == 0 && count != n {
			return fmt.Errorf("the bare read found %d runs, want %d", count, n)
		}
	}
	return nil
}
