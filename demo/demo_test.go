package demo

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// seeds are the seeds every property is checked for. (The properties were also checked
// for 20000 seeds once; the noise is small enough for every one of them.)
func seeds() []uint64 { return []uint64{DefaultSeed, 0, 1, 7, 1 << 63, 987654321} }

func TestReportsAreDeterministic(t *testing.T) {
	for _, seed := range seeds() {
		a, b := Reports(seed), Reports(seed)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("seed %d: two calls differ", seed)
		}
		ja, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("seed %d: two calls marshal differently", seed)
		}
	}
	// Another seed: other values under the same ids, in another experiment.
	a, b := Reports(1), Reports(2)
	if reflect.DeepEqual(a.QuickTests[0].QuickTest.Metrics, b.QuickTests[0].QuickTest.Metrics) {
		t.Error("seeds 1 and 2 gave the same metrics")
	}
	if a.QuickTests[0].FeatureConfig.ID != b.QuickTests[0].FeatureConfig.ID || a.QuickTests[0].QuickTest.ID != b.QuickTests[0].QuickTest.ID {
		t.Error("ids depend on the seed")
	}
	if ExperimentName(1) == ExperimentName(2) || ExperimentName(DefaultSeed) != "retail-recs-demo-Demo Data (synthetic)" {
		t.Errorf("experiments: %q, %q, %q", ExperimentName(1), ExperimentName(2), ExperimentName(DefaultSeed))
	}
}

