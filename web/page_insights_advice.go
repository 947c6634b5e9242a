package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/insight"
)

// nextView is a suggestion of what to try next, formatted.
type nextView struct {
	Changes []string
	Gain    string
	Reason  string
	ID      string // of the element holding Config
	Config  string // the feature_config and quick_test parts of a quick-test report, as JSON to copy
}

// frontView is a Pareto front: its chart and its runs.
type frontView struct {
	Title string
	SVG   template.HTML
	Runs  []frontRun
}

type frontRun struct{ Name, URL, Value, Resource string }

// adviceSections holds the sections of the Insights page that advise past effects: what to try next, the
// Pareto fronts with the gain per dollar, and failure triage.
type adviceSections struct {
	NextFrom    string
	Next        []nextView
	NextNote    string
	Fronts      []frontView
	Gain        string
	Assumptions []string
	Triage      []string
	TriageHead  string
}

func buildAdvice(rep *insight.Report) adviceSections {
	var m adviceSections
	if n := rep.Next; n != nil {
		if n.Best != nil {
			m.NextFrom = fmt.Sprintf("From the best cell by %s (%s · %s), config %s.", n.Query.Agg, mlexp.AxisLabel(n.Query.XAxis, n.Best.X),
				mlexp.AxisLabel(n.Query.YAxis, n.Best.Y), n.BaseConfig)
		}
		m.NextNote = n.Note
		for _, s := range n.Suggestions {
			v := nextView{Reason: s.Reason, Gain: mlexp.NoValue}
			for _, c := range s.Changes {
				v.Changes = append(v.Changes, c.Param+": "+cmp.Or(c.From, "—")+" → "+cmp.Or(c.To, "—"))
			}
			if s.ExpectedGain != nil {
				v.Gain = fmt.Sprintf("%+.1f %s", float64(*s.ExpectedGain), s.Unit)
			}
			if s.FeatureConfig != nil {
				v.ID = fmt.Sprintf("next-config-%d", len(m.Next)+1)
				v.Config = suggestionJSON(s)
			}
			m.Next = append(m.Next, v)
		}
	}
	for _, f := range []insight.ParetoFront{rep.Pareto.Cost, rep.Pareto.Duration} {
		m.Fronts = append(m.Fronts, frontOf(rep, f))
	}
	g := rep.Gain
	m.Gain = "Gain per dollar: " + g.Reason
	if g.Available && g.Gain != nil && g.Cost != nil && g.GainPerDollar != nil {
		unit := ""
		if g.Unit == mlexp.UnitPP {
			unit = " pp"
		}
		what := "A full training of %s is expected to score"
		if g.Measured {
			what = "The full training of %s measured"
		}
		m.Gain = fmt.Sprintf(what+" %+.1f%s against the deployed run (%s), for about %s: %.3g%s per dollar.",
			g.WinnerConfigID, float64(*g.Gain), unit, g.DeployedConfigID, mlexp.FormatCost((*float64)(g.Cost)), float64(*g.GainPerDollar), unit)
	}
	m.Assumptions = g.Assumptions
	t := rep.Triage
	m.TriageHead = fmt.Sprintf("%d of %s failed.", t.Failed, mlexp.Plural(t.Runs, "completed run", "completed runs"))
	for _, gs := range [][]insight.FailureGroup{t.Reasons, t.Axes} {
		for _, g := range gs {
			m.Triage = append(m.Triage, g.Summary)
		}
	}
	return m
}

// maxDominatedDrawn bounds the runs off the front that a Pareto chart draws.
const maxDominatedDrawn = 400

// ordinal writes 2 as "2nd", 3 as "3rd", 11 as "11th".
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		suffix = map[int]string{1: "st", 2: "nd", 3: "rd"}[n%10]
		if suffix == "" {
			suffix = "th"
		}
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// frontOf draws a Pareto front: the runs as points (those off the front sampled when there
// are many), the front joined and highlighted.
func frontOf(rep *insight.Report, f insight.ParetoFront) frontView {
	what, format, nice := "cost", func(v float64) string { return mlexp.FormatCost(&v) }, []float64(nil)
	if f.Resource == insight.ResourceDuration {
		what, format, nice = "duration", func(v float64) string { return mlexp.FormatDuration(time.Duration(v * float64(time.Second))) }, chart.DurationTicks
	}
	v := frontView{Title: fmt.Sprintf("%s against %s: %d of %s on the front", rep.MetricLabel, what, len(f.Front), mlexp.Plural(len(f.Points), "run", "runs"))}
	// Every run of the front is drawn; of the others an even sample along the resource axis
	// (the points come sorted by it), so that a large experiment keeps a light page.
	dominated := len(f.Points) - len(f.Front)
	step := max(1, (dominated+maxDominatedDrawn-1)/maxDominatedDrawn)
	var pts []chart.ScatterPoint
	var types []mlexp.RunType
	var line []int
	seen := 0
	for _, p := range f.Points {
		name := p.RunName
		if name == "" {
			name = p.RunID
		}
		if !p.OnFront {
			seen++
			if (seen-1)%step != 0 {
				continue
			}
		}
		if p.OnFront {
			line = append(line, len(pts))
			v.Runs = append(v.Runs, frontRun{Name: name, URL: runURL(p.RunID), Value: mlexp.FormatMetric(rep.Metric, p.Value), Resource: format(p.Resource)})
		}
		types = append(types, p.RunType)
		pts = append(pts, chart.ScatterPoint{X: p.Resource, Y: p.Value, Highlight: p.OnFront, DataID: p.RunID, Label: p.ConfigID, Labelled: p.OnFront,
			Class: map[bool]string{true: "front", false: ""}[p.OnFront], Tip: fmt.Sprintf("%s: %s, %s", name, mlexp.FormatMetric(rep.Metric, p.Value), format(p.Resource))})
	}
	drawn := mlexp.Plural(len(f.Points), "run", "runs")
	if len(pts) < len(f.Points) {
		drawn = fmt.Sprintf("%d runs, %d of them drawn (every run of the front, and every %s other)", len(f.Points), len(pts), ordinal(step))
	}
	if len(f.Points) > 0 {
		v.SVG = paretoCharts(rep, what, paretoSeries{pts: pts, types: types, line: line}, format, nice,
			fmt.Sprintf("%s; the gold line joins the %d runs no other run beats on both.", drawn, len(f.Front)))
	}
	return v
}

// suggestionJSON is what a trainer needs of a suggestion: the feature_config and
// quick_test parts of the body of POST /api/experiments/quick-tests/, indented.
func suggestionJSON(s insight.Suggestion) string {
	b, err := json.MarshalIndent(struct {
		FeatureConfig *mlexp.FeatureConfig      `json:"feature_config"`
		QuickTest     insight.QuickTestSettings `json:"quick_test"`
	}{s.FeatureConfig, s.QuickTest}, "", "  ")
	if err != nil { // a config of strings and numbers always marshals
		return err.Error()
	}
	return string(b)
}
