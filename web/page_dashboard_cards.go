package web

import (
	"fmt"
	"net/url"

	"github.com/mlexp-dev/mlexp/insight"
)

// insightCard is one finding of the insights, shown on the dashboard with a link to its
// section of the Insights page.
type insightCard struct {
	Label, Value, Sub, URL string
	Tone                   string // good, caution or "" (neutral)
}

// dashboardInsights sums up the insights of the dashboard's metric in four cards: quick-test
// fidelity, the best config within noise, what to try next and failures.
func dashboardInsights(rep *insight.Report, insightsURL string) []insightCard {
	link := func(section string) string {
		u, err := url.Parse(insightsURL)
		if err != nil { // a path this package made
			return insightsURL
		}
		q := u.Query()
		q.Set("metric", rep.Metric)
		u.RawQuery, u.Fragment = q.Encode(), section
		return u.String()
	}
	cards := make([]insightCard, 0, 4)

	f := rep.Fidelity
	fc := insightCard{Label: "Quick-test fidelity", URL: link("fidelity")}
	switch f.Verdict {
	case insight.FidelityVerdictReliable:
		fc.Value, fc.Tone = "Reliable", "good"
	case insight.FidelityVerdictModerate:
		fc.Value, fc.Tone = "Moderate", "caution"
	case insight.FidelityVerdictUnreliable:
		fc.Value, fc.Tone = "Unreliable", "caution"
	default:
		fc.Value = "Not yet known"
	}
	if f.Spearman != nil {
		fc.Sub = fmt.Sprintf("Spearman ρ %+.2f over %d configs", float64(*f.Spearman), f.N)
	} else {
		fc.Sub = fmt.Sprintf("%d config%s with quick and full runs; %d needed", f.N, plural(f.N), insight.FidelityMinPairs)
	}
	cards = append(cards, fc)

	n := rep.Noise
	nc := insightCard{Label: "Best within noise", URL: link("noise")}
	switch n.Verdict {
	case insight.NoiseClearWinner:
		nc.Value, nc.Tone, nc.Sub = "Clear winner", "good", n.BestConfig+" beats every other config beyond noise"
	case insight.NoiseWithinNoise:
		nc.Value, nc.Tone = "Within noise", "caution"
		nc.Sub = fmt.Sprintf("%s is tied with %d other config%s", n.BestConfig, len(n.Tied), plural(len(n.Tied)))
		if a := n.Advice; a != nil && !a.Capped {
			nc.Sub += fmt.Sprintf(": %d runs each would separate them", a.RunsPerConfig)
		}
	case insight.NoiseUnknown:
		nc.Value, nc.Sub = "Unknown", "no config has repeated runs yet"
	default:
		nc.Value, nc.Sub = "—", "fewer than two configs have a value"
	}
	cards = append(cards, nc)

	xc := insightCard{Label: "Next to try", URL: link("next"), Value: "—"}
	if rep.Next != nil {
		if k := len(rep.Next.Suggestions); k > 0 {
			xc.Value = fmt.Sprintf("%d config%s", k, plural(k))
			xc.Sub = rep.Next.Suggestions[0].Reason
		} else {
			xc.Sub = rep.Next.Note
		}
	}
	cards = append(cards, xc)

	t := rep.Triage
	tc := insightCard{Label: "Failures", URL: link("triage"), Value: fmt.Sprintf("%d of %d", t.Failed, t.Runs), Tone: "good", Sub: "no run failed"}
	if t.Failed > 0 {
		tc.Tone = "caution"
		switch {
		case len(t.Axes) > 0:
			tc.Sub = t.Axes[0].Summary
		case len(t.Reasons) > 0:
			tc.Sub = t.Reasons[0].Summary
		}
	}
	return append(cards, tc)
}
