package tracking

import (
	"context"

	"github.com/mlexp-dev/mlexp/mlflow"
)

// The syncer's reads are structured queries (mlflow.RunQuery) answered by MLflow's REST API
// or, when configured, straight from MLflow's database (package mlflowdb): both return
// mlflow.Runs, so that encodeRun stays the one codec of the index. A failed database read
// falls back to REST for that read.

// RunSearcher answers the syncer's queries.
type RunSearcher interface {
	SearchRuns(ctx context.Context, q mlflow.RunQuery) ([]mlflow.Run, error)
}

// Paths that serve a read of the syncer, as /metrics and the pages name them.
const (
	PathDatabase = "database" // MLflow's backend database
	PathREST     = "rest"     // MLflow's REST API
)

// WithDatabase makes the syncer read from db (MLflow's database, read-only) first, and
// through MLflow's REST API when a read from db fails.
func (s *Syncer) WithDatabase(db RunSearcher) { s.db = db }

// ServedBy says which path served the experiment's last read (PathDatabase or PathREST), ""
// before any.
func (s *Syncer) ServedBy(experimentID string) string {
	if v, ok := s.paths.Load(experimentID); ok {
		return v.(string)
	}
	return ""
}

// dbFirstPage is the first page of a load from MLflow's database: small, so that the next
// page is read while it is written, however few runs the experiment has.
const dbFirstPage = 5000

// firstPageSize is the runs of the first page of a load.
func (s *Syncer) firstPageSize() int {
	if s.db != nil && !s.dbFailed.Load() {
		return max(s.cfg.PageSize, dbFirstPage)
	}
	return s.cfg.PageSize
}

// dbPageSize is how many runs a page of a first load or reconciliation reads from MLflow's
// database: the page size protects MLflow's workers, which a database read does not hold, and
// fewer pages scan the runs table fewer times.
const dbPageSize = 20000

// pageSize is the runs of one page of a load: dbPageSize from the database, unless its last
// read failed; PageSize through REST.
func (s *Syncer) pageSize() int {
	if s.db != nil && !s.dbFailed.Load() {
		return max(s.cfg.PageSize, dbPageSize)
	}
	return s.cfg.PageSize
}

// restSearcher answers queries through runs/search, in pages of pageSize runs.
type restSearcher struct {
	client   *mlflow.Client
	pageSize int
}

func (r restSearcher) SearchRuns(ctx context.Context, q mlflow.RunQuery) ([]mlflow.Run, error) {
	size := r.pageSize
	if q.Limit > 0 && q.Limit <= r.pageSize+1 {
		size = q.Limit // a page of a load in one request
	}
	req, err := q.Request(size)
	if err != nil {
		return nil, err
	}
	return r.client.SearchRuns(ctx, req)
}

// read answers q from the database when configured, else (or when that read fails) through
// MLflow's REST API. A database error is logged and counted, never returned.
func (s *Syncer) read(ctx context.Context, q mlflow.RunQuery) ([]mlflow.Run, error) {
	if s.db != nil {
		q.TagKeys = domainTagKeys // the index keeps no other tag
		runs, err := s.db.SearchRuns(ctx, q)
		s.dbFailed.Store(err != nil)
		if err == nil {
			s.served(q.ExperimentID, PathDatabase)
			return runs, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s.log.Warn("reading MLflow's database failed; this read goes through MLflow's API", "experiment", q.ExperimentID, "err", err)
		if s.DatabaseFailed != nil {
			s.DatabaseFailed()
		}
	}
	runs, err := s.rest.SearchRuns(ctx, q)
	if err != nil {
		return nil, err
	}
	s.served(q.ExperimentID, PathREST)
	return runs, nil
}

func (s *Syncer) served(experimentID, path string) {
	s.paths.Store(experimentID, path)
	if s.Served != nil {
		s.Served(path)
	}
}
