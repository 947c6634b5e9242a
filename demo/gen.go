package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// gen builds a Set, drawing noise in a fixed order.
type gen struct {
	seed   uint64
	rng    *rng
	anchor time.Time
	set    Set
}

func (g *gen) quickTestReport(c cell) mlexp.QuickTestReport {
	return mlexp.QuickTestReport{Model: Model(), Dataset: Dataset(g.seed), FeatureConfig: c.featureConfig()}
}

// quickTest adds a completed quick test of c that started at start (give or take 20 min).
func (g *gen) quickTest(id int, c cell, start time.Time) {
	r100 := clamp(expectedRecall100(c)+g.rng.normal(0.005), 0, 1)
	r50 := clamp(0.81*r100+g.rng.normal(0.002), 0, r100)
	r10 := clamp(0.385*r100+g.rng.normal(0.0015), 0, r50)
	loss := 0.40 + 2.4*(0.47-r100) + g.rng.normal(0.004)
	// 5 to 9 minutes: a minute per doubling of the embeddings, 24 s per cross.
	minutes := clamp(5+c.capacity()+0.4*float64(c.crosses)+g.rng.uniform(-0.5, 0.5), 5, 9)
	cost := clamp(0.55+0.11*minutes+g.rng.normal(0.02), 1, 2)
	start = g.jitter(start, 20*time.Minute)

	r := g.quickTestReport(c)
	r.QuickTest = mlexp.QuickTest{
		ID: id, DataSamplePercent: 10, Epochs: 2, Status: mlexp.StatusCompleted, CostUSD: new(cents(cost)),
		Metrics: mlexp.Metrics{Loss: new(round4(loss)), RecallAt10: new(round4(r10)), RecallAt50: new(round4(r50)), RecallAt100: new(round4(r100))},
		Timing:  mlexp.Timing{StartedAt: start, FinishedAt: start.Add(seconds(minutes * 60))},
	}
	g.set.QuickTests = append(g.set.QuickTests, r)
}

// failedQuickTest adds a quick test of c that ran out of memory in Transform after about
// three minutes.
func (g *gen) failedQuickTest(id int, c cell, start time.Time) {
	minutes := 3 + g.rng.uniform(0, 0.5)
	start = g.jitter(start, 20*time.Minute)
	r := g.quickTestReport(c)
	r.QuickTest = mlexp.QuickTest{
		ID: id, DataSamplePercent: 10, Epochs: 2, Status: mlexp.StatusFailed, CostUSD: new(cents(0.11 * minutes)),
		Failure: &mlexp.Failure{Stage: "Transform", Reason: fmt.Sprintf("OOM during Transform: user:%dd embedding too large", c.user)},
		Timing:  mlexp.Timing{StartedAt: start, FinishedAt: start.Add(seconds(minutes * 60))},
	}
	g.set.QuickTests = append(g.set.QuickTests, r)
}

// trainingRun adds a full training of c: 20 epochs on all the data, 3 to 4 hours, $30 to $40.
func (g *gen) trainingRun(id int, c cell, start time.Time) {
	const epochs = 20
	r100 := clamp(expectedRecall100(c)-0.004+g.rng.normal(0.004), 0, 1)
	final := mlexp.Metrics{
		RecallAt100: new(round4(r100)),
		RecallAt50:  new(round4(0.835*r100 + g.rng.normal(0.0015))),
		RecallAt10:  new(round4(0.374*r100 + g.rng.normal(0.001))),
		Loss:        new(round4(0.30 + 2.4*(0.47-r100) + g.rng.normal(0.004))),
	}
	// 2h55m, 12 minutes per doubling of the embeddings, 6 per cross, ±8 minutes.
	minutes := 175 + 12*c.capacity() + 6*float64(c.crosses) + g.rng.uniform(-8, 8)
	cost := minutes / 60 * 10.3

	// History: from the untrained values at epoch 0 towards the final ones along
	// s(e) = (1 − e^(−e/5)) / (1 − e^(−4)), which is 1 at epoch 20; a little noise on the
	// way, none on the last epoch, which is the final result.
	untrained := mlexp.Metrics{Loss: new(0.95), RecallAt10: new(0.03), RecallAt50: new(0.07), RecallAt100: new(0.10)}
	hist := make([]mlexp.EpochMetrics, 0, epochs)
	for e := 1; e <= epochs; e++ {
		s := (1 - math.Exp(-float64(e)/5)) / (1 - math.Exp(-4))
		noise := 1.0
		if e == epochs {
			s, noise = 1, 0
		}
		at := func(from, to *float64, sd float64) *float64 {
			return new(round4(*from + (*to-*from)*s + noise*g.rng.normal(sd)))
		}
		hist = append(hist, mlexp.EpochMetrics{Epoch: e, Metrics: mlexp.Metrics{
			Loss:        at(untrained.Loss, final.Loss, 0.003),
			RecallAt10:  at(untrained.RecallAt10, final.RecallAt10, 0.0008),
			RecallAt50:  at(untrained.RecallAt50, final.RecallAt50, 0.0012),
			RecallAt100: at(untrained.RecallAt100, final.RecallAt100, 0.0015),
		}})
	}
	start = g.jitter(start, 30*time.Minute)

	r := mlexp.TrainingRunReport{Model: Model(), Dataset: Dataset(g.seed), FeatureConfig: c.featureConfig()}
	r.TrainingRun = mlexp.TrainingRun{
		ID: id, Epochs: epochs, BatchSize: 8192, Status: mlexp.StatusCompleted, CostUSD: new(cents(cost)),
		Metrics: final, History: hist,
		ModelURI: fmt.Sprintf("gs://demo-bucket/models/%d", id),
		Timing:   mlexp.Timing{StartedAt: start, FinishedAt: start.Add(seconds(minutes * 60))},
	}
	g.set.TrainingRuns = append(g.set.TrainingRuns, r)
}

// jitter moves t by up to ±d, to whole seconds.
func (g *gen) jitter(t time.Time, d time.Duration) time.Time {
	return t.Add(seconds(g.rng.uniform(-d.Seconds(), d.Seconds())))
}

// rng is the demo's source of noise. Only PCG's Uint64 is used, whose output the standard
// library specifies; uniform and normal deviates are derived here, so that they cannot
// change with the Go version.
type rng struct{ src *rand.PCG }

func newRNG(seed uint64) *rng { return &rng{src: rand.NewPCG(seed, 0x6d6c65787064656d)} } // "mlexpdem"

// unit is uniform in [0, 1).
func (r *rng) unit() float64 { return float64(r.src.Uint64()>>11) / (1 << 53) }

func (r *rng) uniform(lo, hi float64) float64 { return lo + (hi-lo)*r.unit() }

// normal is Gaussian with mean 0 and standard deviation sd (Box–Muller).
func (r *rng) normal(sd float64) float64 {
	u1, u2 := 1-r.unit(), r.unit() // u1 in (0, 1]
	return sd * math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

func cents(v float64) float64 { return math.Round(v*100) / 100 }

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// seconds is s seconds, rounded to a whole second.
func seconds(s float64) time.Duration { return time.Duration(math.Round(s)) * time.Second }
