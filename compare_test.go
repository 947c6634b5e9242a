package mlexp

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var compareT0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// specRuns are the runs of the spec's comparison mock-up: config-042 (Quick Test #3) and
// the deployed config-038 (Full Training #45), whose crosses are written in another order.
func specRuns() []Run {
	cost042, cost038 := 1.42, 32.10
	towers := map[string]string{
		"query_tower": "user_id,city", "candidate_tower": "product_id,product_name,category,subcategory",
		"user_id_embedding_dim": "64", "city_embedding_dim": "16", "product_id_embedding_dim": "64",
		"product_name_embedding_dim": "32", "category_embedding_dim": "16", "subcategory_embedding_dim": "16",
	}
	p042 := map[string]string{"run_type": "quick_test", "config_id": "config-042", "data_sample_percent": "10", "epochs": "2",
		"cross_features": "user_id_x_city,category_x_subcategory", "user_id_x_city_buckets": "5000", "category_x_subcategory_buckets": "1000"}
	p038 := map[string]string{"run_type": "full_training", "config_id": "config-038", "data_sample_percent": "100", "epochs": "10",
		"batch_size": "4096", "training_run_id": "45", "cross_features": "subcategory_x_category", "subcategory_x_category_buckets": "1000"}
	for k, v := range towers {
		p042[k], p038[k] = v, v
	}
	return []Run{
		{ID: "r042", Name: "config-042 Quick Test #3", Type: QuickTestRun, ConfigID: "config-042", ConfigName: "config-042",
			Status: RunFinished, Start: compareT0, End: compareT0.Add(8 * time.Minute), CostUSD: &cost042, Params: NewParams(p042),
			Metrics: NewMetricValues(map[string]float64{"loss": 0.38, "recall_at_10": 0.182, "recall_at_50": 0.385, "recall_at_100": 0.473, "cost_usd": cost042})},
		{ID: "r038", Name: "config-038 Full Training #45", Type: FullTrainingRun, ConfigID: "config-038", ConfigName: "config-038",
			Status: RunFinished, Start: compareT0, End: compareT0.Add(2*time.Hour + 58*time.Minute), CostUSD: &cost038, Deployed: true, Params: NewParams(p038),
			Metrics: NewMetricValues(map[string]float64{"loss": 0.32, "final_loss": 0.32, "recall_at_10": 0.175, "recall_at_50": 0.378, "recall_at_100": 0.461, "cost_usd": cost038})},
	}
}

func mustCompare(tb testing.TB, runs []Run, opts CompareOptions) *Comparison {
	tb.Helper()
	c, err := CompareRuns(runs, opts)
	if err != nil {
		tb.Fatalf("CompareRuns: %v", err)
	}
	return c
}

func near(a *Number, want float64) bool { return a != nil && math.Abs(float64(*a)-want) < 1e-9 }

