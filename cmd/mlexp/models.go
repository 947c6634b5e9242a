package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/explore"
	"github.com/mlexp-dev/mlexp/terminal"
)

// queryModels runs `mlexp models`.
func queryModels(ctx context.Context, args []string, e env) error {
	return runQueryCommand("models", args, modelsOptions(), modelsHelp, e, func(q *queryEnv) error {
		if err := q.noPositional(); err != nil {
			return err
		}
		ans, err := q.svc.Models(ctx)
		if err != nil {
			return q.fail(err)
		}
		if q.json {
			return q.printJSON(ans)
		}
		return terminal.Models(q.e.stdout, ans.Models, q.term)
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
		m.Name = cmp.Or(m.Name, m.ID)
		d.Name = cmp.Or(d.Name, d.ID)
		info, err := q.svc.Attach(ctx, m.ID, explore.AttachRequest{Experiment: q.args[0], ModelName: m.Name, Dataset: d})
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
