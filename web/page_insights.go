package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/insight"
)

// insightsPage is the Insights page of a model: can its results be decided on?
type insightsPage struct {
	Layout      pageLayout
	Exp         mlexp.ExperimentRef
	Action      string
	Report      *insight.Report
	Metrics     []selectOption
	RunTypes    []selectOption
	Hidden      []hiddenField
	APIURL      string
	RunTypeText string // "quick tests"

	FidelitySVG  template.HTML
	FidelityRows []fidelityRow
	FidelityText string // "Spearman ρ +0.80 · Kendall τ-b +0.67 · mean offset -0.2 pp"
	FidelityGood bool

	NoiseRows []noiseRow
	NoiseGood bool
	PooledSD  string

	Effects       []effectView
	EffectsMethod string

	More adviceSections // what to try next, cost and failures
}

type fidelityRow struct{ Config, Quick, Full, Offset string }

// noiseRow is a config of the noise table; Lo, Hi and Mid place its interval and mean on a
// shared 0–100 scale (Known is false without an interval).
type noiseRow struct {
	Config, URL, N, Mean, Interval, Versus string
	Best, Tied, Pooled, Known              bool
	Lo, Width, Mid                         float64
}

type effectView struct {
	Label, Param, Size, Best, Trend, Kind string
	Levels                                []levelView
}

type levelView struct {
	Label, Mean, SD, Range, Count string
	Best                          bool
	Bar                           float64 // 0–100, longer is better
}

// handleInsightsPage renders the insights of a model's experiment: quick-test fidelity
// with its scatter plot, the configs ranked within noise, and parameter effects.
func (s *server) handleInsightsPage(w http.ResponseWriter, r *http.Request) {
	e, l, ok := s.experimentPage(w, r, "Insights", "insights")
	if !ok {
		return
	}
	exp := e.Ref
	q := r.URL.Query()
	iq, err := insightQueryOf(q)
	if err != nil {
		s.pageErrorIn(w, r, l, err)
		return
	}
	ans, err := e.Insights(iq)
	if err != nil {
		s.pageErrorIn(w, r, l, err)
		return
	}
	rep := ans.Report
	p := insightsPage{Layout: l, Exp: exp, Action: modelPath(exp.ModelID) + "insights/", Report: rep,
		Metrics:  selectOptions(mlexp.MetricNames(e.All()), rep.Metric, mlexp.MetricLabel),
		RunTypes: selectOptions([]string{"", mlexp.RunTypeAll, string(mlexp.QuickTestRun), string(mlexp.FullTrainingRun)}, iq.RunType, insightRunTypeChoice),
		Hidden:   hiddenFields(url.Values{"dataset_id": {exp.DatasetID}}),
		APIURL: withQuery("/api/models/"+url.PathEscape(exp.ModelID)+"/experiments/insights/",
			url.Values{"dataset_id": {exp.DatasetID}, "metric": {rep.Metric}, "run_type": {iq.RunType}}),
		RunTypeText: map[string]string{mlexp.RunTypeAll: "runs of every type", string(mlexp.FullTrainingRun): "full trainings"}[rep.RunType]}
	if p.RunTypeText == "" {
		p.RunTypeText = "quick tests"
	}
	p.fidelity(rep)
	p.noise(rep, exp)
	p.effects(rep)
	p.EffectsMethod = insight.EffectsMethod
	p.More = buildAdvice(rep)
	s.render(w, r, http.StatusOK, viewInsights, p)
}

func insightRunTypeChoice(v string) string {
	if v == "" {
		return "Quick tests if any (default)"
	}
	return runTypeChoice(v)
}

func (p *insightsPage) fidelity(rep *insight.Report) {
	f := rep.Fidelity
	p.FidelityGood = f.Verdict == insight.FidelityVerdictReliable
	if f.N == 0 {
		return
	}
	pts := make([]chart.ScatterPoint, len(f.Pairs))
	for i, pr := range f.Pairs {
		p.FidelityRows = append(p.FidelityRows, fidelityRow{Config: pr.ConfigName,
			Quick:  mlexp.FormatMetric(rep.Metric, float64(pr.Quick)) + " (" + strconv.Itoa(pr.QuickN) + ")",
			Full:   mlexp.FormatMetric(rep.Metric, float64(pr.Full)) + " (" + strconv.Itoa(pr.FullN) + ")",
			Offset: insight.FormatDelta(rep.Metric, float64(pr.Offset))})
		pts[i] = chart.ScatterPoint{X: float64(pr.Quick), Y: float64(pr.Full), Label: pr.ConfigName, Labelled: true, DataID: pr.ConfigID,
			Highlight: pr.ConfigID == f.FullBest,
			Tip: fmt.Sprintf("%s: quick %s (n %d), full %s (n %d)", pr.ConfigName, mlexp.FormatMetric(rep.Metric, float64(pr.Quick)), pr.QuickN,
				mlexp.FormatMetric(rep.Metric, float64(pr.Full)), pr.FullN)}
	}
	offset := mlexp.NoValue
	if f.MeanOffset != nil {
		offset = insight.FormatDelta(rep.Metric, float64(*f.MeanOffset))
	}
	p.FidelityText = fmt.Sprintf("Spearman ρ %s (%s) · Kendall τ-b %s · mean offset %s (full − quick) · %d configs",
		insight.FormatCorrelation(f.Spearman), insight.FormatRhoEvidence(f), insight.FormatCorrelation(f.KendallTauB), offset, f.N)
	format := func(v float64) string { return mlexp.FormatMetric(rep.Metric, v) }
	svg := chart.ScatterSVG(chart.Scatter{ID: "fidelity-chart", Title: "Quick test vs full training, " + rep.MetricLabel,
		XLabel: "Quick tests (mean)", YLabel: "Full trainings (mean)", XFormat: format, YFormat: format, Points: pts, Diagonal: true,
		Desc: fmt.Sprintf("%d configs; the dashed line is full = quick; the gold point is the best full training.", f.N)})
	p.FidelitySVG = inlineSVG(svg)
}

