package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/user"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/terminal"
)

// The deployment commands (deploy, rollback, reconcile, deployments) record the history in mlexp's
// database, so they take the store options of serve: pointed at the same --db, they write
// the history that serve shows, under the same per-model lock.

// promotionOptions are the flags of deploy and rollback.
func promotionOptions(getenv func(string) string, withModel bool) []option {
	opts := []option{
		{name: "by", arg: "USER", env: "MLEXP_USER", def: osUser(getenv),
			usage: "who promotes, as recorded in the history and the run's mlexp.promoted_by tag (default: the OS user)"},
		{name: "note", arg: "TEXT", usage: "why, recorded in the history (optional)"},
		{name: "json", arg: "", def: "false", usage: "print the API's answer as JSON"},
	}
	if withModel {
		opts = append([]option{{name: "model", arg: "ID", usage: "promote under this model: the run must be in one of its experiments (default: the run's own model); a run id prefix (8 characters or more) is looked up in its runs (default: MLflow's only model)"}}, opts...)
	}
	return append(opts, storeOptions(getenv)...)
}

func deploymentsOptions(getenv func(string) string) []option {
	return append([]option{
		{name: "limit", arg: "N", def: "20", usage: "how many promotions to list, newest first, 1 to 1000"},
		{name: "json", arg: "", def: "false", usage: "print the API's answer as JSON"},
		widthOption(),
	}, storeOptions(getenv)...)
}

// osUser is the user the OS says runs mlexp: $USER, $USERNAME, or the account's name.
func osUser(getenv func(string) string) string {
	for _, k := range []string{"USER", "USERNAME"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

func deployHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp deploy RUN_ID [flags]

Promotes the MLflow run RUN_ID to be the deployed run of its model: it records who promoted
it, from which run, when and why in mlexp's database (the history that serve shows at
/models/MODEL/deployments/), and marks it is_deployed=true in MLflow, clearing the mark on
every other run of the model's experiments, and moves the Model Registry alias
(--registry-alias, default champion) of the model's registered model to the run's version,
registering the run's model as a new version when needed. Only a FINISHED run with a model
(an MLflow logged model, an MLmodel artifact directory, or a model/model_uri.txt artifact) of
an experiment attached to a model can be promoted. Promotions of one model are serialised
through the database, also across processes. RUN_ID may be the start of a run id, 8
characters or more, as the runs table shows it at 80 columns: it names the one run of
--model (default: MLflow's only model) whose id starts with it.

`)
	writeOptions(w, promotionOptions(e.getenv, true))
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

func rollbackHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp rollback MODEL_ID [flags]

Promotes again the run that was deployed before the model's current one, as recorded in the
history. The rollback is itself a recorded promotion, so a second rollback returns to where
the first started.

`)
	writeOptions(w, promotionOptions(e.getenv, false))
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

// reconcileOptions are the flags of reconcile.
func reconcileOptions(getenv func(string) string) []option {
	return append([]option{
		{name: "adopt", arg: "", def: "false",
			usage: "align the other way: record the run of the version the registry alias names (moved in MLflow) as the deployed one"},
		{name: "by", arg: "USER", env: "MLEXP_USER", def: osUser(getenv), usage: "who adopts, with --adopt (default: the OS user)"},
		{name: "note", arg: "TEXT", usage: "why, recorded with --adopt (optional)"},
		{name: "json", arg: "", def: "false", usage: "print what was done as JSON"},
	}, storeOptions(getenv)...)
}

func reconcileHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp reconcile MODEL_ID [flags]

Makes MLflow show the model's newest recorded deployment, the one the history says is
deployed: it marks that run is_deployed=true and clears the mark on every other run of the
model's experiments, also marks set by hand in MLflow or left by a process that died
half-way through a promotion, and points the Model Registry alias back at the recorded
version. It records nothing, and runs under the model's promotion lock like deploy and
rollback. A model without recorded promotions is left as it is.

With --adopt it aligns the other way, when the alias was moved in MLflow on purpose: the run
of the version the alias names is recorded as deployed (action adopt) and marked
is_deployed=true, as a promotion would.

`)
	writeOptions(w, reconcileOptions(e.getenv))
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

func deploymentsHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp deployments MODEL_ID [flags]

Lists the model's recorded promotions and rollbacks, newest first: when, which run, which
run it replaced, who, and the note. It reads mlexp's database (--db, --data-dir) and
needs no MLflow server; given one, it also says when MLflow's registry alias no longer
matches the history.

`)
	writeOptions(w, deploymentsOptions(e.getenv))
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

// startDeployment parses a deployment command's flags around its one positional argument
// and opens the backend. It returns flag.ErrHelp after writing help.
func startDeployment(ctx context.Context, name, what string, args []string, opts []option, help func(io.Writer, env), e env) (map[string]setting, string, *backend, error) {
	return startDeploymentWith(ctx, name, what, args, opts, help, e, false)
}

