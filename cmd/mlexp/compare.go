package main

import (
	"context"
	"fmt"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/explore"
	"github.com/mlexp-dev/mlexp/terminal"
)

// queryCompare runs `mlexp compare RUN_ID...`.
func queryCompare(ctx context.Context, args []string, e env) error {
	return runQueryCommand("compare", args, compareOptions(), compareHelp, e, func(q *queryEnv) error {
		ids := q.args
		if n := len(ids); n < mlexp.MinCompareRuns || n > mlexp.MaxCompareRuns {
			return fmt.Errorf("compare: give %d to %d run ids, not %d: `mlexp compare RUN_ID RUN_ID...` (mlexp runs lists them)",
				mlexp.MinCompareRuns, mlexp.MaxCompareRuns, n)
		}
		fields := make([]string, len(ids), len(ids)+1)
		for i := range ids {
			fields[i] = fmt.Sprintf("RUN_ID %d", i+1)
		}
		all, err := q.resolveRunIDs(ctx, append(fields, "--baseline"), append(ids, q.s["baseline"].value))
		if err != nil {
			return err
		}
		c, err := q.svc.Compare(ctx, explore.CompareRequest{RunIDs: all[:len(ids)], BaselineID: all[len(ids)], Metric: q.s["metric"].value})
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
