// Command mlexp logs recommender-model experiments into MLflow and answers which feature
// configuration is best: it serves the web UI and JSON API (serve), logs results (log,
// demo), queries runs from the terminal (models, summary, heatmap, runs, compare, insights,
// best), promotes and rolls back deployed runs (deploy, rollback, deployments, reconcile),
// lists and re-queues the results waiting for MLflow (outbox), and migrates its database
// (migrate). This package only wires the other packages together.
//
// Run `mlexp help` for the commands and `mlexp help COMMAND` for their flags.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, restore the default handling: a second Ctrl-C kills at once
	// instead of waiting for the graceful shutdown.
	go func() { <-ctx.Done(); stop() }()
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mlexp:", err)
		os.Exit(1)
	}
}

// env is what a command may use of the outside world; tests give their own.
type env struct {
	getenv func(string) string
	stdin  io.Reader // for `-f -`
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand of mlexp.
type command struct {
	name    string
	summary string // one line, for `mlexp help`
	run     func(ctx context.Context, args []string, e env) error
	// help writes the command's full help; nil for a command without flags.
	help func(w io.Writer, e env)
}

// commands lists every subcommand, in the order `mlexp help` shows them.
func commands() []command {
	return []command{
		{name: "serve", summary: "serve the web dashboard, the JSON API, probes and metrics; deliver queued results to MLflow", run: serve, help: serveHelp},
		{name: "log", summary: "log quick tests or full trainings from a JSON or JSON Lines file into MLflow", run: logResults, help: logHelp},
		{name: "deploy", summary: "promote an MLflow run to be its model's deployed run, recording who, when and why", run: deploy, help: deployHelp},
		{name: "rollback", summary: "promote again the run deployed before a model's current one", run: rollback, help: rollbackHelp},
		{name: "reconcile", summary: "make MLflow's is_deployed marks show a model's newest recorded deployment again", run: reconcile, help: reconcileHelp},
		{name: "deployments", summary: "list a model's promotions and rollbacks, newest first", run: deployments, help: deploymentsHelp},
		{name: "best", summary: "pick the run of a model to deploy: best by a metric, through quality gates", run: queryBest, help: bestHelp},
		{name: "summary", summary: "show the experiments dashboard of a model: counts, best and deployed runs, recent runs", run: querySummary, help: summaryHelp},
		{name: "heatmap", summary: "show a metric over two configuration axes, best ★ and deployed ● marked", run: queryHeatmap, help: heatmapHelp},
		{name: "runs", summary: "list the runs of a model, filtered, sorted and paged, with their ids", run: queryRuns, help: runsHelp},
		{name: "insights", summary: "decide with confidence: quick-test fidelity, the best config within noise, parameter effects", run: queryInsights, help: insightsHelp},
		{name: "compare", summary: "compare 2 to 50 runs: metrics, configuration diff and a recommendation", run: queryCompare, help: compareHelp},
		{name: "lineage", summary: "show the ML Metadata lineage of a run's model: its data, schema, transform, evaluation and push", run: queryLineage, help: lineageHelp},
		{name: "models", summary: "list the models and datasets that have experiments in MLflow", run: queryModels, help: modelsHelp},
		{name: "towers", summary: "show or set which tower each feature of a model belongs to, for runs logged without tower params", run: towers, help: towersHelp},
		{name: "attach", summary: "tag an existing MLflow experiment as a model's experiment on a dataset", run: queryAttach, help: attachHelp},
		{name: "demo", summary: "seed MLflow with a demo experiment (idempotent)", run: demo, help: demoHelp},
		{name: "outbox", summary: "list the results queued for MLflow (failed, pending, delivered) and queue a failed one again", run: outbox, help: outboxHelp},
		{name: "migrate", summary: "apply the database migrations (serve also does at start)", run: migrate, help: migrateHelp},
		{name: "version", summary: "print the version of mlexp", run: version},
	}
}

// run is the whole program behind main: it dispatches args[1] to its command. args[0] is
// the program name, as in os.Args.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runWithInput(ctx, args, getenv, os.Stdin, stdout, stderr)
}

// runWithInput is run with standard input given explicitly (tests give their own).
func runWithInput(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	cmds := commands()
	if len(args) < 2 {
		return fmt.Errorf("no command given: the commands are %s; see `mlexp help`", commandNames(cmds))
	}
	name, rest := args[1], args[2:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) == 0 {
			writeHelp(stdout, cmds, e)
			return nil
		}
		name, rest = rest[0], []string{"--help"}
	}
	for _, c := range cmds {
		if c.name == name {
			return c.run(ctx, rest, e)
		}
	}
	return fmt.Errorf("unknown command %q: the commands are %s; see `mlexp help`", name, commandNames(cmds))
}

// writeHelp writes the help of mlexp: every command, and the flags of each.
func writeHelp(w io.Writer, cmds []command, e env) {
	fmt.Fprintf(w, "mlexp explores MLflow runs of recommender-model experiments.\n\n")
	fmt.Fprintf(w, "Usage: mlexp COMMAND [flags]\n\nCommands:\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-10s %s\n", "help", "show this help, or `mlexp help COMMAND` for one command")
	for _, c := range cmds {
		if c.help != nil {
			fmt.Fprintf(w, "\n%s\n", strings.Repeat("─", 72))
			c.help(w, e)
		}
	}
}

func commandNames(cmds []command) string {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}
