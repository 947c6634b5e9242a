package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/mlexp-dev/mlexp"
	demodata "github.com/mlexp-dev/mlexp/demo"
	"github.com/mlexp-dev/mlexp/explore"
	"github.com/mlexp-dev/mlexp/mlmd"
	"github.com/mlexp-dev/mlexp/terminal"
)

// mlmdOption is the flag of the ML Metadata store that lineage reads.
func mlmdOption() option {
	return option{name: "mlmd-db", arg: "PATH", env: "MLEXP_MLMD_DB",
		usage: "the ML Metadata store (schema 10) that lineage reads, read-only: a SQLite file path or a postgres:// URL; default: none, lineage off"}
}

// openLineage opens the ML Metadata store at dsn ("" is none: lineage is off, not
// configured). A store that cannot be read, or has another schema version, turns lineage
// off with its reason, logged once here and answered by every lineage query; nothing else
// depends on it.
func openLineage(ctx context.Context, dsn string, log *slog.Logger) (mlexp.LineageStore, func()) {
	if dsn == "" {
		return nil, func() {}
	}
	store, err := mlmd.Open(ctx, dsn)
	if err != nil {
		log.Warn("lineage is off", "err", err)
		return mlmd.Off{Err: err}, func() {}
	}
	return store, func() { _ = store.Close() }
}

func lineageOptions() []option {
	return append([]option{queryMLflowOption(), mlmdOption(), runPrefixModelOption()}, queryOutputOptions()...)
}

// queryLineage runs `mlexp lineage RUN_ID`.
func queryLineage(ctx context.Context, args []string, e env) error {
	return runQueryCommand("lineage", args, lineageOptions(), lineageHelp, e, func(q *queryEnv) error {
		if len(q.args) != 1 {
			return fmt.Errorf("lineage: give one run id, not %d: `mlexp lineage RUN_ID` (mlexp runs lists them)", len(q.args))
		}
		ids, err := q.resolveRunIDs(ctx, []string{"RUN_ID"}, q.args)
		if err != nil {
			return err
		}
		l, err := q.svc.Lineage(ctx, ids[0])
		if err != nil {
			return q.fail(err)
		}
		if q.json {
			return q.printJSON(l)
		}
		if err := terminal.Title(q.e.stdout, q.term, "Lineage"); err != nil {
			return err
		}
		return terminal.Lineage(q.e.stdout, l, q.term)
	})
}

func lineageHelp(w io.Writer, e env) {
	fmt.Fprint(w, `Usage: mlexp lineage RUN_ID [flags]

Shows the ML Metadata lineage of a run's model: the Trainer execution and everything
upstream of it (examples with their span and version, schema, transform graph, back to the
dataset), and downstream its evaluation, blessing and push. The run is found by its
mlmd.execution_id or mlmd.model_artifact_id tag, else an execution whose external_id or
custom property is the run id, else the artifact whose URI is its model URI
(docs/lineage.md). RUN_ID may be the start of a run id, 8 characters or more: it names the
one run of --model (default: MLflow's only model) whose id starts with it.

`)
	writeOptions(w, lineageOptions())
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

// blessingOption reads --require-blessing.
func blessingOption(v setting) ([]explore.BestOption, error) {
	switch v.value {
	case "false", "":
		return nil, nil
	case "true":
		return []explore.BestOption{explore.RequireBlessing()}, nil
	}
	return nil, v.errorf("not true or false")
}

// printBestLineage writes what ML Metadata records of the picked and the deployed run:
// blessed or not, and where and when each was pushed.
func printBestLineage(w io.Writer, bl *explore.BestLineage, o terminal.Options) error {
	if bl == nil {
		return nil
	}
	for _, r := range []struct {
		who string
		rec *mlexp.ModelRecords
	}{{"picked run", bl.Run}, {"deployed run", bl.Deployed}} {
		switch {
		case r.rec == nil:
			continue
		case r.rec.LinkedBy == mlexp.LinkNone:
			fmt.Fprintf(w, "ML Metadata, %s: no lineage\n", r.who)
			continue
		}
		blessed := "not blessed"
		if r.rec.Blessed {
			blessed = "blessed"
		}
		fmt.Fprintf(w, "ML Metadata, %s: %s, %d push(es)\n", r.who, blessed, len(r.rec.Pushes))
		for _, p := range r.rec.Pushes {
			terminal.Paragraph(w, o, "  ", fmt.Sprintf("pushed %s  %s  %s", p.URI, strings.Join(p.KeyProperties(3), " "), p.Created.UTC().Format("2006-01-02 15:04")))
		}
	}
	return nil
}

// writeDemoPipeline writes the demo's ML Metadata pipeline to --mlmd-spec, if asked.
func writeDemoPipeline(cfg demoConfig) error {
	if cfg.mlmdSpec == "" {
		return nil
	}
	path, err := filepath.Abs(cfg.mlmdDB)
	if err != nil {
		return fmt.Errorf("demo: --mlmd-db: %w", err)
	}
	b, err := json.MarshalIndent(demodata.Pipeline(cfg.seed, path), "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(cfg.mlmdSpec, b, 0o644); err != nil {
		return fmt.Errorf("demo: --mlmd-spec: %w", err)
	}
	return nil
}
