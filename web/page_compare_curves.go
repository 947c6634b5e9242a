package web

import (
	"cmp"
	"context"
	"html/template"
	"strconv"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
)

// compareCurves is the "Training Curves" section of a comparison: the per-epoch curves of
// the compared full trainings overlaid, one chart a metric, one colour a run.
type compareCurves struct {
	Panels []template.HTML // inline SVGs (chart.CurvesSVG)
	Legend []curveLegend
	Note   string // why there are no curves, or that some runs are left out
}

type curveLegend struct{ Name, URL, Color string }

// trainingCurves reads and draws the curves of the compared full trainings; nil when none
// is compared. A failure to read them (MLflow down) becomes a note, not an error page.
func (s *server) trainingCurves(ctx context.Context, runs []mlexp.Run) *compareCurves {
	var full []mlexp.Run
	for _, r := range runs {
		if r.Type == mlexp.FullTrainingRun {
			full = append(full, r)
		}
	}
	if len(full) == 0 {
		return nil
	}
	c := &compareCurves{}
	if len(full) > mlexp.MaxCurveRuns {
		c.Note = "The curves show the first " + strconv.Itoa(mlexp.MaxCurveRuns) + " of the compared full trainings."
		full = full[:mlexp.MaxCurveRuns]
	}
	curves, err := s.explore.TrainingCurves(ctx, full)
	if err != nil {
		s.logger.WarnContext(ctx, "reading training curves", "err", err)
		return &compareCurves{Note: "The training curves cannot be read now: " + mlexp.ErrorMessage(err)}
	}
	ids := make([]string, len(full))
	for i, r := range full {
		ids[i] = r.ID
		c.Legend = append(c.Legend, curveLegend{Name: cmp.Or(r.Name, r.ID), URL: runURL(r.ID), Color: chart.RunColor(i)})
	}
	for _, m := range mlexp.CurveMetrics {
		svg, err := chart.CurvesSVG(m, ids, curves, chart.SVGOptions{ID: "curves-" + m})
		if err == nil {
			c.Panels = append(c.Panels, inlineSVG(svg))
		}
	}
	if len(c.Panels) == 0 {
		return &compareCurves{Note: "The compared full trainings logged no per-epoch history."}
	}
	return c
}
