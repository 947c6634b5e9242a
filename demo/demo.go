// Package demo generates a synthetic, seeded demo experiment: the quick tests and full
// trainings that a team tuning one two-tower retrieval model on one dataset would report,
// shaped like the dashboard of the experiments spec. `mlexp demo` logs them to MLflow.
//
// # Identity and idempotency
//
// Logging is idempotent by key (model, dataset, config and run ids), and the ingest outbox
// refuses a key that comes again with other values. So the same seed must always yield the
// very same reports, byte for byte:
//
//   - Ids are fixed: config-001 … config-012 for the grid and config-013 for the failed
//     256-d config; quick tests are numbered #1 … #20 and full trainings #1 … #4 in the
//     order they ran. They depend on nothing.
//   - Times derive from a fixed anchor (Anchor, 2026-11-20 09:00 UTC), never from the clock:
//     every run starts and ends within the ten days before it.
//   - Values depend only on the seed. The noise comes from math/rand/v2's PCG, whose output
//     is specified, turned into Gaussians here (not by NormFloat64, whose algorithm is not
//     promised), and every value is rounded (fractions to 4 decimals, dollars to cents), so
//     the reports do not change with the Go version or the CPU.
//
// Each seed is its own experiment: the dataset of DefaultSeed is "Demo Data (synthetic)",
// any other seed's name and id carry the seed, so demos of two seeds never collide.
//
// # Value model
//
// See expectedRecall100 for Recall@100, the one metric the others follow. Each quick test
// adds Gaussian noise with a standard deviation of 0.5 percentage points; Recall@50 is
// 0.81 and Recall@10 0.385 of Recall@100 (the spec's ratios) plus a little noise of their
// own; the loss falls as recall rises (0.40 at 47%, 0.61 at 38%). Full trainings end about
// 0.4 pp below the quick-test expectation with a loss 0.10 lower, after 20 epochs whose
// recall rises and loss falls along a saturating exponential.
package demo

import (
	"fmt"
	"math"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// DefaultSeed is the seed of `mlexp demo` when none is given.
const DefaultSeed uint64 = 42

// Set is one demo experiment: every report to log, and which full training to mark deployed.
type Set struct {
	QuickTests   []mlexp.QuickTestReport
	TrainingRuns []mlexp.TrainingRunReport
	// Deployed is the index in TrainingRuns of the run to mark deployed: the second best by
	// Recall@100, so that the dashboard shows a best run that is not the deployed one. It is
	// -1 only if every run had the same Recall@100, which the demo's noise makes all but
	// impossible (no seed of the tests does it).
	Deployed int
}

// Model is the demo's model.
func Model() mlexp.Model { return mlexp.Model{ID: "demo-model", Name: "retail-recs-demo"} }

// Dataset is the demo's dataset for seed; its name says that it is synthetic.
func Dataset(seed uint64) mlexp.Dataset {
	if seed == DefaultSeed {
		return mlexp.Dataset{ID: "demo-dataset", Name: "Demo Data (synthetic)", Version: "1"}
	}
	return mlexp.Dataset{ID: fmt.Sprintf("demo-dataset-seed-%d", seed), Name: fmt.Sprintf("Demo Data (synthetic, seed %d)", seed), Version: "1"}
}

// ExperimentName is the MLflow experiment the demo of seed is logged to.
func ExperimentName(seed uint64) string { return mlexp.ExperimentName(Model(), Dataset(seed)) }

// Anchor is the fixed time the demo's runs lead up to: they all end before it.
func Anchor() time.Time { return time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) }

// Reports returns the demo experiment of seed. The same seed always gives identical
// reports; see the package documentation for what they contain.
//
// Quick tests (all on 10% of the data for 2 epochs): the 12 configs of the grid, user/product
// embedding dims 32/32, 64/32, 64/64, 128/64 × no crosses, category×subcategory, and that
// plus user_id×city; then replicates of config-005 (one more), config-008, config-009 and
// config-012 (two more each); then config-013 with a 256-d user embedding, which fails in
// Transform with an OOM and has no metrics. Full trainings (20 epochs, batch size 8192)
// of the four best configs: config-008, config-009, config-011 and config-012.
func Reports(seed uint64) Set {
	g := &gen{seed: seed, rng: newRNG(seed), anchor: Anchor()}
	cells := grid()
	qid := 0
	at := g.anchor.Add(-10 * 24 * time.Hour)
	for i, c := range cells { // the sweep: one every 9 hours from 10 days before the anchor
		qid++
		g.quickTest(qid, c, at.Add(time.Duration(i)*9*time.Hour))
	}
	at = g.anchor.Add(-5 * 24 * time.Hour)
	for i, n := range []int{5, 8, 9, 12, 8, 9, 12} { // replicates, one every 10 hours
		qid++
		g.quickTest(qid, cells[n-1], at.Add(time.Duration(i)*10*time.Hour))
	}
	for k, n := range []int{8, 9, 11, 12} { // full trainings, 66, 46, 26 and 6 hours before the anchor
		g.trainingRun(k+1, cells[n-1], g.anchor.Add(-time.Duration(66-20*k)*time.Hour))
	}
	qid++
	g.failedQuickTest(qid, cell{id: 13, user: 256, product: 64, crosses: 2}, g.anchor.Add(-25*time.Hour))
	g.set.Deployed = secondBest(g.set.TrainingRuns)
	return g.set
}

