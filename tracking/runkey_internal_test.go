package tracking

import (
	"fmt"
	"testing"

	"github.com/mlexp-dev/mlexp/mlflow"
)

func TestRaceCanonicalRunIsTheSameForEveryLogger(t *testing.T) {
	run := func(id string, start int64, status mlflow.RunStatus, params int) mlflow.Run {
		r := mlflow.Run{Info: mlflow.RunInfo{RunID: id, StartTime: start, Status: status}}
		for i := range params {
			r.Data.Params = append(r.Data.Params, mlflow.Param{Key: fmt.Sprint(i), Value: "v"})
		}
		return r
	}
	for _, tc := range []struct {
		name string
		runs []mlflow.Run
		want string
	}{
		{"run id breaks a tie", []mlflow.Run{run("b", 5, mlflow.StatusRunning, 0), run("a", 5, mlflow.StatusRunning, 0)}, "a"},
		{"older first", []mlflow.Run{run("a", 6, mlflow.StatusRunning, 0), run("b", 5, mlflow.StatusRunning, 0)}, "b"},
		{"params logged first", []mlflow.Run{run("a", 5, mlflow.StatusRunning, 0), run("b", 5, mlflow.StatusRunning, 3)}, "b"},
		{"finished first", []mlflow.Run{run("a", 5, mlflow.StatusRunning, 3), run("c", 9, mlflow.StatusFinished, 3)}, "c"},
		{"a failed result is finished", []mlflow.Run{run("a", 5, mlflow.StatusRunning, 3), run("c", 9, mlflow.StatusFailed, 3)}, "c"},
	} {
		for _, runs := range [][]mlflow.Run{tc.runs, {tc.runs[1], tc.runs[0]}} { // in either order
			if got := canonicalRun(runs).Info.RunID; got != tc.want {
				t.Errorf("%s: canonical of %v is %s, want %s", tc.name, runs, got, tc.want)
			}
		}
	}
}

func TestRaceUniqueViolationIsRecognised(t *testing.T) {
	for msg, want := range map[string]bool{
		"(sqlite3.IntegrityError) UNIQUE constraint failed: params.key, params.run_uuid":                      true,
		`(psycopg2.errors.UniqueViolation) duplicate key value violates unique constraint "param_pk"`:         true,
		"(pymysql.err.IntegrityError) (1062, \"Duplicate entry 'a-b' for key 'PRIMARY'\")":                    true,
		"Changing param values is not allowed. Params were already logged='[{'key': 'a', 'old_value': '1'}]'": false,
		"The run abc must be in the 'active' state. Current state is deleted.":                                false,
	} {
		err := fmt.Errorf("logging: %w", &mlflow.Error{Endpoint: "runs/log-batch", HTTPStatus: 400, Code: "BAD_REQUEST", Message: msg})
		if got := uniqueViolation(err); got != want {
			t.Errorf("uniqueViolation(%q) = %v, want %v", msg, got, want)
		}
	}
}
