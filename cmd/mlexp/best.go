package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/explore"
)

func bestOptions() []option {
	return append([]option{
		queryMLflowOption(),
		{name: "dataset-id", arg: "ID", env: "MLEXP_DATASET", usage: "id of the dataset; default: the model's most recently active one"},
		{name: "metric", arg: "NAME", def: mlexp.DefaultBestMetric, usage: "the metric to rank by; names with loss, error, mse or mae are minimised"},
		{name: "run-type", arg: "TYPE", def: mlexp.DefaultBestRunType, usage: "which runs may be deployed: full_training, quick_test or all"},
		{name: "min-value", arg: "X", usage: "gate: only runs whose metric is at least X"},
		{name: "max-value", arg: "X", usage: "gate: only runs whose metric is at most X (for loss)"},
		{name: "require-finished", arg: "BOOL", def: "true", usage: "gate: only FINISHED runs; false admits RUNNING ones too (failed and killed runs never are)"},
		{name: "require-blessing", arg: "BOOL", def: "false", usage: "gate: only a run whose model ML Metadata records as blessed (needs --mlmd-db)"},
		mlmdOption(),
	}, queryOutputOptions()...)
}

func bestHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp best MODEL_ID [flags]

Answers which run of the model to deploy: of the runs of one experiment (the model on a
dataset), those that pass the gates (--run-type, --require-finished, a finite --metric,
--min-value, --max-value, and a model URI to deploy), the best by --metric. It prints the
run with its config, metrics, model URI and dataset version, the runner-up, and the margin
over the model's deployed run; when no run passes, how many runs each gate removed.
%s.

`, strings.ToUpper(mlexp.BestTieBreak[:1])+mlexp.BestTieBreak[1:])
	writeOptions(w, bestOptions())
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

// queryBest runs `mlexp best MODEL_ID`.
func queryBest(ctx context.Context, args []string, e env) error {
	return runQueryCommand("best", args, bestOptions(), bestHelp, e, func(q *queryEnv) error {
		if len(q.args) != 1 {
			return fmt.Errorf("best: give exactly one MODEL_ID: `mlexp best MODEL_ID` (mlexp models lists them)")
		}
		bq := mlexp.BestQuery{Metric: q.s["metric"].value, RunType: q.s["run-type"].value}
		for _, name := range []string{"min-value", "max-value"} {
			if v := q.s[name].value; v != "" {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return q.s[name].errorf("not a number")
				}
				if name == "min-value" {
					bq.MinValue = &f
				} else {
					bq.MaxValue = &f
				}
			}
		}
		switch v := q.s["require-finished"]; v.value {
		case "true", "":
		case "false":
			bq.AllowRunning = true
		default:
			return v.errorf("not true or false")
		}
		if err := bq.Normalize(); err != nil {
			return q.fail(err)
		}
		x, err := q.svc.Open(ctx, explore.Target{ModelID: q.args[0], DatasetID: q.s["dataset-id"].value})
		if err != nil {
			return fmt.Errorf("%s", strings.Replace(q.fail(err).Error(), "--dataset:", "--dataset-id:", 1))
		}
		opts, err := blessingOption(q.s["require-blessing"])
		if err != nil {
			return err
		}
		ans, err := q.svc.BestIn(ctx, x, bq, opts...)
		if err != nil {
			return q.fail(err)
		}
		if q.json {
			return q.printJSON(ans)
		}
		if err := q.title("Best Run to Deploy", ans.Experiment); err != nil {
			return err
		}
		if err := printBest(q.e.stdout, ans.Best, q.term); err != nil {
			return err
		}
		return printBestLineage(q.e.stdout, ans.MLMD, q.term)
	})
}
