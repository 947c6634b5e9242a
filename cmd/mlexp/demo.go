package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/mlexp-dev/mlexp"
	demodata "github.com/mlexp-dev/mlexp/demo"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// demoOptions lists the flags of `mlexp demo`.
func demoOptions(getenv func(string) string) []option {
	return append([]option{
		{name: "seed", arg: "N", def: strconv.FormatUint(demodata.DefaultSeed, 10),
			usage: "seed of the demo's values: the same seed gives the same results; each seed is its own experiment"},
		{name: "wait", arg: "DURATION", def: "2m",
			usage: "how long to wait for MLflow to take every result (e.g. 30s, 5m)"},
		{name: "mlmd-spec", arg: "FILE",
			usage: "also write to FILE the demo's TFX pipeline for ML Metadata, for the store at --mlmd-db, as scripts/mlmd_write.py reads it (make demo does)"},
		mlmdOption(),
	}, storeOptions(getenv)...)
}

// demoHelp writes the help of `mlexp demo`.
func demoHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp demo [flags]

Seeds MLflow with a synthetic demo experiment, "%s":
a grid of 12 feature configs (user/product embedding dims × cross features) tested on 10%% of
the data, replicates of four of them, one quick test that fails with an OOM, and four full
trainings with training curves, the second best of which is marked deployed.

The results go through the same outbox as reported results: they are committed to the
database first, then delivered to MLflow. Running the demo again adds nothing, even with a
new database: every result is logged once, by its idempotency key. If MLflow is down, the
results stay queued in the database; `+"`mlexp serve`"+` delivers them once MLflow is back.

