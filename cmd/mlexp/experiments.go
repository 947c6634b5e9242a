package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/explore"
	"github.com/mlexp-dev/mlexp/terminal"
)

// The commands of one experiment: summary, heatmap and runs.

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
		x, err := q.open(ctx)
		if err != nil {
			return err
		}
		ans, err := x.Summary(q.s["metric"].value, recent)
		return q.show(ans, err, "Experiments", func() error { return terminal.Summary(q.e.stdout, ans.Summary, q.term) })
	})
}

// queryHeatmap runs `mlexp heatmap`.
func queryHeatmap(ctx context.Context, args []string, e env) error {
	return runQueryCommand("heatmap", args, heatmapOptions(), heatmapHelp, e, func(q *queryEnv) error {
		if err := q.noPositional(); err != nil {
			return err
		}
		x, err := q.open(ctx)
		if err != nil {
			return err
		}
		ans, err := x.Heatmap(&mlexp.HeatmapQuery{Metric: q.s["metric"].value, XAxis: q.s["x-axis"].value, YAxis: q.s["y-axis"].value,
			RunType: q.s["run-type"].value, Agg: q.s["agg"].value})
		return q.show(ans, err, "Experiments", func() error { return terminal.Heatmap(q.e.stdout, ans.Heatmap, q.term) })
	})
}

// experimentAnswer is an answer about one experiment, which says which one it is.
type experimentAnswer interface{ ExperimentRef() mlexp.ExperimentRef }

// show prints an answer of the use cases: its error for the user, the API's JSON with
// --json, else the screen's title and draw.
func (q *queryEnv) show(ans experimentAnswer, err error, title string, draw func() error) error {
	if err != nil {
		return q.fail(err)
	}
	if q.json {
		return q.printJSON(ans)
	}
	if err := q.title(title, ans.ExperimentRef()); err != nil {
		return err
	}
	return draw()
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
		x, err := q.open(ctx)
		if err != nil {
			return err
		}
		ans, err := x.Runs(explore.RunsRequest{Query: mlexp.RunsQuery{Type: q.s["type"].value, Status: q.s["status"].value,
			Search: q.s["search"].value, Sort: q.s["sort"].value, Order: q.s["order"].value, Page: page, PageSize: size}})
		if err != nil {
			return q.fail(err)
		}
		if q.json {
			return q.printJSON(ans)
		}
		return q.printRuns(ans)
	})
}

// printRuns draws a page of the runs table under its filter line.
func (q *queryEnv) printRuns(ans *explore.RunsAnswer) error {
	rq := ans.Query
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
	if err := q.title("MLflow Experiments", ans.Experiment, line); err != nil {
		return err
	}
	if err := terminal.Runs(q.e.stdout, ans.RunsPage, q.term); err != nil {
		return err
	}
	if len(ans.Runs) >= 2 {
		_, err := fmt.Fprintf(q.e.stdout, "Compare runs: mlexp compare RUN_ID RUN_ID...\n")
		return err
	}
	return nil
}
