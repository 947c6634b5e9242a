package terminal

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/golden"
)

func TestHeatmap(t *testing.T) {
	h := termHeatmap(t, mlexp.HeatmapQuery{})
	plain := termRender(t, func(b *bytes.Buffer) error { return Heatmap(b, h, Options{Now: termNow}) })
	golden.Check(t, "heatmap.txt", []byte(plain))
	termCheckPlain(t, plain)
	for _, want := range []string{"★47.3%", "●46.2%", "38.2%", "user:128", "prod:64", "No crosses", "│ cat × subcat + user × │", "│ city ",
		"★ Best | ● Deployed", "Legend: █████ ≥46% ████ 44-46% ███ 42-44% ██ 40-42% █ <40%", "15 runs, 14 plotted, 1 failed",
		"(failed)"} {
		if !strings.Contains(plain, want) {
			t.Errorf("heatmap lacks %q:\n%s", want, plain)
		}
	}

	color := termRender(t, func(b *bytes.Buffer) error {
		return Heatmap(b, h, Options{Color: true, Now: termNow})
	})
	golden.Check(t, "heatmap_color.txt", []byte(color))
	for _, want := range []string{"\x1b[38;5;220m█████\x1b[0m", "\x1b[38;5;53m█\x1b[0m", "\x1b[1;38;5;220m★\x1b[0m", "\x1b[1;38;5;39m●\x1b[0m"} {
		if !strings.Contains(color, want) {
			t.Errorf("coloured heatmap lacks %q", want)
		}
	}
	if stripped := termStrip(color); stripped != plain {
		t.Errorf("the coloured heatmap without its escapes differs from the plain one:\n%s", stripped)
	}
}

// TestHeatmapLoss checks that the bars grow for lower values when lower is better.
func TestHeatmapLoss(t *testing.T) {
	h := termHeatmap(t, mlexp.HeatmapQuery{Metric: "loss", XAxis: "cross_features", YAxis: "embedding_dims"})
	out := termRender(t, func(b *bytes.Buffer) error { return Heatmap(b, h, Options{Width: 60}) })
	termCheckPlain(t, out)
	best := h.Best
	scale := newTermHeatScale(h)
	if lv := scale.level(float64(*best.Value)); lv != termHeatLevels {
		t.Errorf("best loss %v has level %d, want %d", *best.Value, lv, termHeatLevels)
	}
	if !strings.Contains(out, "█████ <") {
		t.Errorf("legend of a loss heatmap should start with the lowest values:\n%s", out)
	}
	for i, l := range strings.Split(out, "\n") {
		if StringWidth(l) > 80 {
			t.Errorf("line %d is wider than needed: %q", i+1, l)
		}
	}
}

func TestHeatmapEdgeCases(t *testing.T) {
	empty := &mlexp.Heatmap{Metric: "recall_at_100", MetricLabel: "Recall@100", Agg: "best", RunType: "all"}
	out := termRender(t, func(b *bytes.Buffer) error { return Heatmap(b, empty, Options{}) })
	if !strings.Contains(out, "No runs to plot.") {
		t.Errorf("empty heatmap:\n%s", out)
	}
	// One cell: the whole range is one value.
	runs := termRuns()[:1]
	q := mlexp.HeatmapQuery{}
	if err := q.Check(runs); err != nil {
		t.Fatal(err)
	}
	out = termRender(t, func(b *bytes.Buffer) error { return Heatmap(b, mlexp.BuildHeatmap(runs, q), Options{}) })
	termCheckPlain(t, out)
	if !strings.Contains(out, "Legend: █████ 38.2%") {
		t.Errorf("one-cell heatmap:\n%s", out)
	}
	// Long labels are truncated with "…" and the box stays aligned.
	long := termRuns()[:3]
	long[0].Params = long[0].Params.With("cross_features", "a_very_long_feature_name_for_testing_x_another_extremely_long_feature_name")
	long[0].Prepare()
	q = mlexp.HeatmapQuery{}
	if err := q.Check(long); err != nil {
		t.Fatal(err)
	}
	out = termRender(t, func(b *bytes.Buffer) error { return Heatmap(b, mlexp.BuildHeatmap(long, q), Options{}) })
	termCheckPlain(t, out)
	if !strings.Contains(out, "…") {
		t.Errorf("long label not truncated:\n%s", out)
	}
}

// TestHeatmapDeployedMarkGoesWithTheDeployedValue: a config's cost cell shows its cheaper
// quick test ($1.52); ● stands with the deployed full training's own cost ($38.22), never
// beside the quick test's.
func TestHeatmapDeployedMarkGoesWithTheDeployedValue(t *testing.T) {
	h := &mlexp.Heatmap{Metric: "cost_usd", MetricLabel: "Cost", Direction: "min", Agg: "best", RunType: "all",
		XAxis: mlexp.AxisValues{Name: "config_id", Label: "Config Id", Values: []string{"config-011"}, Labels: []string{"config-011"}},
		YAxis: mlexp.AxisValues{Name: "cross_features", Label: "Cross Features", Values: []string{"none"}, Labels: []string{"No crosses"}},
		Cells: []mlexp.HeatmapCell{{X: "config-011", Y: "none", Value: new(mlexp.Number(1.52)), N: 2, RunID: "q11",
			RunIDs: []string{"q11", "f3"}, Deployed: true, DeployedRunID: "f3", DeployedValue: new(mlexp.Number(38.22))}},
		Runs: 2, Plotted: 2}
	out := termRender(t, func(b *bytes.Buffer) error { return Heatmap(b, h, Options{Now: termNow}) })
	if strings.Contains(out, "●$1.52") || !strings.Contains(out, "$1.52") || !strings.Contains(out, "●$38.22") {
		t.Errorf("want $1.52 and, apart, ●$38.22:\n%s", out)
	}
	h.Cells = append(h.Cells, h.Cells[0])
	h.XAxis.Values, h.XAxis.Labels = append(h.XAxis.Values, "config-012"), append(h.XAxis.Labels, "config-012")
	h.Cells[1].X, h.Cells[1].Value, h.Cells[1].Deployed = "config-012", new(mlexp.Number(37.49)), false
	out = termRender(t, func(b *bytes.Buffer) error { return Heatmap(b, h, Options{Now: termNow}) })
	if !strings.Contains(out, "Legend: █████ <$10.00 ████ $10.00-$20.00") {
		t.Errorf("the legend of a cost heatmap should be in dollars:\n%s", out)
	}
}
