package mlflowdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/mlexp-dev/mlexp/mlflow"
)

// chunk is how many run ids one read of params, tags or metrics names: a page of a load in
// one query, the ids bound as one value (see rowsOf).
const chunk = 25000

// SearchRuns answers q from MLflow's tables: the runs as runs/search returns them, with their
// params, tags and the latest value of each metric as MLflow keeps it (latest_metrics:
// highest step, then timestamp, then value; NaN as is_nan, ±Infinity as ±MaxFloat64).
func (s *Store) SearchRuns(ctx context.Context, q mlflow.RunQuery) ([]mlflow.Run, error) {
	exp, err := strconv.ParseInt(q.ExperimentID, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("mlflowdb: experiment id %q is not a number", q.ExperimentID)
	}
	where, args := conditions(q, exp)
	text := `SELECT run_uuid, name, experiment_id, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri
		FROM runs WHERE ` + where
	if q.Ordered {
		text += ` ORDER BY start_time, run_uuid`
	}
	if q.Limit > 0 {
		text += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	runs, err := s.readRuns(ctx, text, args)
	if err != nil {
		return nil, fmt.Errorf("reading the runs of experiment %s from MLflow's database: %w", q.ExperimentID, err)
	}
	if err := s.fill(ctx, runs, q.TagKeys); err != nil {
		return nil, fmt.Errorf("reading the params, tags and metrics of experiment %s from MLflow's database: %w", q.ExperimentID, err)
	}
	return runs, nil
}

// conditions is the WHERE clause of q, with its arguments.
func conditions(q mlflow.RunQuery, exp int64) (string, []any) {
	cs, args := []string{"experiment_id = ?"}, []any{exp}
	add := func(c string, a ...any) { cs, args = append(cs, c), append(args, a...) }
	switch q.ViewOrActive() {
	case mlflow.ActiveOnly:
		add("lifecycle_stage = ?", "active")
	case mlflow.DeletedOnly:
		add("lifecycle_stage = ?", "deleted")
	}
	if q.StartFrom != nil {
		add("start_time >= ?", *q.StartFrom)
	}
	if q.StartAt != nil {
		add("start_time = ?", *q.StartAt)
	}
	if q.EndFrom != nil {
		add("end_time >= ?", *q.EndFrom)
	}
	if q.Status != "" {
		add("status = ?", string(q.Status))
	}
	if len(q.IDs) > 0 {
		add("run_uuid IN "+marks(len(q.IDs)), strs(q.IDs)...)
	}
	if len(q.NotIDs) > 0 {
		add("run_uuid NOT IN "+marks(len(q.NotIDs)), strs(q.NotIDs)...)
	}
	return strings.Join(cs, " AND "), args
}

// readRuns reads the rows of runs into runs without their data.
func (s *Store) readRuns(ctx context.Context, text string, args []any) ([]mlflow.Run, error) {
	rows, err := s.query(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var runs []mlflow.Run
	for rows.Next() {
		var id string
		var exp int64
		var name, user, status, stage, artifacts sql.NullString
		var start, end sql.NullInt64
		if err := rows.Scan(&id, &name, &exp, &user, &status, &start, &end, &stage, &artifacts); err != nil {
			return nil, err
		}
		runs = append(runs, mlflow.Run{Info: mlflow.RunInfo{RunID: id, RunName: name.String, ExperimentID: strconv.FormatInt(exp, 10),
			UserID: user.String, Status: mlflow.RunStatus(status.String), StartTime: start.Int64, EndTime: end.Int64,
			LifecycleStage: stage.String, ArtifactURI: artifacts.String}})
	}
	return runs, rows.Err()
}

// fill reads the params, tags (those of keys, or every one) and latest metrics of runs: the three
// tables at once, on connections of their own (each fills its own field of the runs' data). A
// run without a name is named by its mlflow.runName tag, as MLflow names it.
func (s *Store) fill(ctx context.Context, runs []mlflow.Run, keys []string) error {
	tagKeys, tagArgs := "", []any(nil)
	if len(keys) > 0 {
		tagKeys, tagArgs = " AND x.key IN "+marks(len(keys)), strs(keys)
	}
	at := make(map[string]*mlflow.RunData, len(runs))
	ids := make([]string, len(runs))
	for i := range runs {
		at[runs[i].Info.RunID], ids[i] = &runs[i].Data, runs[i].Info.RunID
	}
	slices.Sort(ids) // see rowsOf
	g, gctx := errgroup.WithContext(ctx)
	for _, t := range []struct {
		table, cols, and string
		args             []any
		scan             func(*rowReader, *sql.Rows) error
	}{
		{"params", "x.run_uuid, x.key, x.value", "", nil, (*rowReader).param},
		{"tags", "x.run_uuid, x.key, x.value", tagKeys, tagArgs, (*rowReader).tag},
		{"latest_metrics", "x.run_uuid, x.key, x.value, x.timestamp, x.step, x.is_nan", "", nil, (*rowReader).metric},
	} {
		g.Go(func() error {
			r := &rowReader{at: at}
			for part := range slices.Chunk(ids, chunk) {
				from, id := s.rowsOf(t.table, part)
				q, args := "SELECT "+t.cols+" FROM "+from+t.and, append([]any{id}, t.args...)
				err := s.each(gctx, q, args, func(rows *sql.Rows) error { return t.scan(r, rows) })
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i := range runs {
		if runs[i].Info.RunName == "" {
			runs[i].Info.RunName, _ = runs[i].Data.Tag("mlflow.runName")
		}
	}
	return nil
}

// each runs a query and scans every row it returns.
func (s *Store) each(ctx context.Context, text string, args []any, scan func(*sql.Rows) error) error {
	rows, err := s.query(ctx, text, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// rowsOf is the rows of table (as x) of the runs of ids (distinct run ids: a join, unlike IN,
// would repeat an id's rows), with ids bound as one value (a JSON array for SQLite, a text[] for
// PostgreSQL): a statement of thousands of placeholders costs more to prepare than to run.
// SQLite walks the array and looks each run up in the table's index on run_uuid: given the
// ids sorted, in the order of that index, one run's lookup finds the pages of the next in its
// cache (in the runs' order, a large store is read from all over the file).
func (s *Store) rowsOf(table string, ids []string) (string, any) {
	if s.pg {
		return table + " x WHERE x.run_uuid = ANY(?)", ids
	}
	b, _ := json.Marshal(ids) // strings: never fails
	return "json_each(?) j CROSS JOIN " + table + " x WHERE x.run_uuid = j.value", string(b)
}

// marks is "(?,?,…)" for n values.
func marks(n int) string { return "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")" }

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
