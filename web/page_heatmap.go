package web

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
)

// heatmapTable is the heatmap as an HTML table ("View as Table"): rows are the Y axis,
// columns the X axis.
type heatmapTable struct {
	XLabel, YLabel string
	Columns        []string
	Rows           []heatmapRow
}

type heatmapRow struct {
	Label string
	Cells []heatmapTableCell
}

type heatmapTableCell struct {
	Text, URL, Title string
	Level            int // 0 (worst) to 4 (best) among the cells with a value
	Empty            bool
	Best, Deployed   bool
	DeployedText     string // "●" when Text is the deployed run's value, else "● $38.22" (its own)
}

func buildHeatmapTable(h *mlexp.Heatmap, link func(*mlexp.HeatmapCell) string) *heatmapTable {
	t := &heatmapTable{XLabel: h.XAxis.Label, YLabel: h.YAxis.Label, Columns: h.XAxis.Labels}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range h.Cells {
		if !c.Empty && c.Value != nil && finiteNumber(*c.Value) {
			lo, hi = math.Min(lo, float64(*c.Value)), math.Max(hi, float64(*c.Value))
		}
	}
	nx := len(h.XAxis.Values)
	for yi, label := range h.YAxis.Labels {
		row := heatmapRow{Label: label}
		for xi := range nx {
			c := &h.Cells[yi*nx+xi]
			tc := heatmapTableCell{Text: mlexp.NoValue, URL: link(c), Empty: c.Empty, Best: c.Best, Deployed: c.Deployed, Title: cellTitle(h.Metric, c)}
			if !c.Empty && c.Value != nil {
				v := float64(*c.Value)
				tc.Text = mlexp.FormatMetric(h.Metric, v)
				pos := 1.0
				if hi > lo && finiteNumber(*c.Value) {
					pos = (v - lo) / (hi - lo)
				}
				if mlexp.LowerIsBetter(h.Metric) {
					pos = 1 - pos
				}
				tc.Level = int(math.Round(pos * 4))
			}
			if c.Deployed {
				tc.DeployedText = "●"
				if !c.ShowsDeployed() {
					tc.DeployedText = "● " + mlexp.NoValue
					if c.DeployedValue != nil {
						tc.DeployedText = "● " + mlexp.FormatMetric(h.Metric, float64(*c.DeployedValue))
					}
				}
			}
			row.Cells = append(row.Cells, tc)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func finiteNumber(n mlexp.Number) bool {
	return !math.IsNaN(float64(n)) && !math.IsInf(float64(n), 0)
}

// cellTitle is the tooltip of a cell: how many runs, their spread, and what was left out.
func cellTitle(metric string, c *mlexp.HeatmapCell) string {
	var parts []string
	if c.N > 0 {
		runs := "1 run"
		if c.N > 1 {
			runs = strconv.Itoa(c.N) + " runs"
		}
		parts = append(parts, runs)
		if c.N > 1 && c.Min != nil && c.Max != nil && c.Mean != nil {
			parts = append(parts, fmt.Sprintf("%s – %s, mean %s", mlexp.FormatMetric(metric, float64(*c.Min)),
				mlexp.FormatMetric(metric, float64(*c.Max)), mlexp.FormatMetric(metric, float64(*c.Mean))))
		}
	}
	if c.Failed > 0 {
		parts = append(parts, strconv.Itoa(c.Failed)+" failed")
	}
	if c.MissingMetric > 0 {
		parts = append(parts, strconv.Itoa(c.MissingMetric)+" without "+mlexp.MetricLabel(metric))
	}
	if c.Deployed {
		d := "deployed: " + cmp.Or(c.DeployedRunName, c.DeployedRunID)
		if c.DeployedValue != nil {
			d += " " + mlexp.FormatMetric(metric, float64(*c.DeployedValue))
		}
		parts = append(parts, d)
	}
	if len(parts) == 0 {
		return "no runs"
	}
	return strings.Join(parts, "; ")
}

// handleHeatmapExport downloads the heatmap of the dashboard's parameters as SVG, PNG or
// CSV (the route's last path element says which).
func (s *server) handleHeatmapExport(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ans, err := s.explore.Heatmap(r.Context(), targetOf(r), heatmapQueryOf(r.URL.Query()))
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		h, exp := ans.Heatmap, ans.Experiment
		opts := chart.SVGOptions{Title: heatmapTitle(h) + " — " + exp.ExperimentName}
		var body []byte
		var contentType string
		switch format {
		case "svg":
			body, err = chart.HeatmapSVG(h, opts)
			contentType = "image/svg+xml"
		case "png":
			body, err = chart.HeatmapPNG(h, opts)
			contentType = "image/png"
		case "csv":
			body, err = heatmapCSV(h)
			contentType = "text/csv; charset=utf-8"
		}
		if err != nil && format == "png" && mlexp.ErrorCode(err) == mlexp.EINTERNAL {
			// Say what failed and what else works; the cause goes to the log only.
			s.logger.ErrorContext(r.Context(), "drawing the heatmap PNG", "path", r.URL.Path, "err", err)
			s.render(w, r, http.StatusInternalServerError, viewError, errorPage{Layout: pageLayout{Title: "PNG export failed"},
				Status: http.StatusInternalServerError, Heading: "PNG export failed",
				Message: "The heatmap could not be drawn as a PNG image; the cause has been logged.",
				Hint:    "The SVG and CSV exports of the same heatmap may still work."})
			return
		}
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		hd := w.Header()
		hd.Set("Content-Type", contentType)
		hd.Set("Content-Disposition", `attachment; filename="`+safeFilename(exp.ExperimentName)+"-heatmap-"+safeFilename(h.Metric)+"."+format+`"`)
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Content-Security-Policy", "sandbox") // an SVG opened directly runs nothing
		_, _ = w.Write(body)
	}
}
