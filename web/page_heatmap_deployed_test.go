package web

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// deployedElsewhere is a cost heatmap of one cell: its cheapest run is a quick test
// ($1.52), its deployed run a full training ($38.22).
func deployedElsewhere() *mlexp.Heatmap {
	return &mlexp.Heatmap{Metric: "cost_usd", MetricLabel: "Cost", Direction: "min", Agg: "best", RunType: "all",
		XAxis: mlexp.AxisValues{Name: "config_id", Label: "Config Id", Values: []string{"config-011"}, Labels: []string{"config-011"}},
		YAxis: mlexp.AxisValues{Name: "cross_features", Label: "Cross Features", Values: []string{"none"}, Labels: []string{"No crosses"}},
		Cells: []mlexp.HeatmapCell{{X: "config-011", Y: "none", Value: new(mlexp.Number(1.52)), N: 2, RunID: "q11", RunName: "config-011 Quick Test #11",
			RunIDs: []string{"q11", "f3"}, Deployed: true, DeployedRunID: "f3", DeployedRunName: "config-011 Full Training #3", DeployedValue: new(mlexp.Number(38.22))}},
		Runs: 2, Plotted: 2}
}

// TestHeatmapTableAndCSVNameTheDeployedRun: the table view shows the cell's value in
// dollars and, apart, ● with the deployed run's own cost; the CSV names the deployed run
// and its value beside the run behind the cell's value.
func TestHeatmapTableAndCSVNameTheDeployedRun(t *testing.T) {
	h := deployedElsewhere()
	c := buildHeatmapTable(h, func(*mlexp.HeatmapCell) string { return "" }).Rows[0].Cells[0]
	if c.Text != "$1.52" || c.DeployedText != "● $38.22" || !strings.Contains(c.Title, "deployed: config-011 Full Training #3 $38.22") {
		t.Errorf("table cell %q, deployed %q, title %q", c.Text, c.DeployedText, c.Title)
	}
	b, err := heatmapCSV(h)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv: %v, %d rows", err, len(rows))
	}
	got := map[string]string{}
	for i, k := range rows[0] {
		got[k] = rows[1][i]
	}
	if got["run_name"] != "config-011 Quick Test #11" || got["value"] != "1.52" || got["deployed"] != "true" ||
		got["deployed_run_id"] != "f3" || got["deployed_run_name"] != "config-011 Full Training #3" || got["deployed_value"] != "38.22" {
		t.Errorf("csv row %v", got)
	}
}
