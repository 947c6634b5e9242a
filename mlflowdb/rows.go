package mlflowdb

import (
	"database/sql"
	"math"

	"github.com/mlexp-dev/mlexp/mlflow"
)

// rowReader scans the rows of params, tags and latest_metrics into the data of their runs;
// one reader a table. The driver makes a string of each text column: they are kept as they
// come (the syncer encodes the runs and lets them go).
type rowReader struct {
	at       map[string]*mlflow.RunData
	id       sql.RawBytes
	k, v     string
	tagValue sql.NullString
	ts, step sql.NullInt64
	value    float64
	isNaN    bool
}

func (r *rowReader) param(rows *sql.Rows) error {
	if err := rows.Scan(&r.id, &r.k, &r.v); err != nil {
		return err
	}
	if d := r.at[string(r.id)]; d != nil {
		d.Params = append(d.Params, mlflow.Param{Key: r.k, Value: r.v})
	}
	return nil
}

func (r *rowReader) tag(rows *sql.Rows) error {
	if err := rows.Scan(&r.id, &r.k, &r.tagValue); err != nil { // a NULL value reads as empty
		return err
	}
	if d := r.at[string(r.id)]; d != nil {
		d.Tags = append(d.Tags, mlflow.Tag{Key: r.k, Value: r.tagValue.String})
	}
	return nil
}

func (r *rowReader) metric(rows *sql.Rows) error {
	if err := rows.Scan(&r.id, &r.k, &r.value, &r.ts, &r.step, &r.isNaN); err != nil {
		return err
	}
	v := r.value
	if r.isNaN {
		v = math.NaN()
	}
	if d := r.at[string(r.id)]; d != nil {
		d.Metrics = append(d.Metrics, mlflow.Metric{Key: r.k, Value: mlflow.Float(v), Timestamp: r.ts.Int64, Step: r.step.Int64})
	}
	return nil
}