func (p *insightsPage) noise(rep *insight.Report, exp mlexp.ExperimentRef) {
	n := rep.Noise
	p.NoiseGood = n.Verdict == insight.NoiseClearWinner
	if n.PooledSD != nil {
		p.PooledSD = insight.FormatSize(rep.Metric, float64(*n.PooledSD))
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range n.Configs {
		for _, v := range []*mlexp.Number{c.CILow, c.CIHigh, &c.Mean} {
			if v != nil {
				lo, hi = math.Min(lo, float64(*v)), math.Max(hi, float64(*v))
			}
		}
	}
	scale := func(v float64) float64 {
		if hi <= lo {
			return 50
		}
		return math.Round((v-lo)/(hi-lo)*1000) / 10
	}
	for _, c := range n.Configs {
		row := noiseRow{Config: c.ConfigName, N: strconv.Itoa(c.N), Mean: meanText(rep.Metric, c),
			Interval: insight.FormatInterval(rep.Metric, c.CILow, c.CIHigh), Best: c.Best, Tied: c.Tied, Pooled: c.SDSource == insight.SDPooled,
			Mid: scale(float64(c.Mean))}
		if c.ConfigID != "" && c.ConfigName != "" {
			row.URL = withQuery(modelPath(exp.ModelID)+"runs/", url.Values{"dataset_id": {exp.DatasetID}, "search": {c.ConfigID}})
		}
		if c.CILow != nil && c.CIHigh != nil {
			row.Known, row.Lo = true, scale(float64(*c.CILow))
			row.Width = math.Max(scale(float64(*c.CIHigh))-row.Lo, 0.5)
		}
		switch {
		case c.Best:
			row.Versus = "best"
		case c.Tied:
			row.Versus = "tied (Holm p " + insight.FormatP(c.PAdjusted) + ")"
		case c.PValue != nil:
			row.Versus = "behind (Holm p " + insight.FormatP(c.PAdjusted) + ")"
		default:
			row.Versus = "untested"
		}
		p.NoiseRows = append(p.NoiseRows, row)
	}
}

func (p *insightsPage) effects(rep *insight.Report) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, e := range rep.Effects {
		for _, l := range e.Levels {
			lo, hi = math.Min(lo, l.Mean), math.Max(hi, l.Mean)
		}
	}
	lower := mlexp.LowerIsBetter(rep.Metric)
	for _, e := range rep.Effects {
		v := effectView{Label: e.Label, Param: e.Param, Kind: e.Kind, Size: insight.FormatSize(rep.Metric, e.Size),
			Best: mlexp.AxisLabel(e.Param, e.Best)}
		if test := insight.FormatEffectTest(e); test != "" {
			v.Size += " (" + test + ")"
		}
		if e.Trend != nil {
			v.Trend = "trend ρ " + insight.FormatCorrelation(e.Trend)
		}
		for _, l := range e.Levels {
			bar := 100.0
			if hi > lo {
				bar = (l.Mean - lo) / (hi - lo)
				if lower {
					bar = 1 - bar
				}
				bar = 5 + math.Round(bar*950)/10
			}
			lv := levelView{Label: mlexp.AxisLabel(e.Param, l.Value), Mean: mlexp.FormatMetric(rep.Metric, l.Mean), Best: l.Value == e.Best, Bar: bar,
				Count: fmt.Sprintf("%d config%s, %d run%s", l.N, plural(l.N), l.Runs, plural(l.Runs))}
			if l.N > 1 {
				lv.SD = "± " + insight.FormatSize(rep.Metric, l.SD)
				lv.Range = mlexp.FormatMetric(rep.Metric, l.Min) + "–" + mlexp.FormatMetric(rep.Metric, l.Max)
			}
			v.Levels = append(v.Levels, lv)
		}
		p.Effects = append(p.Effects, v)
	}
}

// meanText is a config's mean, with its shrunken mean when there is one: "47.0% (shrunk 46.8%)".
func meanText(metric string, c insight.ConfigStats) string {
	m := mlexp.FormatMetric(metric, float64(c.Mean))
	if c.MeanShrunk != nil {
		m += " (shrunk " + mlexp.FormatMetric(metric, float64(*c.MeanShrunk)) + ")"
	}
	return m
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