func TestCompareRunsSpecExample(t *testing.T) {
	c := mustCompare(t, specRuns(), CompareOptions{})
	if c.BaselineID != "r038" || c.BaselineReason != BaselineDeployed || !c.Runs[1].Baseline {
		t.Fatalf("baseline = %s (%s), want the deployed r038", c.BaselineID, c.BaselineReason)
	}
	// Diffs by hand: 0.38-0.32 = +0.06 (worse: loss is minimised); 18.2%-17.5% = +0.7 pp;
	// 38.5%-37.8% = +0.7 pp; 47.3%-46.1% = +1.2 pp.
	want := []struct {
		metric, label, dir, unit, text0, diff string
		d                                     float64
		best                                  int
	}{
		{"loss", "Loss", "min", "", "0.38", "+0.06", 0.06, 1},
		{"recall_at_10", "Recall@10", "max", "pp", "18.2%", "+0.7 pp", 0.7, 0},
		{"recall_at_50", "Recall@50", "max", "pp", "38.5%", "+0.7 pp", 0.7, 0},
		{"recall_at_100", "Recall@100", "max", "pp", "47.3%", "+1.2 pp", 1.2, 0},
	}
	if len(c.Metrics) != len(want) {
		t.Fatalf("metric rows = %d, want %d (final_loss and cost_usd have no row of their own)", len(c.Metrics), len(want))
	}
	for i, w := range want {
		r := c.Metrics[i]
		if r.Metric != w.metric || r.Label != w.label || r.Direction != w.dir || r.DiffUnit != w.unit {
			t.Errorf("row %d = %s %s %s %q, want %s %s %s %q", i, r.Metric, r.Label, r.Direction, r.DiffUnit, w.metric, w.label, w.dir, w.unit)
		}
		if r.Texts[0] != w.text0 || r.DiffTexts[0] != w.diff || !near(r.Diffs[0], w.d) || r.Diffs[1] != nil || r.DiffTexts[1] != "" {
			t.Errorf("%s: text %q diff %v %q / baseline %v %q, want %q %v %q", w.metric, r.Texts[0], r.Diffs[0], r.DiffTexts[0], r.Diffs[1], r.DiffTexts[1], w.text0, w.d, w.diff)
		}
		if r.Best != w.best {
			t.Errorf("%s: best = %d, want %d", w.metric, r.Best, w.best)
		}
	}
	// 8 min vs 2h 58m: 480 s - 10680 s = -10200 s = -2h 50m; $1.42 - $32.10 = -$30.68.
	d, k := c.Duration, c.Cost
	if d.Texts[0] != "8 min" || d.Texts[1] != "2h 58m" || !near(d.Diffs[0], -10200) || d.DiffTexts[0] != "-2h 50m" || d.Best != 0 {
		t.Errorf("duration row = %v %v %v best %d", d.Texts, d.Diffs[0], d.DiffTexts, d.Best)
	}
	if k.Texts[0] != "$1.42" || k.Texts[1] != "$32.10" || !near(k.Diffs[0], -30.68) || k.DiffTexts[0] != "-$30.68" || k.DiffUnit != UnitUSD {
		t.Errorf("cost row = %v %v %v", k.Texts, k.Diffs[0], k.DiffTexts)
	}
	if !slices.Equal(c.Notes, []string{"Quick Test metrics are indicative (10% data, 2 epochs)"}) {
		t.Errorf("notes = %q", c.Notes)
	}
	wantDiff := map[string][][3]string{ // group → item, values, mark of r042
		GroupQueryTower:     {{"user_id", "64d|64d", "same"}, {"city", "16d|16d", "same"}},
		GroupCandidateTower: {{"product_id", "64d|64d", "same"}, {"product_name", "32d|32d", "same"}, {"category", "16d|16d", "same"}, {"subcategory", "16d|16d", "same"}},
		GroupCrossFeatures:  {{"user_id × city", "5000 buckets|—", "new"}, {"category × subcategory", "1000 buckets|1000 buckets", "same"}},
		GroupTraining: {{"run_type", "Quick Test|Full Training", "changed"}, {"epochs", "2|10", "changed"},
			{"batch_size", "—|4096", "removed"}, {"data_sample_percent", "10%|100%", "changed"}},
		GroupOther: {},
	}
	checkDiff(t, c, wantDiff)
	if s := c.DiffSummary; s[0].Text != "3 changed, 1 new, 1 removed" || s[1].Text != "baseline" {
		t.Errorf("diff summary = %+v", s)
	}
	rec := c.Recommendation
	wantMsg := "config-042 shows +1.2 pp improvement in Recall@100 over config-038 (deployed). Consider running Full Training with config-042 to confirm."
	if rec.Kind != RecommendRunFullTraining || rec.RunID != "r042" || rec.ConfigID != "config-042" || rec.ReferenceRunID != "r038" ||
		!near(rec.Delta, 1.2) || rec.Threshold != 0.5 || rec.DeltaUnit != "pp" || rec.Message != wantMsg || rec.Rule == "" {
		t.Errorf("recommendation = %+v", rec)
	}
}

func checkDiff(t *testing.T, c *Comparison, want map[string][][3]string) {
	t.Helper()
	if len(c.ConfigDiff) != 5 {
		t.Fatalf("diff groups = %d, want 5", len(c.ConfigDiff))
	}
	for _, g := range c.ConfigDiff {
		w, ok := want[g.Name]
		if !ok {
			continue
		}
		var got [][3]string
		for _, e := range g.Entries {
			got = append(got, [3]string{e.Item, strings.Join(e.Values, "|"), e.Marks[0]})
		}
		if len(got) != len(w) || (len(w) > 0 && !slices.Equal(got, w)) {
			t.Errorf("%s = %q, want %q", g.Name, got, w)
		}
	}
}

