package insight

import (
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// TestJudge uses the runs of TestConfigNoiseByHand: A and B are tied (Welch p = 0.405) and 25
// runs each would tell them apart; A and D are not (p < 0.001).
func TestJudge(t *testing.T) {
	j := NewNoiseJudge(noiseRuns())
	for _, c := range []struct {
		a, b          string
		within, known bool
		runs          int
	}{
		{"A", "B", true, true, 25},
		{"B", "A", true, true, 25},
		{"A", "D", false, true, 2},
		{"A", "C", false, true, 0}, // C borrows the pooled SD; the runs are not checked here
		{"A", "Z", false, false, 0},
	} {
		within, runs, known := j.WithinNoise(mlexp.MetricRecallAt100, c.a, c.b)
		if within != c.within || known != c.known || (c.runs > 0 && runs != c.runs) {
			t.Errorf("%s vs %s: within %v, %d runs, known %v; want %v, %d, %v", c.a, c.b, within, runs, known, c.within, c.runs, c.known)
		}
	}
	// A gap far below the noise needs more than MaxReplicates runs: 0, as good as equivalent.
	var close runs
	for _, v := range []float64{0.47, 0.48, 0.46} {
		close.quick("A", v)
		close.quick("B", v-0.0005)
	}
	if within, n, known := NewNoiseJudge(close.list).WithinNoise(mlexp.MetricRecallAt100, "A", "B"); !within || !known || n != 0 {
		t.Errorf("a 0.05 pp gap with a 1 pp SD: within %v, %d runs, known %v; want within, 0 runs (beyond %d)", within, n, known, MaxReplicates)
	}
	// Without any repeated run, noise is unknown.
	var rs runs
	rs.quick("A", 0.47)
	rs.quick("B", 0.46)
	if _, _, known := NewNoiseJudge(rs.list).WithinNoise(mlexp.MetricRecallAt100, "A", "B"); known {
		t.Error("a judge without replicates claims to know the noise")
	}
}
