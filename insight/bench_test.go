package insight

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// benchRuns are n runs shaped like a long sweep: 60 configs (5 user × 4 product embedding
// sizes × 3 cross sets) with quick tests repeated over them, a full training for every
// seventh run and a failure for every fiftieth, each with a cost and a duration.
func benchRuns(n int) []mlexp.Run {
	users, products := []int{16, 32, 64, 128, 256}, []int{16, 32, 64, 128}
	crosses := [][]string{nil, {"category_x_subcategory:1000"}, {"category_x_subcategory:1000", "user_id_x_city:5000"}}
	runs := make([]mlexp.Run, n)
	for i := range runs {
		c := i % 60
		cfg := towerConfig(fmt.Sprintf("config-%03d", c+1), users[c%5], products[(c/5)%4], 10, crosses[c/20]...)
		r100 := 0.30 + 0.03*math.Log2(float64(users[c%5]*products[(c/5)%4]))/4 + 0.02*float64(c/20) + 0.004*math.Sin(float64(i))
		r := configRun(fmt.Sprintf("run-%06d", i), cfg, r100)
		r.Start = t0.Add(-time.Duration(i) * time.Minute)
		r.End, r.CostUSD = r.Start.Add(7*time.Minute), new(1+0.001*float64(i%500))
		switch {
		case i%50 == 49:
			r.Status, r.Failure = mlexp.RunFailed, &mlexp.Failure{Stage: "Transform", Reason: "OOM"}
			r.Metrics = mlexp.NewMetricValues(map[string]float64{})
		case i%7 == 6:
			r.Type, r.End, r.CostUSD = mlexp.FullTrainingRun, r.Start.Add(3*time.Hour), new(37.0)
			r.Params = r.Params.With("run_type", string(mlexp.FullTrainingRun))
		}
		r.Prepare()
		runs[i] = r
	}
	runs[6].Deployed = true
	return runs
}

// BenchmarkAnalyze10k times the insights of a 10,000-run experiment, as the Insights page,
// its API and the dashboard's cards compute them from cached runs.
func BenchmarkAnalyze10k(b *testing.B) {
	runs := benchRuns(10_000)
	b.ReportAllocs()
	for b.Loop() {
		rep, err := Analyze(runs, Query{})
		if err != nil || rep.Counted == 0 || rep.Fidelity.N == 0 || rep.Triage.Failed == 0 {
			b.Fatalf("a report without findings: %v (counted %d, fidelity pairs %d, failed %d)", err, rep.Counted, rep.Fidelity.N, rep.Triage.Failed)
		}
	}
}
