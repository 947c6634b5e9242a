package insight

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// gainRuns: A quick 0.40, 0.42, full 0.40 ($30); B quick 0.45 (the winner, no full training);
// C quick 0.43, full 0.41 ($38) and 0.43 ($34, deployed). Noise around them must not count.
func gainRuns(metric string, flip bool) []mlexp.Run {
	v := func(x float64) float64 {
		if flip {
			return 1 - x // a loss that mirrors recall
		}
		return x
	}
	q, f := mlexp.QuickTestRun, mlexp.FullTrainingRun
	runs := []mlexp.Run{
		simpleRun("a1", q, "A", mlexp.RunFinished, metric, v(0.40), new(1.0), time.Minute),
		simpleRun("a2", q, "A", mlexp.RunFinished, metric, v(0.42), new(1.0), time.Minute),
		simpleRun("a-full", f, "A", mlexp.RunFinished, metric, v(0.40), new(30.0), time.Hour),
		simpleRun("b1", q, "B", mlexp.RunFinished, metric, v(0.45), new(1.0), time.Minute),
		simpleRun("c1", q, "C", mlexp.RunFinished, metric, v(0.43), new(1.0), time.Minute),
		simpleRun("c-full1", f, "C", mlexp.RunFinished, metric, v(0.41), new(38.0), time.Hour),
		simpleRun("c-full2", f, "C", mlexp.RunFinished, metric, v(0.43), new(34.0), time.Hour),
		// Not counted: a NaN quick test, a failed one that looks best, a NaN full training
		// without a cost and a failed full training with a large cost.
		simpleRun("nan", q, "D", mlexp.RunFinished, metric, math.NaN(), new(1.0), time.Minute),
		simpleRun("failed", q, "E", mlexp.RunFailed, metric, v(0.60), new(1.0), time.Minute),
		simpleRun("nan-full", f, "B", mlexp.RunFinished, metric, math.NaN(), nil, time.Hour),
		simpleRun("failed-full", f, "A", mlexp.RunFailed, metric, v(0.10), new(500.0), time.Hour),
	}
	runs[6].Deployed = true
	return runs
}

func TestGainPerDollarByHand(t *testing.T) {
	for _, c := range []struct {
		metric string
		flip   bool
	}{{mlexp.MetricRecallAt100, false}, {"val_loss", true}} {
		g := GainPerDollar(gainRuns(c.metric, c.flip), c.metric)
		// Offsets: A 0.40 − 0.41 = −0.01, C 0.42 − 0.43 = −0.01 → −0.01 (+0.01 for the loss).
		// Raw expected full for B: 0.44; deployed 0.43; gain 0.01; cost median(30, 38, 34) = 34.
		offset, expected, deployed, gain, unit := -0.01, 0.44, 0.43, 1.0, "pp"
		// Shrunk: A (0.41, n 2) is the only replicated config, so every SD used is its 0.02/√2
		// and the variances of the means are A 0.0001, B and C 0.0002. DerSimonian–Laird: the
		// fixed-effect mean is (0.41·10⁴ + 0.45·5000 + 0.43·5000)/2·10⁴ = 0.425,
		// Q = 10⁴·0.015² + 5000·0.025² + 5000·0.005² = 5.5, c = 2·10⁴ − 1.5·10⁸/2·10⁴ = 12500,
		// τ² = (5.5 − 2)/12500 = 0.00028; μ weighs by 1/(v + τ²); B moves to
		// μ + τ²/(τ² + 0.0002)·(0.45 − μ).
		mu := (0.41/0.00038 + 0.88/0.00048) / (1/0.00038 + 2/0.00048)
		shrunk := mu + 0.00028/0.00048*(0.45-mu)
		expectedShrunk, gainShrunk := shrunk-0.01, (shrunk-0.01-0.43)*100
		if c.flip {
			offset, expected, deployed, gain, unit = 0.01, 0.56, 0.57, 0.01, ""
			shrunk, expectedShrunk, gainShrunk = 1-shrunk, 1-shrunk+0.01, gainShrunk/100
		}
		if !g.Available || g.Reason != "" {
			t.Fatalf("%s: not available: %s", c.metric, g.Reason)
		}
		if g.WinnerConfigID != "B" || !slices.Equal(g.WinnerRunIDs, []string{"b1"}) || g.WinnerFullTrainings != 0 {
			t.Errorf("%s: winner %q %v %d", c.metric, g.WinnerConfigID, g.WinnerRunIDs, g.WinnerFullTrainings)
		}
		numIs(t, "offset", g.Offset, offset)
		numIs(t, "expected_full_raw", g.ExpectedFullRaw, expected)
		numIs(t, "deployed_value", g.DeployedValue, deployed)
		numIs(t, "gain_raw", g.GainRaw, gain)
		numIs(t, "cost", g.Cost, 34)
		numIs(t, "gain_per_dollar_raw", g.GainPerDollarRaw, gain/34)
		numIs(t, "quick_mean_shrunk", g.QuickMeanShrunk, shrunk)
		numIs(t, "expected_full", g.ExpectedFull, expectedShrunk)
		numIs(t, "gain", g.Gain, gainShrunk)
		numIs(t, "gain_per_dollar", g.GainPerDollar, gainShrunk/34)
		if !g.Shrunk || !strings.Contains(strings.Join(g.Assumptions, " "), "shrunk to") || !strings.Contains(strings.Join(g.Assumptions, " "), "Unshrunk, the expected gain would be") {
			t.Errorf("%s: assumptions %q", c.metric, g.Assumptions)
		}
		if g.Unit != unit || g.OffsetPairs != 2 || g.OffsetAssumed || g.CostSource != CostOfFullTrainings || g.CostRuns != 3 || g.DeployedRunID != "c-full2" {
			t.Errorf("%s: %+v", c.metric, g)
		}
	}
}

