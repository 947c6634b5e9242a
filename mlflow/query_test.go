package mlflow_test

import (
	"testing"

	"github.com/mlexp-dev/mlexp/mlflow"
)

// TestRunQueryFilter: a structured query becomes the runs/search filter and order the run
// index has always sent (the fake of the benchmarks parses the same strings).
func TestRunQueryFilter(t *testing.T) {
	from, at, end := int64(1000), int64(2000), int64(3000)
	for _, c := range []struct {
		q    mlflow.RunQuery
		want string
	}{
		{mlflow.RunQuery{}, ""},
		{mlflow.RunQuery{StartFrom: &from, NotIDs: []string{"a", "b"}}, "attributes.start_time >= 1000 AND attributes.run_id NOT IN ('a', 'b')"},
		{mlflow.RunQuery{StartAt: &at}, "attributes.start_time = 2000"},
		{mlflow.RunQuery{EndFrom: &end, Status: mlflow.StatusRunning, IDs: []string{"x"}}, "attributes.end_time >= 3000 AND attributes.status = 'RUNNING' AND attributes.run_id IN ('x')"},
	} {
		got, err := c.q.Filter()
		if err != nil || got != c.want {
			t.Errorf("Filter of %+v = %q, %v; want %q", c.q, got, err, c.want)
		}
	}
	req, err := mlflow.RunQuery{ExperimentID: "7", Ordered: true, Limit: 5, View: mlflow.DeletedOnly}.Request(100)
	if err != nil || req.ExperimentIDs[0] != "7" || len(req.OrderBy) != 2 || req.OrderBy[0] != "attributes.start_time ASC" || req.Limit != 5 || req.PageSize != 100 || req.RunViewType != mlflow.DeletedOnly {
		t.Errorf("Request = %+v, %v", req, err)
	}
	if _, err := (mlflow.RunQuery{NotIDs: []string{`it's "x"`}}).Filter(); err == nil {
		t.Error("an id that cannot be quoted makes a filter")
	}
}
