package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/terminal"
)

// The flags and help texts of the query commands (summary, heatmap, runs, compare, models,
// attach); query.go runs them.

func queryMLflowOption() option {
	return option{name: "mlflow-tracking-uri", arg: "URL", env: "MLFLOW_TRACKING_URI",
		usage: "URL of the MLflow tracking server, e.g. http://127.0.0.1:5000 (required)"}
}

// queryExperimentOptions pick the experiment: a model and one of its datasets.
func queryExperimentOptions() []option {
	return []option{
		{name: "model", arg: "ID", env: "MLEXP_MODEL",
			usage: "id of the model (the ml_model_id tag of its experiments); may be left out when MLflow has exactly one model"},
		{name: "dataset", arg: "ID", env: "MLEXP_DATASET",
			usage: "id of the dataset; default: the model's most recently active one"},
	}
}

// queryOutputOptions choose how results are printed.
func queryOutputOptions() []option {
	return []option{
		{name: "json", arg: "", def: "false", usage: "print the data the JSON API answers, as JSON, instead of text"},
		{name: "color", arg: "WHEN", env: "MLEXP_COLOR", def: "auto",
			usage: "colour the text: auto (when standard output is a terminal and NO_COLOR is not set), always or never"},
		widthOption(),
	}
}

// widthOption is --width, the width every text screen fits (COLUMNS, default 80).
func widthOption() option {
	return option{name: "width", arg: "COLUMNS", env: "COLUMNS", def: strconv.Itoa(terminal.DefaultWidth),
		usage: "width of the text output in columns; tables wider than that shrink their labels"}
}

// parseWidth reads the --width setting into the terminal options.
func parseWidth(v setting, o *terminal.Options) error {
	if v.value == "" {
		return nil
	}
	n, err := strconv.Atoi(v.value)
	if err != nil || n < 20 || n > 1000 {
		return v.errorf("not a width in columns from 20 to 1000")
	}
	o.Width = n
	return nil
}

// queryBoolOptions are the options given as a bare flag (--json), or --json=true|false.
var queryBoolOptions = []string{"json", "adopt"}

func summaryOptions() []option {
	opts := append([]option{queryMLflowOption()}, queryExperimentOptions()...)
	opts = append(opts,
		option{name: "metric", arg: "NAME", def: mlexp.MetricRecallAt100, usage: "the metric of the best and deployed cards, e.g. recall_at_50 or loss"},
		option{name: "recent", arg: "N", def: strconv.Itoa(mlexp.DefaultRecent), usage: "how many recent runs to list, 1 to 100"},
	)
	return append(opts, queryOutputOptions()...)
}

func heatmapOptions() []option {
	opts := append([]option{queryMLflowOption()}, queryExperimentOptions()...)
	opts = append(opts,
		option{name: "metric", arg: "NAME", def: mlexp.MetricRecallAt100, usage: "the metric of the cells: recall_at_100, recall_at_50, recall_at_10, loss or any other logged"},
		option{name: "x-axis", arg: "AXIS", def: mlexp.AxisEmbeddingDims, usage: "the columns: embedding_dims, cross_features, epochs, run_type, num_crosses or any param name"},
		option{name: "y-axis", arg: "AXIS", def: mlexp.AxisCrossFeatures, usage: "the rows, one of the same axes"},
		option{name: "run-type", arg: "TYPE", def: mlexp.RunTypeAll, usage: "which runs: all, quick_test or full_training"},
		option{name: "agg", arg: "HOW", def: mlexp.AggBest, usage: "the value of a cell with several runs: best, mean, median or latest"},
	)
	return append(opts, queryOutputOptions()...)
}