func TestGainPerDollarUsesTheWinnersOwnCost(t *testing.T) {
	m := mlexp.MetricRecallAt100
	runs := append(gainRuns(m, false), simpleRun("b-full", mlexp.FullTrainingRun, "B", mlexp.RunFinished, m, 0.44, new(50.0), time.Hour))
	g := GainPerDollar(runs, m)
	// Offsets now A −0.01, B −0.01, C −0.01; the winner's own full training cost $50.
	numIs(t, "cost", g.Cost, 50)
	numIs(t, "gain_per_dollar_raw", g.GainPerDollarRaw, 1.0/50)
	numIs(t, "gain_per_dollar", g.GainPerDollar, float64(*g.Gain)/50)
	if g.CostSource != CostOfConfig || g.CostRuns != 1 || g.WinnerFullTrainings != 1 || g.OffsetPairs != 3 {
		t.Errorf("%+v", g)
	}
	// The winner's full training is measured: its value is used, not an estimate from the
	// quick tests (neither shrunk nor offset).
	numIs(t, "expected_full", g.ExpectedFull, 0.44)
	numIs(t, "expected_full_raw", g.ExpectedFullRaw, 0.44)
	numIs(t, "gain", g.Gain, (0.44-float64(*g.DeployedValue))*100)
	if !g.Measured || g.Shrunk || g.QuickMeanShrunk != nil || !strings.Contains(strings.Join(g.Assumptions, " "), "their measured mean, not an estimate") ||
		strings.Contains(strings.Join(g.Assumptions, " "), "quick-test mean plus") {
		t.Errorf("measured %v shrunk %v, assumptions %q", g.Measured, g.Shrunk, g.Assumptions)
	}
}

// TestNoiseClearWinnerWithAFullTraining: a clear quick-test winner whose config has a
// finished full training is not sent to another one.
func TestNoiseClearWinnerWithAFullTraining(t *testing.T) {
	m := mlexp.MetricRecallAt100
	var runs []mlexp.Run
	for i, v := range []float64{0.50, 0.501, 0.499, 0.40, 0.401, 0.399} {
		cfg := map[bool]string{true: "A", false: "B"}[i < 3]
		runs = append(runs, simpleRun(cfg+string(rune('0'+i)), mlexp.QuickTestRun, cfg, mlexp.RunFinished, m, v, nil, time.Minute))
	}
	n := ConfigNoise(runs, m, string(mlexp.QuickTestRun))
	if n.Verdict != NoiseClearWinner || !strings.Contains(n.Message, "Run a Full Training of A to confirm.") {
		t.Fatalf("without a full training: %s %q", n.Verdict, n.Message)
	}
	runs = append(runs, simpleRun("a-full", mlexp.FullTrainingRun, "A", mlexp.RunFinished, m, 0.52, new(40.0), time.Hour))
	n = ConfigNoise(runs, m, string(mlexp.QuickTestRun))
	if n.Verdict != NoiseClearWinner || strings.Contains(n.Message, "Run a Full Training") ||
		!strings.Contains(n.Message, "A already has a Full Training, measured at 52.0%: compare with it rather than run another.") {
		t.Errorf("with a full training: %s %q", n.Verdict, n.Message)
	}
}

