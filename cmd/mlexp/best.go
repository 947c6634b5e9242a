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
		if err := printBest(q.e.stdout, ans.Best); err != nil {
			return err
		}
		return printBestLineage(q.e.stdout, ans.MLMD)
	})
}

// printBest writes the selection for people.
func printBest(w io.Writer, b *mlexp.Best) error {
	metric := mlexp.MetricLabel(b.Query.Metric)
	if !b.Eligible {
		fmt.Fprintf(w, "%s.\n", b.Reason)
	} else {
		r := b.Run
		fmt.Fprintf(w, "★ %s  %s %s\n", r.RunName, metric, r.ValueText)
		fmt.Fprintf(w, "  run %s · %s · config %s\n", r.RunID, r.RunType.Label(), r.ConfigName)
		fmt.Fprintf(w, "  model %s", r.ModelURI)
		if r.Model != nil {
			fmt.Fprintf(w, " (%s)", strings.ReplaceAll(r.Model.Source, "_", " "))
		}
		if r.DatasetVersion != "" {
			fmt.Fprintf(w, " · dataset %s version %s", r.DatasetID, r.DatasetVersion)
		}
		fmt.Fprintln(w)
		if u := b.RunnerUp; u != nil {
			fmt.Fprintf(w, "  %s over the runner-up, %s (%s)\n", b.Lead.Text, u.RunName, u.ValueText)
		}
		switch {
		case r.IsDeployed:
			fmt.Fprintf(w, "  it is the deployed run\n")
		case b.Deployed != nil && b.OverDeployed != nil:
			fmt.Fprintf(w, "  %s over the deployed run, %s (%s)\n", b.OverDeployed.Text, b.Deployed.RunName, b.Deployed.ValueText)
		case b.Deployed != nil:
			fmt.Fprintf(w, "  the deployed run, %s, has no %s to compare with\n", b.Deployed.RunName, metric)
		default:
			fmt.Fprintf(w, "  no run of the model is deployed\n")
		}
	}
	fmt.Fprintf(w, "\nGates (of %d runs):\n", b.Considered)
	for _, g := range b.Gates {
		fmt.Fprintf(w, "  %-10s %-45s removed %d\n", g.Gate, g.Rule, g.Removed)
	}
	fmt.Fprintf(w, "Ties: %s.\n", mlexp.BestTieBreak)
	if b.Eligible && !b.Run.IsDeployed {
		fmt.Fprintf(w, "Promote it: mlexp deploy %s\n", b.Run.RunID)
	}
	return nil
}
