package tracking

import (
	"context"

	"github.com/mlexp-dev/mlexp/mlflow"
)

// The syncer's reads are structured queries (mlflow.RunQuery) answered by MLflow's REST API
// or, when configured, straight from MLflow's database (package mlflowdb): both return
// mlflow.Runs, so that encodeRuns stays the one codec of the index. A failed database read
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
		runs, err := s.readFrom(ctx, source{s.db, PathDatabase}, q)
		if err == nil {
			return runs, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s.databaseFailed(q.ExperimentID, err)
	}
	return s.readFrom(ctx, source{s.rest, PathREST}, q)
}

// source is one of the syncer's two ways to read runs, with the path that names it.
type source struct {
	RunSearcher
	path string
}

// readFrom answers q from src and notes that src served the experiment.
func (s *Syncer) readFrom(ctx context.Context, src source, q mlflow.RunQuery) ([]mlflow.Run, error) {
	if src.path == PathDatabase {
		q.TagKeys = domainTagKeys // the index keeps no other tag
	}
	runs, err := src.SearchRuns(ctx, q)
	if err != nil {
		return nil, err
	}
	s.paths.Store(q.ExperimentID, src.path)
	if s.Served != nil {
		s.Served(src.path)
	}
	return runs, nil
}

// databaseFailed logs and counts a read of MLflow's database that failed and goes through
// MLflow's API instead.
func (s *Syncer) databaseFailed(experimentID string, err error) {
	s.log.Warn("reading MLflow's database failed; this read goes through MLflow's API", "experiment", experimentID, "err", err)
	if s.DatabaseFailed != nil {
		s.DatabaseFailed()
	}
}
