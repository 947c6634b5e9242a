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
	group   string // the heading `mlexp help` lists it under
	summary string // one line of at most 64 columns, for `mlexp help`
	run     func(ctx context.Context, args []string, e env) error
	// help writes the command's full help; nil for a command without flags.
	help func(w io.Writer, e env)
}

// The groups of commands in `mlexp help`, in its order.
const (
	groupLog    = "Log results into MLflow"
	groupQuery  = "Explore runs (read MLflow)"
	groupDeploy = "Deploy (mlexp's database, and MLflow's marks)"
	groupServe  = "Serve and operate"
)

// commands lists every subcommand, in the order `mlexp help` shows them.
func commands() []command {
	return []command{
		{name: "log", group: groupLog, summary: "log quick tests or full trainings from JSON (see help log)", run: logResults, help: logHelp},
		{name: "demo", group: groupLog, summary: "seed MLflow with a demo experiment (idempotent)", run: demo, help: demoHelp},
		{name: "attach", group: groupLog, summary: "tag an existing MLflow experiment as a model's", run: queryAttach, help: attachHelp},
		{name: "models", group: groupQuery, summary: "the models and datasets that have experiments in MLflow", run: queryModels, help: modelsHelp},
		{name: "summary", group: groupQuery, summary: "a model's dashboard: counts, best and deployed runs, recent runs", run: querySummary, help: summaryHelp},
		{name: "heatmap", group: groupQuery, summary: "a metric over two configuration axes, best ★ and deployed ●", run: queryHeatmap, help: heatmapHelp},
		{name: "runs", group: groupQuery, summary: "a model's runs, filtered, sorted and paged, with their ids", run: queryRuns, help: runsHelp},
		{name: "compare", group: groupQuery, summary: "compare 2 to 50 runs: metrics, config diff, recommendation", run: queryCompare, help: compareHelp},
		{name: "insights", group: groupQuery, summary: "quick-test fidelity, best config within noise, param effects", run: queryInsights, help: insightsHelp},
		{name: "towers", group: groupQuery, summary: "which tower each feature of a model belongs to (set or show)", run: towers, help: towersHelp},
		{name: "lineage", group: groupQuery, summary: "the ML Metadata lineage of a run's model", run: queryLineage, help: lineageHelp},
		{name: "best", group: groupDeploy, summary: "the run to deploy: best by a metric, through quality gates", run: queryBest, help: bestHelp},
		{name: "deploy", group: groupDeploy, summary: "promote a run to be its model's deployed run, with a note", run: deploy, help: deployHelp},
		{name: "rollback", group: groupDeploy, summary: "promote again the run deployed before the current one", run: rollback, help: rollbackHelp},
		{name: "deployments", group: groupDeploy, summary: "a model's promotions and rollbacks, newest first", run: deployments, help: deploymentsHelp},
		{name: "reconcile", group: groupDeploy, summary: "make MLflow's is_deployed marks match the history again", run: reconcile, help: reconcileHelp},
		{name: "serve", group: groupServe, summary: "the web UI, the JSON API and delivery of queued results", run: serve, help: serveHelp},
		{name: "outbox", group: groupServe, summary: "results queued for MLflow; queue a failed one again", run: outbox, help: outboxHelp},
		{name: "migrate", group: groupServe, summary: "apply the database migrations (serve also does at start)", run: migrate, help: migrateHelp},
		{name: "version", group: groupServe, summary: "print the version of mlexp", run: version},
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
			writeHelp(stdout, cmds)
			return nil
		}
		name, rest = rest[0], []string{"--help"}
		if name == "help" {
			writeHelp(stdout, cmds)
			return nil
		}
	}
	for _, c := range cmds {
		if c.name == name {
			return c.run(ctx, rest, e)
		}
	}
	return fmt.Errorf("unknown command %q: the commands are %s; see `mlexp help`", name, commandNames(cmds))
}

func commandNames(cmds []command) string {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}
