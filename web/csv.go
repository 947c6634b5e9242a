package web

import (
	"bytes"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// The CSV exports: the runs table (API, format=csv) and the heatmap (the dashboard's CSV).

// runsCSV streams runs as CSV to w: attributes, then one column per param and per metric. Cells
// that a spreadsheet would run as a formula are neutralised.
func runsCSV(w io.Writer, runs []mlexp.Run) error {
	params, metrics := map[string]bool{}, map[string]bool{}
	for _, r := range runs {
		for k := range r.Params.All() {
			params[k] = true
		}
		for k := range r.Metrics.All() {
			metrics[k] = true
		}
	}
	paramCols, metricCols := sortedSet(params), sortedSet(metrics)
	cw := csv.NewWriter(w)
	header := []string{"run_id", "run_name", "run_type", "config_id", "config_name", "status", "start_time", "end_time",
		"duration_seconds", "cost_usd", "is_deployed", "failure_stage", "failure_reason"}
	for _, p := range paramCols {
		header = append(header, "params."+p)
	}
	for _, m := range metricCols {
		header = append(header, "metrics."+m)
	}
	_ = cw.Write(csvSafe(header))
	for _, r := range runs {
		row := []string{r.ID, r.Name, string(r.Type), r.ConfigID, r.ConfigName, r.Status, csvTime(r.Start), csvTime(r.End),
			csvDuration(r), csvCost(r.CostUSD), strconv.FormatBool(r.Deployed), "", ""}
		if r.Failure != nil {
			row[11], row[12] = r.Failure.Stage, r.Failure.Reason
		}
		for _, p := range paramCols {
			row = append(row, r.Params.Get(p))
		}
		for _, m := range metricCols {
			v, ok := r.Metrics.Lookup(m)
			cell := ""
			if ok {
				cell = strconv.FormatFloat(v, 'g', -1, 64)
			}
			row = append(row, cell)
		}
		_ = cw.Write(csvSafe(row))
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe prefixes with a quote every cell that starts like a formula (= + - @, tab, CR),
// unless it is a plain number.
func csvSafe(row []string) []string {
	for i, c := range row {
		if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			continue
		}
		if _, err := strconv.ParseFloat(c, 64); err == nil {
			continue
		}
		row[i] = "'" + c
	}
	return row
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func csvDuration(r mlexp.Run) string {
	if d := r.Duration(); d > 0 {
		return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
	}
	return ""
}

func csvCost(c *float64) string {
	if c == nil {
		return ""
	}
	return strconv.FormatFloat(*c, 'f', -1, 64)
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, mlexp.NaturalCompare)
	return out
}

// safeFilename keeps letters, digits, '-', '_' and '.' of name.
func safeFilename(name string) string {
	b := []rune{}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b = append(b, r)
		case r == ' ':
			b = append(b, '_')
		}
	}
	if len(b) == 0 {
		return "experiment"
	}
	return string(b)
}

// heatmapCSV writes one row per cell, empty cells included, with the cell's aggregate and
// spread; run_id and run_name are the run behind the value, deployed_run_id,
// deployed_run_name and deployed_value the deployed run of the cell, when it holds it. Cells that a spreadsheet would run as a formula are neutralised.
func heatmapCSV(h *mlexp.Heatmap) ([]byte, error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write(csvSafe([]string{"x_axis", "x", "x_label", "y_axis", "y", "y_label", "metric", "agg", "value", "n",
		"min", "max", "mean", "std", "best", "deployed", "failed", "missing_metric", "run_id", "run_name", "run_ids",
		"deployed_run_id", "deployed_run_name", "deployed_value"}))
	num := func(n *mlexp.Number) string {
		if n == nil || !finiteNumber(*n) {
			return ""
		}
		return strconv.FormatFloat(float64(*n), 'g', -1, 64)
	}
	nx := len(h.XAxis.Values)
	for i := range h.Cells {
		c := &h.Cells[i]
		xi, yi := i%nx, i/nx
		_ = cw.Write(csvSafe([]string{h.XAxis.Name, c.X, h.XAxis.Labels[xi], h.YAxis.Name, c.Y, h.YAxis.Labels[yi], h.Metric, h.Agg,
			num(c.Value), strconv.Itoa(c.N), num(c.Min), num(c.Max), num(c.Mean), num(c.Std), strconv.FormatBool(c.Best),
			strconv.FormatBool(c.Deployed), strconv.Itoa(c.Failed), strconv.Itoa(c.MissingMetric), c.RunID, c.RunName,
			strings.Join(c.RunIDs, " "), c.DeployedRunID, c.DeployedRunName, num(c.DeployedValue)}))
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}
