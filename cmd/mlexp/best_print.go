package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/terminal"
)

// printBest writes the selection for people, wrapped at the width of o: the run to deploy,
// how it compares, the gates and the tie rule.
func printBest(w io.Writer, b *mlexp.Best, o terminal.Options) error {
	para := func(first, format string, args ...any) { terminal.Paragraph(w, o, first, fmt.Sprintf(format, args...)) }
	metric := mlexp.MetricLabel(b.Query.Metric)
	if !b.Eligible {
		para("", "%s.", b.Reason)
	} else {
		r := b.Run
		para("★ ", "%s  %s %s", r.RunName, metric, r.ValueText)
		para("  ", "run %s · %s · config %s", r.RunID, r.RunType.Label(), r.ConfigName)
		model := "model " + r.ModelURI
		if r.Model != nil {
			model += " (" + strings.ReplaceAll(r.Model.Source, "_", " ") + ")"
		}
		if r.DatasetVersion != "" {
			model += fmt.Sprintf(" · dataset %s version %s", r.DatasetID, r.DatasetVersion)
		}
		para("  ", "%s", model)
		if u := b.RunnerUp; u != nil {
			para("  ", "%s over the runner-up, %s (%s)", b.Lead.Text, u.RunName, u.ValueText)
		}
		switch {
		case r.IsDeployed:
			para("  ", "it is the deployed run")
		case b.Deployed != nil && b.OverDeployed != nil:
			para("  ", "%s over the deployed run, %s (%s)", b.OverDeployed.Text, b.Deployed.RunName, b.Deployed.ValueText)
		case b.Deployed != nil:
			para("  ", "the deployed run, %s, has no %s to compare with", b.Deployed.RunName, metric)
		default:
			para("  ", "no run of the model is deployed")
		}
	}
	fmt.Fprintf(w, "\nGates (of %d runs):\n", b.Considered)
	removedW := 0
	for _, g := range b.Gates {
		removedW = max(removedW, len(fmt.Sprint(g.Removed)))
	}
	for _, g := range b.Gates { // the rule last, wrapped under itself
		para(fmt.Sprintf("  %-10s removed %-*d  ", g.Gate, removedW, g.Removed), "%s", g.Rule)
	}
	para("", "Ties: %s.", mlexp.BestTieBreak)
	if b.Eligible && !b.Run.IsDeployed {
		para("", "Promote it: mlexp deploy %s", b.Run.RunID)
	}
	return nil
}