// startDeploymentWith is startDeployment; storeOnly opens the database alone when no MLflow
// server is configured (deployments reads only the history then).
func startDeploymentWith(ctx context.Context, name, what string, args []string, opts []option, help func(io.Writer, env), e env, storeOnly bool) (map[string]setting, string, *backend, error) {
	flags, positional := splitQueryArgs(args, opts)
	s, rest, err := parseOptions(name, flags, opts, help, e)
	if err != nil {
		return nil, "", nil, err
	}
	positional = append(positional, rest...)
	if len(positional) != 1 {
		return nil, "", nil, fmt.Errorf("%s: give exactly one %s: `mlexp %s %s`", name, what, name, what)
	}
	cfg, err := parseStoreConfig(s)
	if err != nil {
		return nil, "", nil, fmt.Errorf("%s: %w", name, err)
	}
	var b *backend
	if storeOnly && cfg.requireMLflow() != nil {
		b, err = openStoreOnly(ctx, cfg)
	} else {
		b, err = openBackend(ctx, cfg, e.getenv, newLogger(e.stderr, "text", levelFor(e.getenv)), 0, nil)
	}
	if err != nil {
		return nil, "", nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, positional[0], b, nil
}

// deploy runs `mlexp deploy RUN_ID`.
func deploy(ctx context.Context, args []string, e env) error {
	s, runID, b, err := startDeployment(ctx, "deploy", "RUN_ID", args, promotionOptions(e.getenv, true), deployHelp, e)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	defer b.close()
	if runID, err = resolveDeployRunID(ctx, b.reader, s["model"].value, runID); err != nil {
		return err
	}
	p, err := b.promoter.Promote(ctx, mlexp.PromoteRequest{RunID: runID, ModelID: s["model"].value, By: s["by"].value, Note: s["note"].value})
	if err != nil {
		return fmt.Errorf("deploy: %s", promotionMessage(err))
	}
	return printPromotion(e.stdout, p, s["json"].value == "true")
}

// rollback runs `mlexp rollback MODEL_ID`.
func rollback(ctx context.Context, args []string, e env) error {
	s, modelID, b, err := startDeployment(ctx, "rollback", "MODEL_ID", args, promotionOptions(e.getenv, false), rollbackHelp, e)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	defer b.close()
	p, err := b.promoter.Rollback(ctx, modelID, s["by"].value, s["note"].value)
	if err != nil {
		return fmt.Errorf("rollback: %s", promotionMessage(err))
	}
	return printPromotion(e.stdout, p, s["json"].value == "true")
}

// reconcile runs `mlexp reconcile MODEL_ID`.
func reconcile(ctx context.Context, args []string, e env) error {
	s, modelID, b, err := startDeployment(ctx, "reconcile", "MODEL_ID", args, reconcileOptions(e.getenv), reconcileHelp, e)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	defer b.close()
	if s["adopt"].value == "true" {
		p, err := b.promoter.Adopt(ctx, modelID, s["by"].value, s["note"].value)
		if err != nil {
			return fmt.Errorf("reconcile: %s", promotionMessage(err))
		}
		return printPromotion(e.stdout, p, s["json"].value == "true")
	}
	d, cleared, err := b.promoter.Reconcile(ctx, modelID)
	if err != nil {
		return fmt.Errorf("reconcile: %s", promotionMessage(err))
	}
	return printReconciled(e.stdout, modelID, d, cleared, s["json"].value == "true")
}

// deployments runs `mlexp deployments MODEL_ID`.
func deployments(ctx context.Context, args []string, e env) error {
	s, modelID, b, err := startDeploymentWith(ctx, "deployments", "MODEL_ID", args, deploymentsOptions(e.getenv), deploymentsHelp, e, true)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	defer b.close()
	limit, err := queryInt(s["limit"], 1, 1000)
	if err != nil {
		return err
	}
	h, err := b.store.Deployments(ctx, modelID, limit)
	if err != nil {
		return fmt.Errorf("deployments: %s", promotionMessage(err))
	}
	var st *mlexp.AliasStatus
	if b.promoter != nil { // with MLflow, say whether its alias still matches the history
		st, _ = b.promoter.AliasStatus(ctx, modelID) // best effort: the history is mlexp's own
	}
	if s["json"].value == "true" {
		var current *mlexp.Deployment
		if len(h) > 0 {
			current = &h[0]
		}
		return printIndented(e.stdout, map[string]any{"model_id": modelID, "current": current, "deployments": h, "registry": st})
	}
	var o terminal.Options
	if err := parseWidth(s["width"], &o); err != nil {
		return err
	}
	printAliasStatus(e.stdout, modelID, st, o)
	return printDeployments(e.stdout, modelID, h, o)
}

// printPromotion says what a promotion did, or prints it as the API answers it.
func printPromotion(w io.Writer, p *mlexp.Promotion, asJSON bool) error {
	d := p.Deployment
	if asJSON {
		return printIndented(w, map[string]any{"run_id": d.RunID, "is_deployed": true, "cleared": p.Cleared, "changed": p.Changed, "deployment": d})
	}
	if !p.Changed {
		fmt.Fprintf(w, "run %s (%s) already is the deployed run of model %s; nothing new recorded\n", d.RunID, d.RunName, d.ModelID)
	} else {
		verb := map[string]string{mlexp.ActionRollback: "rolled back to", mlexp.ActionAdopt: "adopted from the registry alias"}[d.Action]
		if verb == "" {
			verb = "promoted"
		}
		from := "no recorded run"
		if d.PreviousRunID != "" {
			from = "run " + d.PreviousRunID + " (" + d.PreviousRunName + ")"
		}
		fmt.Fprintf(w, "model %s: %s run %s (%s), replacing %s; recorded as deployment #%d by %s\n", d.ModelID, verb, d.RunID, d.RunName, from, d.Seq, d.PromotedBy)
	}
	printAlias(w, d)
	for _, c := range p.Cleared {
		fmt.Fprintf(w, "run %s is no longer marked deployed\n", c)
	}
	return nil
}

// promotionMessage is the user's message of a refusal, with its field as a flag or argument,
// after the context wrapped around it (such as "rolling back to run X: ").
func promotionMessage(err error) string {
	var me *mlexp.Error
	if !errors.As(err, &me) || me.Code == mlexp.EINTERNAL {
		return err.Error()
	}
	if wrapped, ok := strings.CutSuffix(err.Error(), me.Error()); ok {
		return wrapped + me.Message
	}
	return me.Message
}

func printIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
