package insight

import (
	"slices"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// The report against testdata/expected_{hard,edge,demo}.json: testdata/reference.py
// recomputed every figure of issue 20 from the runs (testdata/*_runs.json) with scipy and
// statsmodels, as docs/insights.md states the methods, on recall_at_100 and on its mirror
// loss = 1 − recall. Tolerance 1e-9, or 1e-12 for figures that are plain sums and ratios,
// whatever their unit.

type expectedReport struct {
	Fidelity struct {
		N              int
		SingleRunPairs int      `json:"single_run_pairs"`
		MeanOffset     *float64 `json:"mean_offset"`
		Rho, Tau, P    *float64
		Exact          bool
		CILow          *float64 `json:"ci_low"`
		CIHigh         *float64 `json:"ci_high"`
		Verdict        string
	}
	Noise struct {
		PooledSD   *float64 `json:"pooled_sd"`
		PooledDF   int      `json:"pooled_df"`
		Best       string
		Tied       []string
		GrandMean  *float64 `json:"grand_mean"`
		BetweenSD  *float64 `json:"between_sd"`
		BestShrunk string   `json:"best_shrunk"`
		Verdict    string
		Configs    []struct {
			ConfigID   string `json:"config_id"`
			N          int
			Mean       float64
			SDUsed     *float64 `json:"sd_used"`
			DF         *float64
			SDSource   string `json:"sd_source"`
			P          *float64
			PAdjusted  *float64 `json:"p_adjusted"`
			Tied       bool
			CILow      *float64 `json:"ci_low"`
			CIHigh     *float64 `json:"ci_high"`
			MeanShrunk *float64 `json:"mean_shrunk"`
		}
		Advice *struct {
			Configs       []string
			Gap, SD       float64
			RunsPerConfig int `json:"runs_per_config"`
			More          []int
			Capped        bool
			EqualMeans    bool `json:"equal_means"`
		}
	}
	Effects []struct {
		Param              string
		Size               float64
		BestLevel          string `json:"best_level"`
		DFBetween          int    `json:"df_between"`
		DFWithin           int    `json:"df_within"`
		F, P, Eta2, Omega2 *float64
	}
	Gain struct {
		Winner           string
		QuickMean        float64  `json:"quick_mean"`
		QuickMeanShrunk  *float64 `json:"quick_mean_shrunk"`
		ExpectedFull     float64  `json:"expected_full"`
		ExpectedFullRaw  float64  `json:"expected_full_raw"`
		Gain             float64
		GainRaw          float64 `json:"gain_raw"`
		Cost             float64
		GainPerDollar    float64 `json:"gain_per_dollar"`
		GainPerDollarRaw float64 `json:"gain_per_dollar_raw"`
	}
}

func TestReportAgainstScipy(t *testing.T) {
	for _, name := range []string{"hard", "edge", "demo"} {
		runs := fixtureRuns(t, name+"_runs.json")
		var want map[string]expectedReport
		readJSON(t, "expected_"+name+".json", &want)
		for _, metric := range fixtureMetrics {
			t.Run(name+"/"+metric, func(t *testing.T) {
				w, ok := want[metric]
				if !ok {
					t.Fatalf("expected_%s.json has no %s", name, metric)
				}
				rep, err := Analyze(runs, Query{Metric: metric})
				if err != nil {
					t.Fatal(err)
				}
				checkFidelity(t, rep.Fidelity, w)
				checkNoise(t, rep.Noise, w)
				checkEffects(t, rep.Effects, w)
				checkGain(t, rep.Gain, w)
			})
		}
	}
}

func checkFidelity(t *testing.T, f Fidelity, want expectedReport) {
	t.Helper()
	w := want.Fidelity
	if f.N != w.N || f.SingleRunPairs != w.SingleRunPairs || f.Verdict != w.Verdict || (w.P != nil && f.SpearmanPExact != w.Exact) {
		t.Errorf("fidelity: n %d, single %d, %s, exact %v; want %d, %d, %s, %v", f.N, f.SingleRunPairs, f.Verdict, f.SpearmanPExact, w.N, w.SingleRunPairs, w.Verdict, w.Exact)
	}
	checkRef(t, "fidelity ρ", f.Spearman, w.Rho, 1e-12)
	checkRef(t, "fidelity τ-b", f.KendallTauB, w.Tau, 1e-12)
	checkRef(t, "fidelity p", f.SpearmanP, w.P, 1e-9)
	checkRef(t, "fidelity CI low", f.SpearmanCILow, w.CILow, 1e-9)
	checkRef(t, "fidelity CI high", f.SpearmanCIHigh, w.CIHigh, 1e-9)
	checkRef(t, "fidelity mean offset", f.MeanOffset, w.MeanOffset, 1e-12)
}

func checkNoise(t *testing.T, n Noise, want expectedReport) {
	t.Helper()
	w := want.Noise
	if n.BestConfig != w.Best || !slices.Equal(n.Tied, w.Tied) || n.PooledDF != w.PooledDF || n.Verdict != w.Verdict || n.BestShrunk != w.BestShrunk {
		t.Errorf("noise: best %s tied %v df %d %s shrunk best %q; want %s %v %d %s %q", n.BestConfig, n.Tied, n.PooledDF, n.Verdict, n.BestShrunk,
			w.Best, w.Tied, w.PooledDF, w.Verdict, w.BestShrunk)
	}
	checkRef(t, "pooled SD", n.PooledSD, w.PooledSD, 1e-12)
	checkRef(t, "grand mean", n.GrandMean, w.GrandMean, 1e-9)
	checkRef(t, "between-config SD", n.BetweenSD, w.BetweenSD, 1e-9)
	if len(n.Configs) != len(w.Configs) {
		t.Fatalf("%d configs, want %d", len(n.Configs), len(w.Configs))
	}
	for i, c := range n.Configs {
		wc := w.Configs[i]
		id := c.ConfigID
		if id != wc.ConfigID || c.N != wc.N || c.SDSource != wc.SDSource || c.Tied != wc.Tied {
			t.Errorf("config %d: %s n %d %s tied %v; want %s n %d %s tied %v", i, id, c.N, c.SDSource, c.Tied, wc.ConfigID, wc.N, wc.SDSource, wc.Tied)
		}
		checkRef(t, id+" mean", &c.Mean, &wc.Mean, 1e-12)
		checkRef(t, id+" SD used", c.SDUsed, wc.SDUsed, 1e-12)
		checkRef(t, id+" df", c.DF, wc.DF, 0)
		checkRef(t, id+" CI low", c.CILow, wc.CILow, 1e-9)
		checkRef(t, id+" CI high", c.CIHigh, wc.CIHigh, 1e-9)
		checkRef(t, id+" Welch p", c.PValue, wc.P, 1e-9)
		checkRef(t, id+" Holm p", c.PAdjusted, wc.PAdjusted, 1e-9)
		checkRef(t, id+" shrunken mean", c.MeanShrunk, wc.MeanShrunk, 1e-9)
		if c.CILow != nil && *c.CILow == *c.CIHigh {
			t.Errorf("%s: a zero-width interval", id)
		}
	}
	a, wa := n.Advice, w.Advice
	switch {
	case a == nil && wa == nil:
	case a == nil || wa == nil:
		t.Errorf("advice %+v, want %+v", a, wa)
	default:
		if !slices.Equal(a.Configs, wa.Configs) || a.RunsPerConfig != wa.RunsPerConfig || !slices.Equal(a.More, wa.More) || a.Capped != wa.Capped || a.EqualMeans != wa.EqualMeans {
			t.Errorf("advice %+v, want %+v", *a, *wa)
		}
		checkRef(t, "advice gap", &a.Gap, &wa.Gap, 1e-12)
		checkRef(t, "advice SD", &a.SD, &wa.SD, 1e-12)
	}
}

func checkEffects(t *testing.T, effects []ParamEffect, want expectedReport) {
	t.Helper()
	var got, order []string
	for _, e := range effects {
		got = append(got, e.Param)
	}
	for _, e := range want.Effects {
		order = append(order, e.Param)
	}
	if !slices.Equal(got, order) {
		t.Fatalf("effects ranked %v, want %v (by ω²)", got, order)
	}
	for i, e := range effects {
		w := want.Effects[i]
		if e.Best != w.BestLevel || e.DFBetween != w.DFBetween || e.DFWithin != w.DFWithin {
			t.Errorf("%s: best %s df %d, %d; want %s %d, %d", e.Param, e.Best, e.DFBetween, e.DFWithin, w.BestLevel, w.DFBetween, w.DFWithin)
		}
		checkRef(t, e.Param+" size", numOf(e.Size), &w.Size, 1e-12)
		checkRef(t, e.Param+" F", e.F, w.F, 1e-9)
		checkRef(t, e.Param+" p", e.PValue, w.P, 1e-9)
		checkRef(t, e.Param+" η²", e.EtaSquared, w.Eta2, 1e-12)
		checkRef(t, e.Param+" ω²", e.OmegaSquared, w.Omega2, 1e-12)
	}
}

func checkGain(t *testing.T, g GainEstimate, want expectedReport) {
	t.Helper()
	w := want.Gain
	if g.WinnerConfigID != w.Winner || g.Shrunk != (w.QuickMeanShrunk != nil) {
		t.Errorf("gain: winner %s shrunk %v, want %s %v", g.WinnerConfigID, g.Shrunk, w.Winner, w.QuickMeanShrunk != nil)
	}
	checkRef(t, "gain quick mean", g.QuickMean, &w.QuickMean, 1e-12)
	checkRef(t, "gain shrunken quick mean", g.QuickMeanShrunk, w.QuickMeanShrunk, 1e-9)
	checkRef(t, "expected full", g.ExpectedFull, &w.ExpectedFull, 1e-9)
	checkRef(t, "expected full, raw", g.ExpectedFullRaw, &w.ExpectedFullRaw, 1e-12)
	checkRef(t, "gain", g.Gain, &w.Gain, 1e-9)
	checkRef(t, "gain, raw", g.GainRaw, &w.GainRaw, 1e-9)
	checkRef(t, "cost", g.Cost, &w.Cost, 1e-12)
	checkRef(t, "gain per dollar", g.GainPerDollar, &w.GainPerDollar, 1e-9)
	checkRef(t, "gain per dollar, raw", g.GainPerDollarRaw, &w.GainPerDollarRaw, 1e-9)
	if !g.Available || g.Unit != map[bool]string{true: mlexp.UnitPP}[mlexp.IsFraction(g.Metric)] {
		t.Errorf("gain not available (%s) or unit %q", g.Reason, g.Unit)
	}
}
