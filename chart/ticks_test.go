package chart

import (
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// TestNarrowRangeTicksDoNotRepeat: metric values that differ below the labels' precision
// give one label each, not the same label at every tick.
func TestNarrowRangeTicksDoNotRepeat(t *testing.T) {
	lo, hi := mlexp.Number(0.45690), mlexp.Number(0.45694)
	ticks := pcMetricTicks(&mlexp.Parallel{Metric: "recall_at_100", MetricMin: &lo, MetricMax: &hi}, false)
	seen := map[string]bool{}
	for _, tk := range ticks {
		if seen[tk.label] {
			t.Fatalf("label %q repeats in %+v", tk.label, ticks)
		}
		seen[tk.label] = true
	}
	if len(ticks) != 1 || ticks[0].label != "45.7%" {
		t.Errorf("ticks %+v, want the one label 45.7%%", ticks)
	}
}
