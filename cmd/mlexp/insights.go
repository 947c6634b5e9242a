package main

import (
	"context"
	"fmt"
	"io"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
	"github.com/mlexp-dev/mlexp/terminal"
)

func insightsOptions() []option {
	opts := append([]option{queryMLflowOption()}, queryExperimentOptions()...)
	opts = append(opts,
		option{name: "metric", arg: "NAME", def: mlexp.MetricRecallAt100, usage: "the metric to decide on: recall_at_100, recall_at_50, recall_at_10, loss or any other logged"},
		option{name: "run-type", arg: "TYPE", usage: "the runs noise and effects analyse: quick_test, full_training or all; default: quick_test when there are any, else all"},
	)
	return append(opts, queryOutputOptions()...)
}

func insightsHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp insights [MODEL_ID] [flags]

Prints whether the results of a model's experiment can be decided on:

  - quick-test fidelity: for configs with both quick tests and full trainings, how well the
    quick tests rank them (Spearman ρ, Kendall τ-b), the mean offset and a verdict;
  - the best config within noise: each config's mean with a 95%% interval, the configs tied
    with the best (Welch's t-test at 5%%), and how many replicates would separate them;
  - parameter effects: each parameter's mean per level, ranked by effect size.

MODEL_ID may be given as --model instead. docs/insights.md documents every method.

`)
	writeOptions(w, insightsOptions())
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

// queryInsights runs `mlexp insights [MODEL_ID]`.
func queryInsights(ctx context.Context, args []string, e env) error {
	return runQueryCommand("insights", args, insightsOptions(), insightsHelp, e, func(q *queryEnv) error {
		switch len(q.args) {
		case 0:
		case 1:
			if m := q.s["model"]; m.value != "" && m.value != q.args[0] {
				return fmt.Errorf("insights: MODEL_ID %q and --model %q disagree; give one", q.args[0], m.value)
			}
			m := q.s["model"]
			m.value, m.source = q.args[0], "MODEL_ID"
			q.s["model"] = m
		default:
			return fmt.Errorf("insights: unexpected argument %q: `mlexp insights [MODEL_ID] [flags]`", q.args[1])
		}
		x, err := q.open(ctx)
		if err != nil {
			return err
		}
		ans, err := x.Insights(insight.Query{Metric: q.s["metric"].value, RunType: q.s["run-type"].value})
		if err != nil {
			return q.fail(err)
		}
		if q.json {
			return q.printJSON(ans)
		}
		if err := q.title("Insights · "+ans.MetricLabel, ans.Experiment); err != nil {
			return err
		}
		return terminal.Insights(q.e.stdout, ans.Report, q.term)
	})
}