// TestReportsGoldenValues pins the default seed's reports: a change of the generator
// changes the demo's reports, which an outbox that holds the old ones refuses (409) and an
// MLflow that holds them ignores. If the change is meant, update the hash.
func TestReportsGoldenValues(t *testing.T) {
	s := Reports(DefaultSeed)
	q, tr := s.QuickTests[0].QuickTest, s.TrainingRuns[s.Deployed].TrainingRun
	got := fmt.Sprintf("%v %v %v %v | #%v %v %v", *q.Metrics.RecallAt100, *q.CostUSD, q.StartedAt.Format(time.RFC3339), q.FinishedAt.Sub(q.StartedAt),
		tr.ID, *tr.Metrics.RecallAt100, *tr.CostUSD)
	if want := "0.3848 1.15 2026-11-10T09:17:06Z 5m0s | #3 0.4569 38.22"; got != want {
		t.Errorf("values of seed %d changed:\n got %s\nwant %s", DefaultSeed, got, want)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprintf("%x", sha256.Sum256(b)), "276978676d8533901af506309f234bf5cabd560ccc9a31561599aa889a50417c"; got != want {
		t.Errorf("reports of seed %d changed: sha256 %s, want %s", DefaultSeed, got, want)
	}
}

func TestReportsAreValid(t *testing.T) {
	for _, seed := range seeds() {
		s := Reports(seed)
		keys := map[string]bool{}
		for _, r := range s.QuickTests {
			if err := r.Validate(); err != nil {
				t.Errorf("seed %d: quick test #%d: %v", seed, r.QuickTest.ID, err)
			}
			checkTiming(t, r.QuickTest.Timing, 5*time.Minute, 9*time.Minute, r.QuickTest.Status == mlexp.StatusFailed)
			if c := *r.QuickTest.CostUSD; r.QuickTest.Status == mlexp.StatusCompleted && (c < 1 || c > 2) {
				t.Errorf("seed %d: quick test #%d costs $%v", seed, r.QuickTest.ID, c)
			}
			keys[fmt.Sprint("q", r.FeatureConfig.ID, r.QuickTest.ID)] = true
		}
		for _, r := range s.TrainingRuns {
			if err := r.Validate(); err != nil {
				t.Errorf("seed %d: training #%d: %v", seed, r.TrainingRun.ID, err)
			}
			checkTiming(t, r.TrainingRun.Timing, 3*time.Hour, 4*time.Hour, false)
			if c := *r.TrainingRun.CostUSD; c < 30 || c > 40 {
				t.Errorf("seed %d: training #%d costs $%v", seed, r.TrainingRun.ID, c)
			}
			keys[fmt.Sprint("t", r.FeatureConfig.ID, r.TrainingRun.ID)] = true
		}
		if n := len(s.QuickTests) + len(s.TrainingRuns); len(keys) != n {
			t.Errorf("seed %d: %d reports but %d distinct ids", seed, n, len(keys))
		}
	}
}

func checkTiming(t *testing.T, tm mlexp.Timing, lo, hi time.Duration, failed bool) {
	t.Helper()
	anchor := Anchor()
	if tm.StartedAt.Before(anchor.Add(-10*24*time.Hour-time.Hour)) || !tm.FinishedAt.Before(anchor) {
		t.Errorf("run %v–%v is not within the 10 days before %v", tm.StartedAt, tm.FinishedAt, anchor)
	}
	if d := tm.FinishedAt.Sub(tm.StartedAt); !failed && (d < lo || d > hi) {
		t.Errorf("run took %v, want %v to %v", d, lo, hi)
	}
	if tm.StartedAt.Location() != time.UTC || tm.StartedAt.Nanosecond() != 0 {
		t.Errorf("start %v is not whole seconds in UTC", tm.StartedAt)
	}
}

func TestReportsShape(t *testing.T) {
	for _, seed := range seeds() {
		s := Reports(seed)
		cells := map[string]int{} // "user/product/crosses" → completed quick tests
		runsOf := map[string]int{}
		var failed []mlexp.QuickTestReport
		for i, r := range s.QuickTests {
			q := r.QuickTest
			if q.ID != i+1 || q.DataSamplePercent != 10 || q.Epochs != 2 {
				t.Errorf("seed %d: quick test %d is #%d on %v%% for %d epochs", seed, i, q.ID, q.DataSamplePercent, q.Epochs)
			}
			if i > 0 && !q.StartedAt.After(s.QuickTests[i-1].QuickTest.StartedAt) {
				t.Errorf("seed %d: quick test #%d started before #%d", seed, q.ID, q.ID-1)
			}
			if q.Status == mlexp.StatusFailed {
				failed = append(failed, r)
				continue
			}
			cells[cellOf(r.FeatureConfig)]++
			runsOf[r.FeatureConfig.ID]++
		}
		if len(cells) != 12 {
			t.Errorf("seed %d: the grid has %d cells, want 12: %v", seed, len(cells), cells)
		}
		replicated := 0
		for id, n := range runsOf {
			if n > 3 {
				t.Errorf("seed %d: %s ran %d times", seed, id, n)
			}
			if n > 1 {
				replicated++
			}
		}
		if replicated != 4 {
			t.Errorf("seed %d: %d configs have replicates, want 4: %v", seed, replicated, runsOf)
		}
		if len(failed) != 1 {
			t.Fatalf("seed %d: %d failed quick tests, want 1", seed, len(failed))
		}
		f := failed[0]
		if f.QuickTest.Failure.Stage != "Transform" || !strings.Contains(f.QuickTest.Failure.Reason, "OOM") ||
			f.FeatureConfig.QueryTower[0].EmbeddingDim != 256 || f.QuickTest.Metrics.RecallAt100 != nil {
			t.Errorf("seed %d: failed quick test %+v", seed, f)
		}

		if len(s.TrainingRuns) != 4 {
			t.Fatalf("seed %d: %d trainings, want 4", seed, len(s.TrainingRuns))
		}
		if s.Deployed < 0 || s.Deployed >= len(s.TrainingRuns) {
			t.Fatalf("seed %d: deployed index %d", seed, s.Deployed)
		}
		dep := *s.TrainingRuns[s.Deployed].TrainingRun.Metrics.RecallAt100
		better := map[float64]bool{} // the distinct Recall@100 values above the deployed run's
		for _, r := range s.TrainingRuns {
			tr := r.TrainingRun
			if *tr.Metrics.RecallAt100 > dep {
				better[*tr.Metrics.RecallAt100] = true
			}
			checkHistory(t, tr)
			if tr.Epochs != 20 || tr.BatchSize != 8192 || tr.ModelURI != fmt.Sprintf("gs://demo-bucket/models/%d", tr.ID) {
				t.Errorf("seed %d: training %+v", seed, tr)
			}
		}
		if len(better) != 1 {
			t.Errorf("seed %d: trainings with %v beat the deployed one, want one value (it is the second best)", seed, better)
		}
	}
}

func cellOf(c mlexp.FeatureConfig) string {
	return fmt.Sprintf("%d/%d/%d", c.QueryTower[0].EmbeddingDim, c.CandidateTower[0].EmbeddingDim, len(c.CrossFeatures))
}

// checkHistory: 20 epochs, loss falling and recall rising overall and saturating, ending
// on the final metrics.
func checkHistory(t *testing.T, tr mlexp.TrainingRun) {
	t.Helper()
	h := tr.History
	if len(h) != 20 || h[19].Epoch != 20 || !reflect.DeepEqual(h[19].Metrics, tr.Metrics) {
		t.Fatalf("training #%d: history of %d epochs does not end on the final metrics", tr.ID, len(h))
	}
	r := func(e int) float64 { return *h[e-1].RecallAt100 }
	l := func(e int) float64 { return *h[e-1].Loss }
	if !(l(1) > l(5) && l(5) > l(10) && l(10) > l(20)) || !(r(1) < r(5) && r(5) < r(10) && r(10) < r(20)) {
		t.Errorf("training #%d: loss %v %v %v %v, R@100 %v %v %v %v", tr.ID, l(1), l(5), l(10), l(20), r(1), r(5), r(10), r(20))
	}
	if early, late := r(5)-r(1), r(20)-r(16); late >= early {
		t.Errorf("training #%d: recall does not saturate: +%v in epochs 1–5, +%v in 16–20", tr.ID, early, late)
	}
}

// TestReportsRecallModel checks the value model: bigger embeddings and crosses help, with
// diminishing returns, over the spec's range; the other metrics follow Recall@100.
func TestReportsRecallModel(t *testing.T) {
	for _, seed := range seeds() {
		mean := map[string]float64{}
		n := map[string]int{}
		for _, r := range Reports(seed).QuickTests {
			if m := r.QuickTest.Metrics; m.RecallAt100 != nil {
				c := cellOf(r.FeatureConfig)
				mean[c] += *m.RecallAt100
				n[c]++
				if !(*m.RecallAt10 < *m.RecallAt50 && *m.RecallAt50 < *m.RecallAt100) || *m.Loss < 0.3 || *m.Loss > 0.7 {
					t.Errorf("seed %d: %s: %+v", seed, r.FeatureConfig.ID, r.QuickTest.Metrics)
				}
			}
		}
		for c := range mean {
			mean[c] /= float64(n[c])
			if mean[c] < 0.36 || mean[c] > 0.49 {
				t.Errorf("seed %d: %s has Recall@100 %v, outside 36–49%%", seed, c, mean[c])
			}
		}
		if mean["128/64/2"] <= mean["32/32/0"]+0.05 {
			t.Errorf("seed %d: 128/64 with both crosses (%v) not well above 32/32 without (%v)", seed, mean["128/64/2"], mean["32/32/0"])
		}
		if mean["64/64/0"] <= mean["32/32/0"]+0.02 {
			t.Errorf("seed %d: 64/64 (%v) not well above 32/32 (%v)", seed, mean["64/64/0"], mean["32/32/0"])
		}
	}
	// Noise-free (single noisy runs may swap neighbouring cells): crosses help, except
	// user_id×city on the smallest model, and capacity has diminishing returns.
	for _, c := range grid() {
		if c.crosses == 1 && expectedRecall100(c) <= expectedRecall100(cell{user: c.user, product: c.product}) {
			t.Errorf("%d/%d: category×subcategory does not help", c.user, c.product)
		}
		if c.crosses == 2 && c.user > 32 && expectedRecall100(c) <= expectedRecall100(cell{user: c.user, product: c.product, crosses: 1}) {
			t.Errorf("%d/%d: user_id×city does not help", c.user, c.product)
		}
	}
	var prev, prevGain float64
	for i, c := range grid() {
		if c.crosses != 0 {
			continue
		}
		r := expectedRecall100(c)
		if i > 0 {
			gain := r - prev
			if gain <= 0 || (prevGain > 0 && gain >= prevGain) {
				t.Errorf("%d/%d: gain %v after %v", c.user, c.product, gain, prevGain)
			}
			prevGain = gain
		}
		prev = r
	}
}

// TestPipeline: one pipeline run per full training, linked by its model URI; the oldest
// read the older span, only the deployed run is pushed.
func TestPipeline(t *testing.T) {
	set := Reports(DefaultSeed)
	p := Pipeline(DefaultSeed, "/data/mlmd.db")
	if p.Store["sqlite"] != "/data/mlmd.db" || len(p.Trainings) != len(set.TrainingRuns) {
		t.Fatalf("pipeline %+v", p)
	}
	older, pushed := 0, 0
	for i, r := range p.Trainings {
		if r.Link != "uri" || r.ModelURI != set.TrainingRuns[i].TrainingRun.ModelURI || !r.Blessed {
			t.Errorf("pipeline run %d: %+v", i, r)
		}
		if r.Span == OlderSpan {
			older++
		}
		if r.Pushed {
			pushed++
			if i != set.Deployed {
				t.Errorf("run %d is pushed, but %d is deployed", i, set.Deployed)
			}
		}
	}
	if older != 1 || pushed != 1 {
		t.Errorf("%d runs on the older span and %d pushed, want 1 and 1", older, pushed)
	}
}