`, demodata.ExperimentName(demodata.DefaultSeed))
	writeOptions(w, demoOptions(e.getenv))
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

// demoConfig is the resolved configuration of `mlexp demo`.
type demoConfig struct {
	seed     uint64
	wait     time.Duration
	store    storeConfig
	mlmdSpec string // where to write the demo's ML Metadata pipeline; "" nowhere
	mlmdDB   string // the store it is for
}

func parseDemoConfig(args []string, e env) (demoConfig, error) {
	s, rest, err := parseOptions("demo", args, demoOptions(e.getenv), demoHelp, e)
	if err != nil {
		return demoConfig{}, err
	}
	if len(rest) > 0 {
		return demoConfig{}, fmt.Errorf("demo: unexpected argument %q: demo takes only flags; see `mlexp demo --help`", rest[0])
	}
	var cfg demoConfig
	if cfg.seed, err = strconv.ParseUint(s["seed"].value, 10, 64); err != nil {
		return cfg, s["seed"].errorf("not a seed: use a whole number from 0 to %d", uint64(1<<64-1))
	}
	if cfg.wait, err = time.ParseDuration(s["wait"].value); err != nil || cfg.wait <= 0 {
		return cfg, s["wait"].errorf("not a positive duration such as 2m or 30s")
	}
	if cfg.store, err = parseStoreConfig(s); err == nil {
		err = cfg.store.requireMLflow()
	}
	if err != nil {
		return cfg, fmt.Errorf("demo: %w", err)
	}
	cfg.mlmdSpec, cfg.mlmdDB = s["mlmd-spec"].value, s["mlmd-db"].value
	if cfg.mlmdSpec != "" && cfg.mlmdDB == "" {
		return cfg, fmt.Errorf("demo: --mlmd-spec needs --mlmd-db (MLEXP_MLMD_DB), the store the pipeline is for")
	}
	return cfg, nil
}

// demo runs `mlexp demo`: it submits the demo's results through the ingest path, waits until
// MLflow has them all, marks the chosen full training deployed and prints a summary.
func demo(ctx context.Context, args []string, e env) error {
	cfg, err := parseDemoConfig(args, e)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	b, err := openBackend(ctx, cfg.store, e.getenv, log, 0, nil)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer b.close()

	set := demodata.Reports(cfg.seed)
	name := demodata.ExperimentName(cfg.seed)
	if err := writeDemoPipeline(cfg); err != nil {
		return err
	}

	// Asking MLflow first tells "MLflow is down" from any other failure, and which results
	// were there before.
	pingErr := b.client.Ping(ctx)
	var before map[string]bool
	if pingErr == nil {
		if before, err = demoKeysIn(ctx, b.client, name); err != nil {
			return fmt.Errorf("demo: reading experiment %q: %w", name, err)
		}
		b.startDelivery(ctx)
	}
	items, err := submitDemo(ctx, b, set, cfg.store.db)
	if err != nil {
		return err
	}
	if pingErr != nil {
		return fmt.Errorf("demo: MLflow at %s is not available (%v): the %s", b.client.TrackingURI(), pingErr, demoQueued(len(items), cfg.store.db))
	}

	items = awaitItems(ctx, b, items, cfg.wait, func(int, int) {})
	if err := demoDelivered(items, cfg.store.db); err != nil {
		return err
	}
	deployed := items[len(set.QuickTests)+set.Deployed]
	if _, err := b.promoter.Promote(ctx, mlexp.PromoteRequest{RunID: deployed.RunID, By: "mlexp demo", Note: "the demo's second best full training"}); err != nil {
		return fmt.Errorf("demo: all results are in MLflow, but marking run %s deployed failed: %w; run `mlexp demo` again", deployed.RunID, err)
	}
	printDemoSummary(ctx, e.stdout, b, set, name, items, before)
	return nil
}

// demoQueued says what becomes of the n demo results that are queued in the database db.
func demoQueued(n int, db string) string {
	return fmt.Sprintf("%d demo results stay queued in the database %s, and `mlexp serve` with that database delivers them once MLflow answers; "+
		"run `mlexp demo` again afterwards to mark the deployed run", n, db)
}

// submitDemo submits the demo's quick tests, then its full trainings, to the outbox of the
// database db.
func submitDemo(ctx context.Context, b *backend, set demodata.Set, db string) ([]*mlexp.OutboxItem, error) {
	var items []*mlexp.OutboxItem
	for _, r := range set.QuickTests {
		item, err := b.ingest.SubmitQuickTest(ctx, r)
		if err != nil {
			return nil, demoSubmitError(err, db)
		}
		items = append(items, item)
	}
	for _, r := range set.TrainingRuns {
		item, err := b.ingest.SubmitTrainingRun(ctx, r)
		if err != nil {
			return nil, demoSubmitError(err, db)
		}
		items = append(items, item)
	}
	return items, nil
}

// demoDelivered tells why not every demo result is in MLflow after the wait; nil when all
// of them are.
func demoDelivered(items []*mlexp.OutboxItem, db string) error {
	pending, lastErr := 0, ""
	for _, it := range items {
		switch it.Status {
		case mlexp.OutboxFailed:
			return fmt.Errorf("demo: MLflow refused the result %s: %s", it.IdempotencyKey, it.LastError)
		case mlexp.OutboxPending:
			pending++
			lastErr = cmp.Or(it.LastError, lastErr)
		}
	}
	if pending > 0 {
		if lastErr != "" {
			lastErr = " (last error: " + lastErr + ")"
		}
		return fmt.Errorf("demo: %d of %d results are not in MLflow yet%s: the %s", pending, len(items), lastErr, demoQueued(pending, db))
	}
	return nil
}

// printDemoSummary writes what the demo logged into experiment name, what of it was new
// (not among the keys before), which run it deployed and where to look.
func printDemoSummary(ctx context.Context, w io.Writer, b *backend, set demodata.Set, name string, items []*mlexp.OutboxItem, before map[string]bool) {
	fresh, failed := 0, 0
	for _, it := range items {
		if !before[it.IdempotencyKey] {
			fresh++
		}
	}
	for _, r := range set.QuickTests {
		if r.QuickTest.Status == mlexp.StatusFailed {
			failed++
		}
	}
	deployed := items[len(set.QuickTests)+set.Deployed]
	d := set.TrainingRuns[set.Deployed]
	fmt.Fprintf(w, "demo: %d quick tests (%d failed) and %d full trainings in MLflow experiment %q; %d were new, %d were already there\n",
		len(set.QuickTests), failed, len(set.TrainingRuns), name, fresh, len(items)-fresh)
	fmt.Fprintf(w, "demo: deployed %q (run %s, Recall@100 %.1f%%), the second best full training\n",
		fmt.Sprintf("%s Full Training #%d", d.FeatureConfig.DisplayName(), d.TrainingRun.ID), deployed.RunID, 100**d.TrainingRun.Metrics.RecallAt100)
	if exp, err := b.client.GetExperimentByName(ctx, name); err == nil {
		fmt.Fprintf(w, "demo: open %s/#/experiments/%s/runs\n", b.client.TrackingURI(), exp.ID)
	}
}

// demoKeysIn returns the idempotency keys of the runs in experiment name; none when the
// experiment does not exist yet.
func demoKeysIn(ctx context.Context, c *mlflow.Client, name string) (map[string]bool, error) {
	keys := map[string]bool{}
	exp, err := c.GetExperimentByName(ctx, name)
	if errors.Is(err, mlflow.ErrNotFound) {
		return keys, nil
	}
	if err != nil {
		return nil, err
	}
	runs, err := c.SearchRuns(ctx, mlflow.SearchRunsRequest{ExperimentIDs: []string{exp.ID}})
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		if k, ok := r.Data.Tag(tracking.TagIdempotencyKey); ok {
			keys[k] = true
		}
	}
	return keys, nil
}

// demoSubmitError explains why the outbox did not take a demo result.
func demoSubmitError(err error, db string) error {
	if mlexp.ErrorCode(err) == mlexp.ECONFLICT {
		return fmt.Errorf("demo: the database %s holds demo results of another version of mlexp with other values (%s); "+
			"use a new --data-dir, or delete the demo experiment in MLflow and its database", db, mlexp.ErrorMessage(err))
	}
	return fmt.Errorf("demo: queueing the results in the database %s: %w", db, err)
}
