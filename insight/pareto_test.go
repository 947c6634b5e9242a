package insight

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// bruteFront is the reference: every eligible point checked against every other, O(n²).
func bruteFront(runs []mlexp.Run, metric string, res func(mlexp.Run) (float64, bool)) (front map[string]bool, eligible int) {
	type pt struct {
		id   string
		v, x float64
	}
	var pts []pt
	for _, r := range runs {
		v, ok := r.Metrics.Lookup(metric)
		x, okX := res(r)
		if r.Status == mlexp.RunFinished && ok && !math.IsNaN(v) && !math.IsInf(v, 0) && okX {
			pts = append(pts, pt{r.ID, v, x})
		}
	}
	lower := mlexp.LowerIsBetter(metric)
	atLeast := func(a, b float64) bool { return lower && a <= b || !lower && a >= b }
	front = map[string]bool{}
	for _, p := range pts {
		dominated := false
		for _, q := range pts {
			if atLeast(q.v, p.v) && q.x <= p.x && (q.v != p.v || q.x < p.x) {
				dominated = true
			}
		}
		if !dominated {
			front[p.id] = true
		}
	}
	return front, len(pts)
}

// randomRuns draws runs on a coarse grid, so that ties on both axes are common, with some
// NaN metrics, unknown costs, zero durations and failed runs.
func randomRuns(rng *rand.Rand, n int, metric string) []mlexp.Run {
	var runs []mlexp.Run
	for i := range n {
		v := float64(rng.IntN(8)) / 20
		if rng.IntN(10) == 0 {
			v = math.NaN()
		}
		var cost *float64
		if rng.IntN(6) > 0 {
			cost = new(float64(rng.IntN(6)) * 1.5)
		}
		status := mlexp.RunFinished
		if rng.IntN(12) == 0 {
			status = mlexp.RunFailed
		}
		d := time.Duration(rng.IntN(5)) * time.Minute
		runs = append(runs, simpleRun(fmt.Sprintf("r%03d", i), mlexp.QuickTestRun, fmt.Sprintf("c%d", i%7), status, metric, v, cost, d))
	}
	return runs
}

func TestParetoMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, metric := range []string{mlexp.MetricRecallAt100, mlexp.MetricLoss} {
		for trial := range 200 {
			runs := randomRuns(rng, 1+rng.IntN(40), metric)
			p := ParetoFronts(runs, metric)
			for _, c := range []struct {
				f   ParetoFront
				res func(mlexp.Run) (float64, bool)
			}{
				{p.Cost, func(r mlexp.Run) (float64, bool) {
					if r.CostUSD == nil {
						return 0, false
					}
					return *r.CostUSD, true
				}},
				{p.Duration, func(r mlexp.Run) (float64, bool) { return r.End.Sub(r.Start).Seconds(), r.End.After(r.Start) }},
			} {
				want, eligible := bruteFront(runs, metric, c.res)
				if len(c.f.Points) != eligible || c.f.Excluded != len(runs)-eligible {
					t.Fatalf("%s trial %d %s: %d points, %d excluded; want %d of %d", metric, trial, c.f.Resource, len(c.f.Points), c.f.Excluded, eligible, len(runs))
				}
				var got []string
				for _, pt := range c.f.Points {
					if pt.OnFront != want[pt.RunID] {
						t.Fatalf("%s trial %d %s: %s on_front=%v, brute force says %v", metric, trial, c.f.Resource, pt.RunID, pt.OnFront, want[pt.RunID])
					}
					if pt.OnFront {
						got = append(got, pt.RunID)
					}
				}
				var front []string
				for i, pt := range c.f.Front {
					front = append(front, pt.RunID)
					if i > 0 {
						prev := c.f.Front[i-1]
						if pt.Resource < prev.Resource || pt.Resource > prev.Resource && !mlexp.Better(metric, pt.Value, prev.Value) {
							t.Fatalf("%s trial %d: front out of order at %d: %+v after %+v", metric, trial, i, pt, prev)
						}
					}
				}
				if !slices.Equal(got, front) {
					t.Fatalf("%s trial %d: front %v, flagged points %v", metric, trial, front, got)
				}
			}
		}
	}
}

func TestParetoByHand(t *testing.T) {
	m := mlexp.MetricRecallAt100
	runs := []mlexp.Run{
		simpleRun("cheap", mlexp.QuickTestRun, "a", mlexp.RunFinished, m, 0.40, new(1.0), time.Minute),
		simpleRun("tieA", mlexp.QuickTestRun, "b", mlexp.RunFinished, m, 0.45, new(2.0), time.Minute),
		simpleRun("tieB", mlexp.QuickTestRun, "c", mlexp.RunFinished, m, 0.45, new(2.0), time.Minute),
		simpleRun("worse-same-cost", mlexp.QuickTestRun, "d", mlexp.RunFinished, m, 0.44, new(2.0), time.Minute),
		simpleRun("dear-no-better", mlexp.FullTrainingRun, "e", mlexp.RunFinished, m, 0.45, new(30.0), time.Hour),
		simpleRun("dear-best", mlexp.FullTrainingRun, "f", mlexp.RunFinished, m, 0.47, new(38.0), time.Hour),
		simpleRun("nan", mlexp.QuickTestRun, "g", mlexp.RunFinished, m, math.NaN(), new(0.5), time.Minute),
		simpleRun("no-cost", mlexp.QuickTestRun, "h", mlexp.RunFinished, m, 0.50, nil, time.Minute),
		simpleRun("failed", mlexp.QuickTestRun, "i", mlexp.RunFailed, m, 0.60, new(0.1), time.Minute),
	}
	p := ParetoFronts(runs, m)
	ids := func(pts []ParetoPoint) []string {
		var s []string
		for _, p := range pts {
			s = append(s, p.RunID)
		}
		return s
	}
	if got, want := ids(p.Cost.Front), []string{"cheap", "tieA", "tieB", "dear-best"}; !slices.Equal(got, want) {
		t.Errorf("cost front = %v, want %v", got, want)
	}
	if p.Cost.Excluded != 3 || len(p.Cost.Points) != 6 {
		t.Errorf("cost: %d points, %d excluded; want 6 and 3", len(p.Cost.Points), p.Cost.Excluded)
	}
	// By duration every quick test took a minute: no-cost (0.50) dominates them all.
	if got, want := ids(p.Duration.Front), []string{"no-cost"}; !slices.Equal(got, want) {
		t.Errorf("duration front = %v, want %v", got, want)
	}
	b, err := json.Marshal(p)
	if err != nil || strings.Contains(string(b), "NaN") {
		t.Fatalf("json: %v %s", err, b)
	}
}

func TestParetoLossDirection(t *testing.T) {
	m := mlexp.MetricLoss
	runs := []mlexp.Run{
		simpleRun("a", mlexp.QuickTestRun, "a", mlexp.RunFinished, m, 0.40, new(1.0), time.Minute),
		simpleRun("b", mlexp.QuickTestRun, "b", mlexp.RunFinished, m, 0.50, new(2.0), time.Minute),
		simpleRun("c", mlexp.FullTrainingRun, "c", mlexp.RunFinished, m, 0.30, new(30.0), time.Hour),
	}
	f := ParetoFronts(runs, m).Cost
	if len(f.Front) != 2 || f.Front[0].RunID != "a" || f.Front[1].RunID != "c" || f.Points[1].OnFront {
		t.Errorf("loss front = %+v", f.Front)
	}
}
