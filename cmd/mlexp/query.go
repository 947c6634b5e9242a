package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/explore"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/terminal"
	"github.com/mlexp-dev/mlexp/tracking"
)

// The query commands (summary, heatmap, runs, compare, models, attach, insights, best) read
// MLflow directly: they need no database, only the MLflow client. Each asks the use cases of
// package explore, as the API does, and renders the answer with package terminal, or prints
// it as JSON: the API's data.

// queryEnv is what a query command has resolved: its flags, positional arguments, MLflow
// reader and output settings.
type queryEnv struct {
	name     string
	s        map[string]setting
	args     []string
	uri      string
	client   *mlflow.Client
	svc      *explore.Service
	runs     mlexp.RunSource // what svc reads, for resolving run id prefixes
	progress *progressLine   // nil unless stderr is a terminal
	json     bool
	term     terminal.Options
	e        env
	close    func() // closes the ML Metadata store
}

// startQuery parses the flags of a query command (positional arguments may come before,
// between or after them) and connects to MLflow. It returns flag.ErrHelp after writing help.
func startQuery(name string, args []string, opts []option, help func(io.Writer, env), e env) (*queryEnv, error) {
	flags, positional := splitQueryArgs(args, opts)
	s, rest, err := parseOptions(name, flags, opts, help, e)
	if err != nil {
		return nil, err
	}
	q := &queryEnv{name: name, s: s, args: append(positional, rest...), e: e}
	if q.json, err = boolSetting(s["json"]); err != nil {
		return nil, err
	}
	switch v := s["color"]; v.value {
	case "always":
		q.term.Color = true
	case "never":
	case "auto", "":
		q.term.Color = isTerminal(e.stdout) && e.getenv("NO_COLOR") == "" && e.getenv("TERM") != "dumb"
	default:
		return nil, v.errorf("not auto, always or never")
	}
	if err := parseWidth(s["width"], &q.term); err != nil {
		return nil, err
	}
	uri := s["mlflow-tracking-uri"]
	if uri.value == "" {
		return nil, fmt.Errorf("%s: no MLflow tracking server: set --mlflow-tracking-uri or MLFLOW_TRACKING_URI, e.g. http://127.0.0.1:5000", name)
	}
	q.uri = uri.value
	q.client, err = mlflow.NewClientFromEnv(func(k string) string {
		if k == "MLFLOW_TRACKING_URI" {
			return uri.value
		}
		return e.getenv(k)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: MLflow settings (%s): %w", name, uri.source, err)
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	readOpts := []tracking.ReaderOption{tracking.ReadInParts(defaultReadParts)}
	if isTerminal(e.stderr) { // a large experiment takes minutes: say how far the read has got
		q.progress = &progressLine{w: e.stderr}
		readOpts = append(readOpts, tracking.ReadWithProgress(q.progress.update))
	}
	reader := tracking.NewReader(q.client, time.Minute, time.Now, log, readOpts...)
	var lineage mlexp.LineageStore
	lineage, q.close = openLineage(context.Background(), s["mlmd-db"].value, log)
	q.runs = reader
	q.svc = explore.New(explore.Deps{Runs: reader, Best: tracking.NewSelector(q.client),
		Attacher: tracking.NewLogger(q.client, chart.TrainingCurves), Lineage: lineage, LineageRefs: reader, RunModels: reader,
		MLflowUIURL: q.uri, Now: time.Now})
	return q, nil
}

// splitQueryArgs separates flags (with their values) from positional arguments, so that
// `mlexp compare A B --baseline A` and `mlexp compare --baseline A A B` both work. A bare
// boolean flag (--json) becomes --json=true; "--json true" and "--json false" are taken as
// its value. Everything after "--" is positional.
func splitQueryArgs(args []string, opts []option) (flags, positional []string) {
	takesValue := map[string]bool{}
	for _, o := range opts {
		takesValue[o.name] = !slices.Contains(queryBoolOptions, o.name)
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return flags, append(positional, args[i+1:]...)
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			flags = append(flags, a)
			continue
		}
		if v, known := takesValue[name]; known && !v {
			if i+1 < len(args) && (args[i+1] == "true" || args[i+1] == "false") {
				flags = append(flags, a+"="+args[i+1])
				i++
			} else {
				flags = append(flags, a+"=true")
			}
			continue
		}
		flags = append(flags, a)
		if takesValue[name] && i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return flags, positional
}

// open resolves --model and --dataset and reads the experiment's runs. Without --model,
// MLflow's only model is taken; with several, the user is asked to choose.
func (q *queryEnv) open(ctx context.Context) (*explore.Experiment, error) {
	model := q.s["model"].value
	if model == "" {
		var err error
		if model, err = q.onlyModel(ctx); err != nil {
			return nil, err
		}
	}
	e, err := q.svc.Open(ctx, explore.Target{ModelID: model, DatasetID: q.s["dataset"].value})
	if q.progress != nil {
		q.progress.clear()
	}
	if err != nil {
		return nil, q.fail(err)
	}
	if set := e.Set; set.Stale {
		fmt.Fprintf(q.e.stderr, "warning: showing runs read from MLflow at %s: %s\n", set.FetchedAt.Format(time.RFC3339), set.StaleReason)
	}
	return e, nil
}

// onlyModel is the model of MLflow's experiments when there is just one.
func (q *queryEnv) onlyModel(ctx context.Context) (string, error) {
	ans, err := q.svc.Models(ctx)
	if err != nil {
		return "", q.fail(err)
	}
	switch models := ans.Models; len(models) {
	case 0:
		return "", fmt.Errorf("%s: no MLflow experiment is tagged with a model yet: log results (mlexp log), or tag an existing experiment (mlexp attach)", q.name)
	case 1:
		return models[0].ID, nil
	default:
		ids := make([]string, 0, len(models))
		for _, m := range models {
			ids = append(ids, m.ID)
		}
		if len(ids) > 20 {
			ids = append(ids[:20], fmt.Sprintf("and %d more (mlexp models)", len(ids)-20))
		}
		return "", fmt.Errorf("%s: --model is required: MLflow has experiments of %d models: %s", q.name, len(models), strings.Join(ids, ", "))
	}
}

// resolveRunIDs replaces the run id prefixes among args (named fields[i] in errors) by the
// ids of the runs of --model (default: MLflow's only model) that start with them.
func (q *queryEnv) resolveRunIDs(ctx context.Context, fields, args []string) ([]string, error) {
	short := false
	for _, a := range args {
		short = short || (a != "" && len(a) < mlexp.RunIDLength)
	}
	if !short {
		return args, nil
	}
	var me *mlexp.Error
	if err := mlexp.CheckRunIDPrefixes(fields, args); errors.As(err, &me) {
		return nil, fmt.Errorf("%s: %s", q.name, me.Message)
	}
	model := q.s["model"].value
	if model == "" {
		var err error
		if model, err = q.onlyModel(ctx); err != nil {
			return nil, err
		}
	}
	ids, err := mlexp.ResolveRunIDs(ctx, q.runs, model, fields, args)
	if errors.As(err, &me) && slices.Contains(fields, me.Field) { // the message starts with the argument
		return nil, fmt.Errorf("%s: %s", q.name, me.Message)
	}
	if err != nil {
		return nil, q.fail(err)
	}
	return ids, nil
}

// printJSON writes v as indented JSON.
func (q *queryEnv) printJSON(v any) error {
	enc := json.NewEncoder(q.e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// title writes the head of a screen: its title and which experiment it shows.
func (q *queryEnv) title(title string, exp mlexp.ExperimentRef, more ...string) error {
	lines := append([]string{fmt.Sprintf("Model: %s · Dataset: %s · MLflow experiment %s (%s)",
		queryName(exp.ModelName, exp.ModelID), queryName(exp.DatasetName, exp.DatasetID), exp.ExperimentName, exp.ExperimentID)}, more...)
	return terminal.Title(q.e.stdout, q.term, title, lines...)
}

func queryName(name, id string) string {
	if name == "" || name == id {
		return id
	}
	return name + " (" + id + ")"
}

// noPositional refuses positional arguments for commands that take only flags.
func (q *queryEnv) noPositional() error {
	if len(q.args) > 0 {
		return fmt.Errorf("%s: unexpected argument %q; see `mlexp %s --help`", q.name, q.args[0], q.name)
	}
	return nil
}

// queryInt parses a whole-number setting within [lo, hi].
func queryInt(s setting, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s.value)
	if err != nil || n < lo || n > hi {
		return 0, s.errorf("not a whole number from %d to %d", lo, hi)
	}
	return n, nil
}

// runQueryCommand runs a query command body, turning help into success.
func runQueryCommand(name string, args []string, opts []option, help func(io.Writer, env), e env, body func(*queryEnv) error) error {
	q, err := startQuery(name, args, opts, help, e)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	defer q.close()
	return body(q)
}
