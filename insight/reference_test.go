package insight

import (
	"math"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// The building blocks against testdata/functions.json, computed by testdata/reference.py with
// scipy (spearmanr, kendalltau, permutation_test, nct, f_oneway) and statsmodels
// (TTestIndPower, multipletests, combine_effects). Tolerance 1e-9 unless stated.

type functionsFixture struct {
	Spearman []struct {
		X, Y        []float64
		Rho, Tau, P *float64
		Exact       bool
		CILow       *float64 `json:"ci_low"`
		CIHigh      *float64 `json:"ci_high"`
	}
	NCT []struct {
		T, DF, NC float64
		CDF       float64
	}
	Power []struct {
		D, N, Power float64
	}
	RunsPerConfig []struct {
		SD, Gap float64
		Runs    int
	} `json:"runs_per_config"`
	Holm []struct {
		P        []float64
		Adjusted []float64
	}
	Shrinkage []struct {
		Means, Variances []float64
		Mu, Tau2         float64
		Shrunk           []float64
	}
	ANOVA []struct {
		Groups             [][]float64
		F, P, Eta2, Omega2 *float64
		DFBetween          int `json:"df_between"`
		DFWithin           int `json:"df_within"`
	}
}

func TestAgainstScipyFunctions(t *testing.T) {
	var f functionsFixture
	readJSON(t, "functions.json", &f)
	if len(f.Spearman) < 20 || len(f.NCT) < 10 || len(f.ANOVA) < 4 {
		t.Fatalf("functions.json is short: %d Spearman cases", len(f.Spearman))
	}
	for i, c := range f.Spearman {
		st := SpearmanTestOf(c.X, c.Y)
		checkRef(t, caseName("ρ", i), numOf(st.Rho), c.Rho, 1e-12)
		checkRef(t, caseName("τ-b", i), numOf(KendallTauB(c.X, c.Y)), c.Tau, 1e-12)
		checkRef(t, caseName("p of ρ", i), numOf(st.P), c.P, 1e-9)
		checkRef(t, caseName("CI low of ρ", i), numOf(st.Low), c.CILow, 1e-9)
		checkRef(t, caseName("CI high of ρ", i), numOf(st.High), c.CIHigh, 1e-9)
		if c.P != nil && st.Exact != c.Exact {
			t.Errorf("case %d (n %d): exact %v, want %v", i, len(c.X), st.Exact, c.Exact)
		}
	}
	for _, c := range f.NCT { // AS 243 sums to 1e-12; scipy's nct is Boost's
		checkRef(t, "nct.cdf", numOf(nctCDF(c.T, c.DF, c.NC)), &c.CDF, 1e-9)
	}
	for _, c := range f.Power {
		checkRef(t, "TTestIndPower.power", numOf(tTestPower(c.D, c.N)), &c.Power, 1e-9)
	}
	for _, c := range f.RunsPerConfig {
		if got := RunsPerConfig(c.SD, c.Gap); got != c.Runs {
			t.Errorf("RunsPerConfig(%v, %v) = %d, want ⌈solve_power⌉ = %d", c.SD, c.Gap, got, c.Runs)
		}
	}
	for _, c := range f.Holm {
		got := holm(c.P)
		for i := range got {
			checkRef(t, "holm", numOf(got[i]), &c.Adjusted[i], 1e-12)
		}
	}
	for _, c := range f.Shrinkage {
		est := make([]estimate, len(c.Means))
		for i := range est { // one run each, so the variance of the mean is used²
			est[i] = estimate{n: 1, mean: c.Means[i], used: math.Sqrt(c.Variances[i]), df: 1}
		}
		sh := shrinkMeans(est)
		checkRef(t, "DerSimonian–Laird τ²", numOf(sh.tau2), &c.Tau2, 1e-12)
		checkRef(t, "random-effects mean", numOf(sh.mu), &c.Mu, 1e-12)
		for i := range sh.shrunk {
			checkRef(t, "shrunken mean", numOf(sh.shrunk[i]), &c.Shrunk[i], 1e-12)
		}
	}
	for i, c := range f.ANOVA {
		a := oneWayANOVA(c.Groups)
		checkRef(t, caseName("F", i), numOf(a.f), c.F, 1e-9)
		checkRef(t, caseName("p of F", i), numOf(a.p), c.P, 1e-9)
		checkRef(t, caseName("η²", i), numOf(a.eta2), c.Eta2, 1e-12)
		checkRef(t, caseName("ω²", i), numOf(a.omega2), c.Omega2, 1e-12)
		if a.dfB != c.DFBetween || a.dfW != c.DFWithin {
			t.Errorf("ANOVA %d: df %d, %d, want %d, %d", i, a.dfB, a.dfW, c.DFBetween, c.DFWithin)
		}
	}
}

func caseName(what string, i int) string {
	return what + " of case " + string(rune('0'+i/10)) + string(rune('0'+i%10))
}

// numbers of a Report to compare with the fixtures.
var _ = mlexp.MetricRecallAt100