func TestCompareConfigDiff(t *testing.T) {
	base := Run{ID: "a", Params: NewParams(map[string]string{"cross_features": "a_x_b,c_x_d", "a_x_b_buckets": "100", "c_x_d_buckets": "10",
		"user_id_embedding_dim": "64", "revenue_buckets": "8", "epochs": "2"})}
	other := Run{ID: "b", Params: NewParams(map[string]string{"cross_features": "d_x_c, b_x_a", "b_x_a_buckets": "100", "d_x_c_buckets": "20",
		"user_id_embedding_dim": "64.0", "revenue_buckets": "16", "dropout": "0.1"})}
	c := mustCompare(t, []Run{other, base}, CompareOptions{BaselineID: "a"})
	checkDiff(t, c, map[string][][3]string{
		GroupQueryTower:    {},
		GroupCrossFeatures: {{"d × c", "20 buckets|10 buckets", "changed"}, {"b × a", "100 buckets|100 buckets", "same"}},
		GroupTraining:      {{"epochs", "—|2", "removed"}},
		// No query_tower / candidate_tower params: the dims go to Other under their param name.
		GroupOther: {{"dropout", "0.1|—", "new"}, {"revenue_buckets", "16|8", "changed"}, {"user_id_embedding_dim", "64.0d|64d", "same"}},
	})
	if s := c.DiffSummary[0]; s.Changed != 2 || s.New != 1 || s.Removed != 1 || s.Text != "2 changed, 1 new, 1 removed" {
		t.Errorf("summary = %+v", s)
	}
	twin := base
	twin.ID = "a2"
	twin.Params = NewParams(map[string]string{"cross_features": "c_x_d,b_x_a", "b_x_a_buckets": "100", "d_x_c_buckets": "10",
		"user_id_embedding_dim": "64", "revenue_buckets": "8", "epochs": "2"})
	if s := mustCompare(t, []Run{base, twin}, CompareOptions{}).DiffSummary; s[0].Text != "baseline" || s[1].Text != "same as baseline" {
		t.Errorf("crosses written in another order: summary = %+v, want same as baseline", s)
	}
}