func TestGainPerDollarCannotBeComputed(t *testing.T) {
	m := mlexp.MetricRecallAt100
	base := gainRuns(m, false)
	without := func(drop func(r *mlexp.Run) bool, edit func(r *mlexp.Run)) []mlexp.Run {
		var out []mlexp.Run
		for _, r := range base {
			if drop(&r) {
				continue
			}
			if edit != nil {
				edit(&r)
			}
			out = append(out, r)
		}
		return out
	}
	noDeployed := without(func(*mlexp.Run) bool { return false }, func(r *mlexp.Run) { r.Deployed = false })
	noFull := without(func(r *mlexp.Run) bool { return r.Type == mlexp.FullTrainingRun && !r.Deployed }, func(r *mlexp.Run) { r.CostUSD = nil })
	nanDeployed := without(func(*mlexp.Run) bool { return false }, func(r *mlexp.Run) {
		if r.Deployed {
			r.Metrics = mlexp.NewMetricValues(map[string]float64{m: math.NaN()})
		}
	})
	noQuick := without(func(r *mlexp.Run) bool { return r.Type == mlexp.QuickTestRun }, nil)
	tinyCost := without(func(*mlexp.Run) bool { return false }, func(r *mlexp.Run) {
		if r.Type == mlexp.FullTrainingRun {
			r.CostUSD = new(1e-320) // a gain over it is +Inf per dollar
		}
	})
	for _, c := range []struct {
		name   string
		runs   []mlexp.Run
		reason string
	}{
		{"no deployed run", noDeployed, "No run is marked deployed"},
		{"no known full-training cost", noFull, "No finished full training has a known cost"},
		{"deployed run without the metric", nanDeployed, "The deployed run has no finite"},
		{"no quick test", noQuick, "No finished quick test"},
		{"no runs", nil, "No finished quick test"},
		{"cost too close to $0", tinyCost, "A full training costs $1e-320"},
	} {
		g := GainPerDollar(c.runs, m)
		if g.Available || g.GainPerDollar != nil || !strings.HasPrefix(g.Reason, c.reason) {
			t.Errorf("%s: available=%v reason %q", c.name, g.Available, g.Reason)
		}
		if b, err := json.Marshal(g); err != nil || strings.Contains(string(b), "NaN") {
			t.Errorf("%s: json %v %s", c.name, err, b)
		}
	}
	// With no deployed run the other inputs are still there.
	g := GainPerDollar(noDeployed, m)
	numIs(t, "expected_full_raw", g.ExpectedFullRaw, 0.44)
	if g.Gain != nil || g.Cost == nil {
		t.Errorf("no deployed: gain %v cost %v", g.Gain, g.Cost)
	}
	// Left with only the deployed full training (C, 0.43): one pair, C quick 0.43 − full
	// 0.43 → offset 0; B expected 0.45; gain 2 pp over 0.43.
	g = GainPerDollar(noFull, m)
	numIs(t, "offset", g.Offset, 0)
	numIs(t, "gain_raw", g.GainRaw, 2)
}

func TestGainPerDollarWithoutPairsAssumesNoOffset(t *testing.T) {
	m := mlexp.MetricRecallAt100
	runs := []mlexp.Run{
		simpleRun("q", mlexp.QuickTestRun, "Q", mlexp.RunFinished, m, 0.46, new(1.0), time.Minute),
		simpleRun("f", mlexp.FullTrainingRun, "F", mlexp.RunFinished, m, 0.44, new(40.0), time.Hour),
	}
	runs[1].Deployed = true
	g := GainPerDollar(runs, m)
	if !g.OffsetAssumed || g.OffsetPairs != 0 || !g.Available {
		t.Fatalf("%+v", g)
	}
	numIs(t, "offset", g.Offset, 0)
	numIs(t, "gain", g.Gain, 2)
	numIs(t, "gain_per_dollar", g.GainPerDollar, 2.0/40)
	// One config with quick tests and no replicates: nothing to shrink, and it says so.
	if g.Shrunk || g.QuickMeanShrunk != nil || !strings.Contains(strings.Join(g.Assumptions, " "), "is not shrunk") {
		t.Errorf("shrunk %v %v: %q", g.Shrunk, g.QuickMeanShrunk, g.Assumptions)
	}
}

// TestGainWinnerAmongTiedMeans: the quick-test winner is the noise section's best — among
// means that tie (0.4302 and the mean 0.43019999999999997 of 0.4301, 0.4402, 0.4203), the
// config with more runs.
func TestGainWinnerAmongTiedMeans(t *testing.T) {
	m := mlexp.MetricRecallAt100
	runs := []mlexp.Run{simpleRun("one", mlexp.QuickTestRun, "ONE", mlexp.RunFinished, m, 0.4302, nil, time.Minute)}
	for i, v := range []float64{0.4301, 0.4402, 0.4203} {
		runs = append(runs, simpleRun(fmt.Sprint("three", i), mlexp.QuickTestRun, "THREE", mlexp.RunFinished, m, v, nil, time.Minute))
	}
	if g, n := GainPerDollar(runs, m), ConfigNoise(runs, m, string(mlexp.QuickTestRun)); g.WinnerConfigID != "THREE" || n.BestConfig != "THREE" {
		t.Errorf("gain winner %s, noise best %s; want THREE (more runs) for both", g.WinnerConfigID, n.BestConfig)
	}
}