func runsOptions() []option {
	opts := append([]option{queryMLflowOption()}, queryExperimentOptions()...)
	opts = append(opts,
		option{name: "type", arg: "TYPE", def: mlexp.RunTypeAll, usage: "which runs: all, quick_test or full_training"},
		option{name: "status", arg: "STATUS", def: "all", usage: "which runs: all, finished, failed, running or killed"},
		option{name: "search", arg: "TEXT", usage: "only runs whose name, config, id or a param key=value contains TEXT (any case)"},
		option{name: "sort", arg: "FIELD", def: mlexp.SortStartTime,
			usage: "sort by name, run_type, status, start_time, end_time, duration, cost, config, a metric (recall_at_100) or params.NAME"},
		option{name: "order", arg: "ORDER", def: "desc", usage: "asc or desc"},
		option{name: "page", arg: "N", def: "1", usage: "the page to show, from 1"},
		option{name: "page-size", arg: "N", def: strconv.Itoa(mlexp.DefaultPageSize), usage: fmt.Sprintf("runs a page, 1 to %d", mlexp.MaxPageSize)},
	)
	return append(opts, queryOutputOptions()...)
}

func compareOptions() []option {
	return append([]option{
		queryMLflowOption(),
		{name: "baseline", arg: "RUN_ID", usage: "the run the others are measured against; default: the deployed run if compared, else the first"},
		runPrefixModelOption(),
		{name: "metric", arg: "NAME", def: mlexp.DefaultCompareMetric, usage: "the metric the recommendation weighs"},
		mlmdOption(),
	}, queryOutputOptions()...)
}

func modelsOptions() []option {
	return append([]option{queryMLflowOption()}, queryOutputOptions()...)
}

func attachOptions() []option {
	return append([]option{
		queryMLflowOption(),
		{name: "model-id", arg: "ID", usage: "id of the model (required)"},
		{name: "model-name", arg: "NAME", usage: "name of the model; default: its id"},
		{name: "dataset-id", arg: "ID", usage: "id of the dataset (required)"},
		{name: "dataset-name", arg: "NAME", usage: "name of the dataset; default: its id"},
		{name: "dataset-version", arg: "VERSION", usage: "version of the dataset, if it has one"},
	}, queryOutputOptions()...)
}

func summaryHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp summary [--model ID] [flags]

Prints the top of the experiments dashboard of a model on a dataset: how many quick tests
and full trainings there are, the best run by --metric, the deployed run, and the most
recent runs with how long ago they ran, duration, cost, configuration and failure reason.

`)
	writeOptions(w, summaryOptions())
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

func heatmapHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp heatmap [--model ID] [flags]

Prints a metric over two configuration axes as a table: one column per --x-axis value, one
row per --y-axis value, each cell with its value and a bar scaled within the heatmap's range
(longer is better, also for loss). ★ marks the best cell and ● the deployed run's cell;
· marks a combination without a value. Failed runs and runs without the metric are
counted below the table but not plotted.

`)
	writeOptions(w, heatmapOptions())
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

func runsHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp runs [--model ID] [flags]

Prints one page of the runs of a model on a dataset, filtered and sorted, with their ids
for 'mlexp compare'. ● marks the deployed run.

`)
	writeOptions(w, runsOptions())
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

func compareHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp compare RUN_ID RUN_ID... [flags]

Compares %d to %d MLflow runs, of any experiments: their metrics side by side with the
difference from the baseline (percentage points for recall), duration and cost, the
configuration diff by tower with NEW / REMOVED / changed marks, and a recommendation.
'mlexp runs' lists run ids. A RUN_ID (or --baseline) may be the start of a run id, 8
characters or more, as the runs table shows it at 80 columns: it names the one run of
--model (default: MLflow's only model) whose id starts with it.

`, mlexp.MinCompareRuns, mlexp.MaxCompareRuns)
	writeOptions(w, compareOptions())
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

func modelsHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp models [flags]

Lists the models that have experiments in MLflow (found by their ml_model_id tag) and, for
each, its datasets with their MLflow experiments, most recently active first.

`)
	writeOptions(w, modelsOptions())
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

func attachHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp attach EXPERIMENT --model-id ID --dataset-id ID [flags]

Tags an existing MLflow experiment (by id or name), such as one whose runs were logged by
MLflow's Python client, as the experiment of a model on a dataset, so that the other
commands and the API find it.

`)
	writeOptions(w, attachOptions())
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

// runPrefixModelOption is --model of the commands that take run ids: the model whose runs a
// prefix of a run id is looked up in.
func runPrefixModelOption() option {
	return option{name: "model", arg: "ID", env: "MLEXP_MODEL",
		usage: "the model whose runs a run id prefix (8 characters or more) is looked up in; default: MLflow's only model"}
}
