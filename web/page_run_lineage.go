package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
)

// runLineage is the lineage section of the run page: the graph, or a note saying why there
// is none.
type runLineage struct {
	SVG     template.HTML
	Note    string
	APIURL  string
	Linked  string // how the run was found in ML Metadata
	Summary string // e.g. "7 executions, 9 artifacts"
}

// lineageSection reads the run's lineage for its page; nil when the server has no ML
// Metadata store (the page then has no lineage section). A store that fails, or is off,
// leaves a note and the rest of the page intact.
func (s *server) lineageSection(ctx context.Context, runID string) *runLineage {
	if !s.explore.LineageConfigured() {
		return nil
	}
	out := &runLineage{APIURL: "/api/experiments/runs/" + runID + "/lineage/"}
	l, err := s.explore.Lineage(ctx, runID)
	var e *mlexp.Error
	switch {
	case err != nil && errors.As(err, &e) && e.Code != mlexp.EINTERNAL:
		out.Note = "Lineage is not available: " + e.Message
		return out
	case err != nil:
		s.logger.ErrorContext(ctx, "lineage of the run page", "run_id", runID, "err", err)
		out.Note = "Lineage could not be read (an internal error, logged)."
		return out
	case l.LinkedBy == mlexp.LinkNone:
		out.Note = "This run has no lineage in ML Metadata: no execution or artifact matches its mlmd.* tags, its run id or its model URI."
		return out
	}
	svg, err := chart.LineageSVG(l, chart.SVGOptions{ID: "run-lineage", Title: "Lineage of this run's model"})
	if err != nil {
		out.Note = "The lineage graph could not be drawn: " + err.Error()
		return out
	}
	execs := 0
	for _, n := range l.Nodes {
		if n.Kind == mlexp.LineageExecution {
			execs++
		}
	}
	out.SVG, out.Linked = inlineSVG(svg), mlexp.LinkLabel(l.LinkedBy)
	out.Summary = fmt.Sprintf("%d executions, %d artifacts", execs, len(l.Nodes)-execs)
	if l.Truncated {
		out.Summary += " (cut at the bound on nodes: the oldest ancestors are left out)"
	}
	return out
}