// cell is one feature configuration of the demo: the two large embeddings and how many of
// the crosses (category×subcategory, then user_id×city) it has.
type cell struct {
	id            int // config-NNN
	user, product int
	crosses       int // 0, 1 or 2
}

// grid is the 12 configs of the sweep, dims major: config-001 is 32/32 without crosses,
// config-012 is 128/64 with both.
func grid() []cell {
	var cells []cell
	for _, d := range [][2]int{{32, 32}, {64, 32}, {64, 64}, {128, 64}} {
		for x := 0; x <= 2; x++ {
			cells = append(cells, cell{id: len(cells) + 1, user: d[0], product: d[1], crosses: x})
		}
	}
	return cells
}

// capacity is how many times the two large embeddings were doubled from 32/32: 0 to 3 in
// the grid (64/64 and 128/32 both count 2).
func (c cell) capacity() float64 {
	return math.Log2(float64(c.user)/32) + math.Log2(float64(c.product)/32)
}

// expectedRecall100 is the noise-free Recall@100 of a quick test of c:
//
//	0.382 + 0.075·s(capacity) + cross gains,    s(k) = 1 − e^(−k/1.7)
//
// Capacity has diminishing returns (+3.3, +5.2, +6.2 pp for 1, 2, 3 doublings). The
// category×subcategory cross adds 0.9 pp plus up to 0.5 pp more as capacity grows; the
// user_id×city cross costs 0.7 pp on the smallest model (its hashed buckets crowd a 32-d
// user embedding) and gains up to 0.9 pp on the largest. So the grid runs from about 38.2%
// (32/32, no crosses) to 46.7% (128/64 with both), the range of the spec's heatmap.
func expectedRecall100(c cell) float64 {
	s := 1 - math.Exp(-c.capacity()/1.7)
	rel := s / (1 - math.Exp(-3/1.7)) // 0..1 over the grid
	r := 0.382 + 0.075*s
	if c.crosses >= 1 {
		r += 0.009 + 0.005*rel
	}
	if c.crosses >= 2 {
		r += -0.007 + 0.016*rel
	}
	return r
}

// featureConfig is the feature configuration of c, with the spec's towers.
func (c cell) featureConfig() mlexp.FeatureConfig {
	id := fmt.Sprintf("config-%03d", c.id)
	fc := mlexp.FeatureConfig{
		ID:             id,
		Name:           id,
		QueryTower:     []mlexp.Feature{{Name: "user_id", EmbeddingDim: c.user}, {Name: "city", EmbeddingDim: 16}},
		CandidateTower: []mlexp.Feature{{Name: "product_id", EmbeddingDim: c.product}, {Name: "product_name", EmbeddingDim: 32}, {Name: "category", EmbeddingDim: 16}, {Name: "subcategory", EmbeddingDim: 16}},
		Settings:       map[string]float64{"revenue_buckets": 10},
	}
	if c.crosses >= 1 {
		fc.CrossFeatures = append(fc.CrossFeatures, mlexp.CrossFeature{Features: []string{"category", "subcategory"}, Buckets: 1000})
	}
	if c.crosses >= 2 {
		fc.CrossFeatures = append(fc.CrossFeatures, mlexp.CrossFeature{Features: []string{"user_id", "city"}, Buckets: 5000})
	}
	return fc
}

// secondBest is the index of the run with the highest Recall@100 below the best one (runs
// that tie with the best are not second).
func secondBest(runs []mlexp.TrainingRunReport) int {
	r100 := func(i int) float64 { return *runs[i].TrainingRun.Metrics.RecallAt100 }
	best := 0
	for i := range runs {
		if r100(i) > r100(best) {
			best = i
		}
	}
	second := -1
	for i := range runs {
		if r100(i) < r100(best) && (second < 0 || r100(i) > r100(second)) {
			second = i
		}
	}
	return second
}
