package web

import (
	"html/template"
	"math"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/insight"
)

// paretoSeries are the points of a Pareto chart, the run type of each, and the indexes of
// the front's points, in order.
type paretoSeries struct {
	pts   []chart.ScatterPoint
	types []mlexp.RunType
	line  []int
}

// paretoSplit is how many times the cheapest full training must cost (or last) more than
// the dearest quick test for the two to get panels of their own.
const paretoSplit = 3.0

// paretoCharts draws a Pareto front's points against a resource (what: "cost" or
// "duration"). When quick tests and full trainings both appear and lie far apart on the
// resource, each gets a panel with its own scale (ids pareto-<what> for the quick tests,
// pareto-<what>-full), so that the quick tests do not pile up at the left of an axis the
// full trainings stretch; otherwise one chart (id pareto-<what>), on a log scale when the
// resource spans more than ten times. Durations tick at round values (chart.DurationTicks).
func paretoCharts(rep *insight.Report, what string, s paretoSeries, format func(float64) string, nice []float64, desc string) template.HTML {
	id := "pareto-" + what
	base := chart.Scatter{ID: id, Title: rep.MetricLabel + " against " + what, XLabel: strings.ToUpper(what[:1]) + what[1:], YLabel: rep.MetricLabel,
		XFormat: format, XNice: nice, YFormat: func(x float64) string { return mlexp.FormatMetric(rep.Metric, x) }, Desc: desc}
	quick, full := s.only(mlexp.QuickTestRun), s.only(mlexp.FullTrainingRun)
	if len(quick.pts) == 0 || len(full.pts) == 0 || minX(full.pts) < paretoSplit*maxX(quick.pts) {
		base.Points, base.Line = s.pts, s.line
		if lo, hi := minX(s.pts), maxX(s.pts); lo > 0 && hi > 10*lo {
			base.LogX, base.XLabel = true, base.XLabel+" (log scale)"
		}
		return inlineSVG(chart.ScatterSVG(base))
	}
	var out []byte
	for _, panel := range []struct {
		series     paretoSeries
		id, prefix string
	}{{quick, id, "Quick tests: "}, {full, id + "-full", "Full trainings: "}} {
		c := base
		c.ID, c.Title, c.Points, c.Line, c.Height = panel.id, panel.prefix+base.Title, panel.series.pts, panel.series.line, 280
		c.Desc = panel.prefix + desc
		out = append(out, chart.ScatterSVG(c)...)
	}
	return inlineSVG(out)
}

// only is the part of the series of one run type, the front's line kept among its points.
// The full trainings, being few, are all labelled.
func (s paretoSeries) only(t mlexp.RunType) paretoSeries {
	var out paretoSeries
	at := map[int]int{}
	for i, p := range s.pts {
		if s.types[i] == t {
			at[i] = len(out.pts)
			if t == mlexp.FullTrainingRun {
				p.Labelled = true
			}
			out.pts, out.types = append(out.pts, p), append(out.types, t)
		}
	}
	for _, i := range s.line {
		if j, ok := at[i]; ok {
			out.line = append(out.line, j)
		}
	}
	return out
}

func minX(pts []chart.ScatterPoint) float64 {
	m := math.Inf(1)
	for _, p := range pts {
		m = math.Min(m, p.X)
	}
	return m
}

func maxX(pts []chart.ScatterPoint) float64 {
	m := math.Inf(-1)
	for _, p := range pts {
		m = math.Max(m, p.X)
	}
	return m
}
