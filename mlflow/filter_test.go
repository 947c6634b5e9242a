package mlflow_test

import (
	"errors"
	"math"
	"testing"

	"github.com/mlexp-dev/mlexp/mlflow"
)

func TestFilterText(t *testing.T) {
	cases := []struct {
		clause mlflow.Clause
		want   string
	}{
		{mlflow.Where(mlflow.Params, "run_type", "=", "quick_test"), "params.run_type = 'quick_test'"},
		{mlflow.Where(mlflow.Tags, "mlflow.runName", "like", "config-%"), "tags.`mlflow.runName` LIKE 'config-%'"},
		{mlflow.Where(mlflow.Params, "user id", "!=", "it's"), `params.` + "`user id`" + ` != "it's"`},
		{mlflow.Where(mlflow.Attributes, "status", "=", "FINISHED"), "attributes.status = 'FINISHED'"},
		{mlflow.WhereNumber(mlflow.Metrics, "recall_at_100", ">=", 0.25), "metrics.recall_at_100 >= 0.25"},
		{mlflow.WhereNumber(mlflow.Attributes, "start_time", "<", 1700000000000), "attributes.start_time < 1700000000000"},
	}
	for _, tc := range cases {
		got, err := mlflow.And(tc.clause)
		if err != nil || got != tc.want {
			t.Errorf("got %q, %v; want %q", got, err, tc.want)
		}
	}
	both, _ := mlflow.And(cases[0].clause, cases[4].clause)
	if both != "params.run_type = 'quick_test' AND metrics.recall_at_100 >= 0.25" {
		t.Errorf("And = %q", both)
	}
}

func TestFilterRefusesWhatCannotBeQuotedSafely(t *testing.T) {
	for name, c := range map[string]mlflow.Clause{
		"both quotes":          mlflow.Where(mlflow.Params, "a", "=", `it's "x"`),
		"trailing backslash":   mlflow.Where(mlflow.Params, "a", "=", `C:\dir\`),
		"backtick in key":      mlflow.Where(mlflow.Params, "a`b", "=", "x"),
		"bad key":              mlflow.Where(mlflow.Params, "a = 'x' OR params.b", "=", "x"),
		"operator injection":   mlflow.Where(mlflow.Params, "a", "= 'x' OR params.b =", "x"),
		"unknown attribute":    mlflow.Where(mlflow.Attributes, "drop", "=", "x"),
		"string op on metric":  mlflow.Where(mlflow.Metrics, "loss", "=", "1"),
		"NaN":                  mlflow.WhereNumber(mlflow.Metrics, "loss", "<", math.NaN()),
		"number op on a param": mlflow.WhereNumber(mlflow.Params, "epochs", ">", 2),
		"LIKE on a number":     mlflow.WhereNumber(mlflow.Metrics, "loss", "LIKE", 2),
	} {
		var ve *mlflow.ValidationError
		if _, err := mlflow.And(c); !errors.As(err, &ve) {
			t.Errorf("%s: err = %v, want a ValidationError", name, err)
		}
	}
}

// TestFilterValuesMatchExactlyOnTheServer logs tricky values to a real server and checks that
// each filter finds exactly its own run: quoting cannot be escaped by user text.
func TestFilterValuesMatchExactlyOnTheServer(t *testing.T) {
	c := newClient(t)
	exp := mustExperiment(t, c)
	values := []string{
		"plain",
		"it's",
		`say "hi"`,
		`x' OR params.config = 'plain`,
		`C:\models\v2`,
		`ends in two \\`,
		"100%_sure",
		"ünïcode ✓",
		"",
	}
	for _, v := range values {
		r := mustRun(t, c, exp, v)
		if err := c.LogBatch(ctx(t), r.Info.RunID, nil, []mlflow.Param{{Key: "config", Value: v}, {Key: "my key.v2", Value: v}}, nil); err != nil {
			t.Fatalf("logging %q: %v", v, err)
		}
	}
	for _, v := range values {
		for _, key := range []string{"config", "my key.v2"} {
			filter, err := mlflow.And(mlflow.Where(mlflow.Params, key, "=", v))
			if err != nil {
				t.Fatalf("%q: %v", v, err)
			}
			runs, err := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp}, Filter: filter})
			if err != nil {
				t.Errorf("filter %s: %v", filter, err)
				continue
			}
			if len(runs) != 1 || runs[0].Info.RunName != v && v != "" {
				names := []string{}
				for _, r := range runs {
					names = append(names, r.Info.RunName)
				}
				t.Errorf("filter %s matched %q, want exactly the run %q", filter, names, v)
			}
		}
	}
}
