package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/terminal"
	"github.com/mlexp-dev/mlexp/tracking"
)

// The query commands (summary, heatmap, runs, compare, models, attach) read MLflow
// directly: they need no database, only the MLflow client.

// queryEnv is what a query command has resolved: its flags, positional arguments, MLflow
// reader and output settings.
type queryEnv struct {
	name   string
	s      map[string]setting
	args   []string
	uri    string
	client *mlflow.Client
	reader *tracking.Reader
	json   bool
	term   terminal.Options
	e      env
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
	switch v := s["json"]; strings.ToLower(v.value) {
	case "true", "1", "yes":
		q.json = true
	case "false", "0", "no", "":
	default:
		return nil, v.errorf("not true or false")
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
	if v := s["width"]; v.value != "" {
		n, err := strconv.Atoi(v.value)
		if err != nil || n < 20 || n > 1000 {
			return nil, v.errorf("not a width in columns from 20 to 1000")
		}
		q.term.Width = n
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
	q.reader = tracking.NewReader(q.client, time.Minute, time.Now, log, tracking.ReadInParts(defaultReadParts))
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

// fail wraps an error of the domain or MLflow for the user: the command's name, then the
// message, with the domain's field names written as this command's flags.
func (q *queryEnv) fail(err error) error {
	return &queryError{cmd: q.name, err: err}
}

type queryError struct {
	cmd string
	err error
}

func (e *queryError) Error() string { return e.cmd + ": " + queryMessage(e.err) }
func (e *queryError) Unwrap() error { return e.err }

func queryMessage(err error) string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var msgs []string
		for _, x := range j.Unwrap() {
			msgs = append(msgs, queryMessage(x))
		}
		return strings.Join(msgs, "; ")
	}
	var me *mlexp.Error
	if !errors.As(err, &me) || me.Code == mlexp.EINTERNAL {
		return err.Error()
	}
	msg := me.Message
	if me.Field != "" {
		flagName := "--" + strings.ReplaceAll(me.Field, "_", "-")
		switch me.Field {
		case "run_ids":
			flagName = "RUN_ID"
		case "experiment":
			flagName = "EXPERIMENT"
		case "model_id":
			flagName = "--model"
		case "dataset_id":
			flagName = "--dataset"
		case "type", "status", "search", "sort", "order", "page", "page_size", "metric", "x_axis", "y_axis", "run_type", "agg", "baseline":
		default:
			if strings.HasPrefix(me.Field, "model.") || strings.HasPrefix(me.Field, "dataset.") {
				flagName = "--" + strings.ReplaceAll(strings.ReplaceAll(me.Field, ".", "-"), "_", "-")
			}
		}
		if rest, ok := strings.CutPrefix(msg, me.Field+": "); ok {
			msg = flagName + ": " + rest
		} else {
			msg = flagName + ": " + msg
		}
	}
	return msg
}

// experimentRuns resolves --model and --dataset and reads the experiment's runs.
func (q *queryEnv) experimentRuns(ctx context.Context) (*mlexp.RunSet, mlexp.ExperimentRef, error) {
	model := q.s["model"].value
	if model == "" {
		models, err := q.reader.Models(ctx)
		if err != nil {
			return nil, mlexp.ExperimentRef{}, q.fail(err)
		}
		switch len(models) {
		case 0:
			return nil, mlexp.ExperimentRef{}, fmt.Errorf("%s: no MLflow experiment is tagged with a model yet: log results (mlexp log), or tag an existing experiment (mlexp attach)", q.name)
		case 1:
			model = models[0].ID
		default:
			ids := make([]string, 0, len(models))
			for _, m := range models {
				ids = append(ids, m.ID)
			}
			if len(ids) > 20 {
				ids = append(ids[:20], fmt.Sprintf("and %d more (mlexp models)", len(ids)-20))
			}
			return nil, mlexp.ExperimentRef{}, fmt.Errorf("%s: --model is required: MLflow has experiments of %d models: %s", q.name, len(models), strings.Join(ids, ", "))
		}
	}
	m, d, err := q.reader.Experiment(ctx, model, q.s["dataset"].value)
	if err != nil {
		return nil, mlexp.ExperimentRef{}, q.fail(err)
	}
	set, err := q.reader.Runs(ctx, d.ExperimentID)
	if err != nil {
		return nil, mlexp.ExperimentRef{}, q.fail(err)
	}
	if set.Stale {
		fmt.Fprintf(q.e.stderr, "warning: showing runs read from MLflow at %s: %s\n", set.FetchedAt.Format(time.RFC3339), set.StaleReason)
	}
	return set, mlexp.NewExperimentRef(m, d, set, strings.TrimRight(q.uri, "/")+"/#/experiments/"+url.PathEscape(d.ExperimentID)), nil
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
	return body(q)
}

// querySummary runs `mlexp summary`.
func querySummary(ctx context.Context, args []string, e env) error {
	return runQueryCommand("summary", args, summaryOptions(), summaryHelp, e, func(q *queryEnv) error {
		if err := q.noPositional(); err != nil {
			return err
		}
		recent, err := queryInt(q.s["recent"], 1, 100)
		if err != nil {
			return err
		}
		set, exp, err := q.experimentRuns(ctx)
		if err != nil {
			return err
		}
		sum, err := mlexp.Summarize(set.Runs, q.s["metric"].value, time.Now(), recent)
		if err != nil {
			return q.fail(err)
		}
		if q.json {
			return q.printJSON(struct {
				*mlexp.Summary
				Experiment mlexp.ExperimentRef `json:"experiment"`
			}{sum, exp})
		}
		if err := q.title("Experiments", exp); err != nil {
			return err
		}
		return terminal.Summary(q.e.stdout, sum, q.term)
	})
}

// queryHeatmap runs `mlexp heatmap`.
func queryHeatmap(ctx context.Context, args []string, e env) error {
	return runQueryCommand("heatmap", args, heatmapOptions(), heatmapHelp, e, func(q *queryEnv) error {
		if err := q.noPositional(); err != nil {
			return err
		}
		set, exp, err := q.experimentRuns(ctx)
		if err != nil {
			return err
		}
		hq := mlexp.HeatmapQuery{Metric: q.s["metric"].value, XAxis: q.s["x-axis"].value, YAxis: q.s["y-axis"].value,
			RunType: q.s["run-type"].value, Agg: q.s["agg"].value}
		if err := hq.Check(set.Runs); err != nil {
			return q.fail(err)
		}
		h := mlexp.BuildHeatmap(set.Runs, hq)
		if q.json {
			return q.printJSON(struct {
				*mlexp.Heatmap
				Experiment mlexp.ExperimentRef `json:"experiment"`
			}{h, exp})
		}
		if err := q.title("Experiments", exp); err != nil {
			return err
		}
		return terminal.Heatmap(q.e.stdout, h, q.term)
	})
}

// queryRuns runs `mlexp runs`.
func queryRuns(ctx context.Context, args []string, e env) error {
	return runQueryCommand("runs", args, runsOptions(), runsHelp, e, func(q *queryEnv) error {
		if err := q.noPositional(); err != nil {
			return err
		}
		page, err := queryInt(q.s["page"], 1, 1<<30)
		if err != nil {
			return err
		}
		size, err := queryInt(q.s["page-size"], 1, mlexp.MaxPageSize)
		if err != nil {
			return err
		}
		set, exp, err := q.experimentRuns(ctx)
		if err != nil {
			return err
		}
		rq := mlexp.RunsQuery{Type: q.s["type"].value, Status: q.s["status"].value, Search: q.s["search"].value,
			Sort: q.s["sort"].value, Order: q.s["order"].value, Page: page, PageSize: size}
		if err := rq.Check(set.Runs); err != nil {
			return q.fail(err)
		}
		p := mlexp.QueryRuns(set.Runs, rq)
		if q.json {
			return q.printJSON(struct {
				mlexp.RunsPage
				Query      mlexp.RunsQuery     `json:"query"`
				Experiment mlexp.ExperimentRef `json:"experiment"`
			}{p, rq, exp})
		}
		filter := "all types"
		if rq.Type != mlexp.RunTypeAll {
			filter = mlexp.RunType(rq.Type).Label() + " runs"
		}
		if rq.Status != "all" {
			filter += ", " + rq.Status
		}
		line := fmt.Sprintf("Filter: %s · Sort: %s %s", filter, rq.Sort, rq.Order)
		if rq.Search != "" {
			line += " · Search: " + strconv.Quote(rq.Search)
		}
		if err := q.title("MLflow Experiments", exp, line); err != nil {
			return err
		}
		if err := terminal.Runs(q.e.stdout, p, q.term); err != nil {
			return err
		}
		if len(p.Runs) >= 2 {
			_, err = fmt.Fprintf(q.e.stdout, "Compare runs: mlexp compare RUN_ID RUN_ID...\n")
		}
		return err
	})
}

// queryCompare runs `mlexp compare RUN_ID...`.
func queryCompare(ctx context.Context, args []string, e env) error {
	return runQueryCommand("compare", args, compareOptions(), compareHelp, e, func(q *queryEnv) error {
		ids := q.args
		if n := len(ids); n < mlexp.MinCompareRuns || n > mlexp.MaxCompareRuns {
			return fmt.Errorf("compare: give %d to %d run ids, not %d: `mlexp compare RUN_ID RUN_ID...` (mlexp runs lists them)",
				mlexp.MinCompareRuns, mlexp.MaxCompareRuns, n)
		}
		runs, err := q.reader.RunsByID(ctx, ids)
		if err != nil {
			return q.fail(err)
		}
		opts := mlexp.CompareOptions{BaselineID: q.s["baseline"].value, Metric: q.s["metric"].value}
		if len(runs) > 0 && !slices.ContainsFunc(runs, func(r mlexp.Run) bool { return r.ExperimentID != runs[0].ExperimentID }) {
			if set, err := q.reader.Runs(ctx, runs[0].ExperimentID); err == nil { // without it, the plain rule
				opts.Noise = insight.NewNoiseJudge(set.Runs)
			}
		}
		c, err := mlexp.CompareRuns(runs, opts)
		if err != nil {
			return q.fail(err)
		}
		if q.json {
			return q.printJSON(c)
		}
		if err := terminal.Title(q.e.stdout, q.term, "Compare Experiments"); err != nil {
			return err
		}
		return terminal.Comparison(q.e.stdout, c, q.term)
	})
}

// queryModels runs `mlexp models`.
func queryModels(ctx context.Context, args []string, e env) error {
	return runQueryCommand("models", args, modelsOptions(), modelsHelp, e, func(q *queryEnv) error {
		if err := q.noPositional(); err != nil {
			return err
		}
		ms, err := q.reader.Models(ctx)
		if err != nil {
			return q.fail(err)
		}
		if ms == nil {
			ms = []mlexp.ModelInfo{}
		}
		if q.json {
			return q.printJSON(map[string]any{"models": ms})
		}
		return terminal.Models(q.e.stdout, ms, q.term)
	})
}

// queryAttach runs `mlexp attach EXPERIMENT`.
func queryAttach(ctx context.Context, args []string, e env) error {
	return runQueryCommand("attach", args, attachOptions(), attachHelp, e, func(q *queryEnv) error {
		if len(q.args) != 1 {
			return errors.New("attach: give exactly one EXPERIMENT, its MLflow id or name: `mlexp attach EXPERIMENT --model-id ID --dataset-id ID`")
		}
		m := mlexp.Model{ID: q.s["model-id"].value, Name: q.s["model-name"].value}
		d := mlexp.Dataset{ID: q.s["dataset-id"].value, Name: q.s["dataset-name"].value, Version: q.s["dataset-version"].value}
		switch {
		case m.ID == "":
			return errors.New("attach: --model-id is required")
		case d.ID == "":
			return errors.New("attach: --dataset-id is required")
		}
		m.Name = queryOr(m.Name, m.ID)
		d.Name = queryOr(d.Name, d.ID)
		info, err := q.reader.Attach(ctx, q.args[0], m, d)
		if err != nil {
			return q.fail(err)
		}
		if q.json {
			return q.printJSON(info)
		}
		_, err = fmt.Fprintf(q.e.stdout, "MLflow experiment %s (%s) is now the experiment of model %s on dataset %s\n",
			info.ExperimentID, info.ExperimentName, queryName(m.Name, m.ID), queryName(d.Name, d.ID))
		return err
	})
}

func queryOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