func TestCompareMissingValues(t *testing.T) {
	runs := specRuns()
	runs[0].Metrics = runs[0].Metrics.With("recall_at_50", math.NaN())
	runs[1].Metrics = runs[1].Metrics.With("recall_at_10", math.NaN())
	runs[1].Metrics = runs[1].Metrics.With("mrr", 0.2)
	runs[0].CostUSD = nil
	runs[0].Metrics = runs[0].Metrics.Without("cost_usd")
	c := mustCompare(t, runs, CompareOptions{})
	rows := map[string]MetricRow{}
	for _, r := range c.Metrics {
		rows[r.Metric] = r
	}
	if r := rows["recall_at_50"]; r.Values[0] != nil || r.Texts[0] != NoValue || r.Diffs[0] != nil || r.DiffTexts[0] != NoValue || r.Best != -1 {
		t.Errorf("NaN value: %+v", r)
	}
	if r := rows["recall_at_10"]; !near(r.Values[0], 0.182) || r.Diffs[0] != nil || r.Values[1] != nil {
		t.Errorf("NaN baseline: no diff expected: %+v", r)
	}
	if r := rows["mrr"]; c.Metrics[len(c.Metrics)-1].Metric != "mrr" || r.Values[0] != nil || !near(r.Values[1], 0.2) {
		t.Errorf("extra metric row last: %+v", c.Metrics)
	}
	if k := c.Cost; k.Values[0] != nil || k.Texts[0] != NoValue || k.Diffs[0] != nil {
		t.Errorf("missing cost: %+v", k)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	if s := string(b); !strings.Contains(s, `"values":[null,0.378]`) || !strings.Contains(s, `"diffs":[null,null]`) {
		t.Errorf("JSON does not write missing values as null: %s", s)
	}
}

func TestCompareBaselineAndErrors(t *testing.T) {
	runs := specRuns()
	notDeployed := specRuns()
	notDeployed[1].Deployed = false
	many := make([]Run, 51)
	for i := range many {
		many[i] = Run{ID: "r" + strconv.Itoa(i)}
	}
	for _, tc := range []struct {
		name       string
		runs       []Run
		opts       CompareOptions
		base, why  string
		errField   string
		errMessage string
	}{
		{name: "explicit", runs: runs, opts: CompareOptions{BaselineID: "r042"}, base: "r042", why: BaselineChosen},
		{name: "deployed", runs: runs, base: "r038", why: BaselineDeployed},
		{name: "first", runs: notDeployed, base: "r042", why: BaselineFirst},
		{name: "unknown baseline", runs: runs, opts: CompareOptions{BaselineID: "nope"}, errField: "baseline", errMessage: "not one of the compared runs"},
		{name: "one run", runs: runs[:1], errField: "run_ids", errMessage: "compare 2 to 50 runs, got 1"},
		{name: "51 runs", runs: many, errField: "run_ids", errMessage: "got 51"},
		{name: "duplicate", runs: []Run{runs[0], runs[1], runs[0]}, errField: "run_ids", errMessage: `"r042" is listed twice`},
		{name: "no id", runs: []Run{runs[0], {}}, errField: "run_ids", errMessage: "run 2 has no id"},
		{name: "unknown metric", runs: runs, opts: CompareOptions{Metric: "recall_at_7"}, errField: "metric", errMessage: "is not one of"},
		{name: "50 runs", runs: many[:50], base: "r0", why: BaselineFirst},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := CompareRuns(tc.runs, tc.opts)
			if tc.errField != "" {
				var e *Error
				if !errors.As(err, &e) || e.Code != EINVALID || e.Field != tc.errField || !strings.Contains(e.Message, tc.errMessage) {
					t.Fatalf("err = %v, want EINVALID on %s containing %q", err, tc.errField, tc.errMessage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.BaselineID != tc.base || c.BaselineReason != tc.why {
				t.Errorf("baseline = %s (%s), want %s (%s)", c.BaselineID, c.BaselineReason, tc.base, tc.why)
			}
		})
	}
}

// recRun is a finished run with one Recall@100 value.
func recRun(id string, typ RunType, recall float64) Run {
	return Run{ID: id, Name: id + " run", ConfigID: id, ConfigName: id, Type: typ, Status: RunFinished,
		Metrics: NewMetricValues(map[string]float64{"recall_at_100": recall, "loss": 1 - recall})}
}

func TestRecommend(t *testing.T) {
	deployed := func(r Run) Run { r.Deployed = true; return r }
	q, f := QuickTestRun, FullTrainingRun
	for _, tc := range []struct {
		name             string
		runs             []Run
		metric           string
		kind, run, ref   string
		delta, threshold float64
		message          string
	}{
		// 47.3% - 46.1% = 1.2 pp > 0.5 pp.
		{"quick test leads", []Run{recRun("qt", q, 0.473), deployed(recRun("ft", f, 0.461))}, "",
			RecommendRunFullTraining, "qt", "ft", 1.2, 0.5, "qt shows +1.2 pp improvement in Recall@100 over ft (deployed)."},
		// 46.6% - 46.1% = 0.5 pp: exactly the threshold is not more than it.
		{"exactly at threshold", []Run{recRun("qt", q, 0.466), deployed(recRun("ft", f, 0.461))}, "",
			RecommendNoDifference, "qt", "ft", 0.5, 0.5, "No meaningful difference: no run beats ft (deployed) in Recall@100 by more than 0.5 pp (closest: qt, +0.5 pp)."},
		// 46.61% - 46.1% = 0.51 pp.
		{"just over threshold", []Run{recRun("qt", q, 0.4661), deployed(recRun("ft", f, 0.461))}, "",
			RecommendRunFullTraining, "qt", "ft", 0.51, 0.5, "+0.5 pp improvement"},
		// The quick test is measured against the best full training (47.0%), not the baseline: +0.3 pp.
		{"quick test vs best full training", []Run{recRun("base", f, 0.440), recRun("qt", q, 0.473), recRun("ft", f, 0.470)}, "",
			RecommendNoDifference, "qt", "ft", 0.3, 0.5, "no run beats ft (Full Training)"},
		// 47.0% - 46.1% = 0.9 pp over the deployed run.
		{"full training leads deployed", []Run{recRun("qt", q, 0.465), deployed(recRun("dep", f, 0.461)), recRun("ft", f, 0.470)}, "",
			RecommendPromote, "ft", "dep", 0.9, 0.5, `ft beats dep (deployed) by +0.9 pp in Recall@100: consider promoting run "ft run".`},
		// No deployed run: against the baseline (the first run), 47.0% - 45.0% = 2 pp.
		{"full training leads baseline", []Run{recRun("base", f, 0.450), recRun("ft", f, 0.470)}, "",
			RecommendPromote, "ft", "base", 2, 0.5, "ft beats base (baseline) by +2.0 pp"},
		// The deployed run is best: the closest challenger is 46.1% - 47.0% = -0.9 pp.
		{"deployed is best", []Run{recRun("ft", f, 0.461), deployed(recRun("dep", f, 0.470))}, "",
			RecommendNoDifference, "ft", "dep", -0.9, 0.5, "no run beats dep (deployed) in Recall@100 by more than 0.5 pp (closest: ft, -0.9 pp)"},
		// The failed quick test (60%) is ignored; the other one leads by 46.3% - 46.1% = 0.2 pp.
		{"failed never recommended", []Run{asFailed(recRun("bad", q, 0.60)), recRun("qt", q, 0.463), deployed(recRun("ft", f, 0.461))}, "",
			RecommendNoDifference, "qt", "ft", 0.2, 0.5, "closest: qt, +0.2 pp"},
		// Loss is minimised: 0.32 - 0.30 = 0.02 improvement, threshold 1% of 0.32 = 0.0032.
		{"loss as primary metric", []Run{lossRun("qt", q, 0.30), deployed(lossRun("ft", f, 0.32))}, "loss",
			RecommendRunFullTraining, "qt", "ft", 0.02, 0.0032, "qt shows +0.02 improvement in Loss"},
		{"only one has the metric", []Run{recRun("qt", q, 0.47), lossRun("ft", f, 0.3)}, "",
			RecommendInsufficientData, "", "", math.NaN(), 0.5, "Only qt has Recall@100; there is nothing to compare it with."},
		{"no run has the metric", []Run{lossRun("qt", q, 0.3), lossRun("ft", f, 0.3)}, "",
			RecommendInsufficientData, "", "", math.NaN(), 0.5, "No run that did not fail has Recall@100."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCompare(t, tc.runs, CompareOptions{Metric: tc.metric})
			r := c.Recommendation
			if r.Kind != tc.kind || r.RunID != tc.run || r.ReferenceRunID != tc.ref || !strings.Contains(r.Message, tc.message) {
				t.Errorf("got %s %s vs %s %q, want %s %s vs %s containing %q", r.Kind, r.RunID, r.ReferenceRunID, r.Message, tc.kind, tc.run, tc.ref, tc.message)
			}
			if math.IsNaN(tc.delta) && r.Delta != nil || !math.IsNaN(tc.delta) && !near(r.Delta, tc.delta) || math.Abs(float64(r.Threshold)-tc.threshold) > 1e-12 {
				t.Errorf("delta %v threshold %v, want %v %v", r.Delta, r.Threshold, tc.delta, tc.threshold)
			}
			if !strings.Contains(r.Rule, "failed runs are never recommended") {
				t.Errorf("rule = %q", r.Rule)
			}
		})
	}
}

// lossRun is a finished run with only a loss.
func lossRun(id string, typ RunType, loss float64) Run {
	return Run{ID: id, Name: id + " run", ConfigID: id, ConfigName: id, Type: typ, Status: RunFinished, Metrics: NewMetricValues(map[string]float64{"loss": loss})}
}

func TestCompareNotesAndJSON(t *testing.T) {
	a, b, c := recRun("a", QuickTestRun, 0.4), recRun("b", QuickTestRun, math.NaN()), asFailed(recRun("c", FullTrainingRun, math.Inf(1)))
	a.Params = NewParams(map[string]string{"data_sample_percent": "10", "epochs": "2"})
	b.Params = NewParams(map[string]string{"data_sample_percent": "20", "epochs": "3"})
	nan := math.NaN()
	c.CostUSD = &nan
	c.Failure = &Failure{Stage: "Transform", Reason: "OOM during Transform"}
	cmp := mustCompare(t, []Run{a, b, c}, CompareOptions{})
	want := []string{"Quick Test metrics are indicative (10% data, 2 epochs; 20% data, 3 epochs)",
		"c run failed (OOM during Transform): it is never recommended"}
	if !slices.Equal(cmp.Notes, want) {
		t.Errorf("notes = %q, want %q", cmp.Notes, want)
	}
	if _, err := json.Marshal(cmp); err != nil {
		t.Fatalf("json.Marshal with NaN and Inf: %v", err)
	}
}

// asFailed marks r as a failed run.
func asFailed(r Run) Run { r.Status = RunFailed; return r }
