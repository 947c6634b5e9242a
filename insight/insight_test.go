package insight

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

func TestAnalyzeRefusesBadQueries(t *testing.T) {
	runs := noiseRuns()
	for _, c := range []struct {
		q     Query
		field string
	}{
		{Query{Metric: "recall_at_7"}, "metric"},
		{Query{RunType: "sweep"}, "run_type"},
		{Query{XAxis: "colour"}, "x_axis"},
		{Query{Agg: "max"}, "agg"},
		{Query{Limit: MaxNextLimit + 1}, "limit"},
	} {
		_, err := Analyze(runs, c.q)
		var me *mlexp.Error
		if !errors.As(err, &me) || me.Code != mlexp.EINVALID || me.Field != c.field || (c.field != "limit" && me.Details["valid"] == nil) {
			t.Errorf("%+v: %v, want EINVALID on %s listing the valid values", c.q, err, c.field)
		}
	}
}

func TestAnalyzeDefaults(t *testing.T) {
	rep, err := Analyze(noiseRuns(), Query{})
	if err != nil {
		t.Fatal(err)
	}
	// 16 runs: 11 quick tests count; the failed, running, NaN and Inf runs and the full training do not.
	if rep.Metric != mlexp.MetricRecallAt100 || rep.RunType != string(mlexp.QuickTestRun) || rep.Runs != 16 || rep.Counted != 11 ||
		rep.Direction != "max" || !rep.IsFraction || rep.Noise.BestConfig != "A" {
		t.Errorf("report: %+v", rep)
	}
	// Without quick tests, every run type is analysed.
	var rs runs
	rs.full("A", 0.4)
	rs.full("B", 0.5)
	rep, err = Analyze(rs.list, Query{})
	if err != nil || rep.RunType != mlexp.RunTypeAll || rep.Noise.BestConfig != "B" {
		t.Errorf("full trainings only: %+v, %v", rep, err)
	}
	// Runs without a config: each its own group, named by its run.
	rs = runs{}
	rs.full("", 0.4).Name = "lonely"
	rep, err = Analyze(rs.list, Query{RunType: mlexp.RunTypeAll})
	if err != nil || len(rep.Noise.Configs) != 1 || rep.Noise.Configs[0].ConfigName != "lonely" || rep.Noise.Configs[0].ConfigID != "run:r01" {
		t.Errorf("run without config: %+v, %v", rep.Noise.Configs, err)
	}
}

// TestReportJSON checks that a report of runs with NaN and single runs encodes (JSON has
// no NaN) and reads back with the documented names.
func TestReportJSON(t *testing.T) {
	var rs runs
	rs.quick("A", 0.4)
	rs.quick("B", math.NaN())
	rs.full("A", 0.41)
	rep, err := Analyze(rs.list, Query{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"metric", "run_type", "counted", "fidelity", "noise", "effects", "next", "pareto", "gain", "triage"} {
		if _, ok := back[k]; !ok {
			t.Errorf("no %q in %s", k, b)
		}
	}
	noise := back["noise"].(map[string]any)
	c := noise["configs"].([]any)[0].(map[string]any)
	if c["sd"] != nil || c["ci_low"] != nil || c["mean"] != 0.4 {
		t.Errorf("a single run's config: %v", c)
	}
}

func TestFormatSize(t *testing.T) {
	for _, c := range []struct {
		metric string
		d      float64
		want   string
	}{{"recall_at_100", 0.006, "0.6 pp"}, {"recall_at_100", -0.006, "0.6 pp"}, {"loss", 0.0123, "0.012"},
		{"recall_at_100", math.NaN(), "—"}, {"loss", math.Inf(1), "—"}} {
		if got := FormatSize(c.metric, c.d); got != c.want {
			t.Errorf("FormatSize(%s, %v) = %q, want %q", c.metric, c.d, got, c.want)
		}
	}
}
