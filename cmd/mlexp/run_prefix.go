package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/mlexp-dev/mlexp"
)

// resolveDeployRunID is the run id that deploy's RUN_ID names: itself when whole, else the
// one run of the model (--model, or MLflow's only model) whose id starts with it.
func resolveDeployRunID(ctx context.Context, src mlexp.RunSource, model, arg string) (string, error) {
	if len(arg) >= mlexp.RunIDLength {
		return arg, nil
	}
	var me *mlexp.Error
	if err := mlexp.CheckRunIDPrefixes([]string{"RUN_ID"}, []string{arg}); errors.As(err, &me) {
		return "", fmt.Errorf("deploy: %s", me.Message)
	}
	if model == "" {
		models, err := src.Models(ctx)
		if err != nil {
			return "", fmt.Errorf("deploy: RUN_ID %q is a prefix, and the models could not be read to look it up: %w", arg, err)
		}
		if len(models) != 1 {
			return "", fmt.Errorf("deploy: RUN_ID %q is a prefix: say the model whose runs it is looked up in with --model (MLflow has %d models)", arg, len(models))
		}
		model = models[0].ID
	}
	ids, err := mlexp.ResolveRunIDs(ctx, src, model, []string{"RUN_ID"}, []string{arg})
	switch {
	case errors.As(err, &me) && me.Field == "model":
		return "", fmt.Errorf("deploy: --model: %s", me.Message)
	case errors.As(err, &me) && me.Field == "RUN_ID":
		return "", fmt.Errorf("deploy: %s", me.Message)
	case err != nil:
		return "", fmt.Errorf("deploy: %w", err)
	}
	return ids[0], nil
}
