package mlexp_test

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

var bestT0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// bestRun is a FINISHED full training that ended minutes after bestT0.
func bestRun(id string, recall, loss float64, minutes int) mlexp.Run {
	return mlexp.Run{ID: id, Name: "config-" + id + " Full Training #1", ExperimentID: "7", Type: mlexp.FullTrainingRun,
		ConfigID: "config-" + id, ConfigName: "config-" + id, Status: mlexp.RunFinished,
		Start: bestT0, End: bestT0.Add(time.Duration(minutes) * time.Minute), DatasetID: "dataset-001", DatasetVersion: "3",
		Params:  mlexp.NewParams(map[string]string{"run_type": "full_training", "epochs": "20"}),
		Metrics: mlexp.NewMetricValues(map[string]float64{"recall_at_100": recall, "loss": loss})}
}

func with(r mlexp.Run, f func(*mlexp.Run)) mlexp.Run { f(&r); return r }

// allURIs gives every run a model URI, as full trainings logged with model_uri have.
func allURIs(runs []mlexp.Run) map[string]string {
	m := map[string]string{}
	for _, r := range runs {
		m[r.ID] = "gs://models/" + r.ID
	}
	return m
}

// selectBest runs the selection as an adapter does: rank, then read the model URIs the
// ranking asks for, from uris, until it asks for none.
func selectBest(t *testing.T, runs []mlexp.Run, q mlexp.BestQuery, uris map[string]string, deployed *mlexp.Run) (*mlexp.Best, []string) {
	t.Helper()
	if err := q.Normalize(); err != nil {
		t.Fatal(err)
	}
	rk := mlexp.RankForDeployment(runs, q)
	read := map[string]string{}
	var asked []string
	for {
		need := mlexp.NeedModelURIs(rk, read, 2)
		if len(need) == 0 {
			break
		}
		for _, id := range need {
			read[id] = uris[id]
			asked = append(asked, id)
		}
	}
	return mlexp.SelectBest(rk, read, deployed), asked
}

func gate(b *mlexp.Best, name string) int {
	for _, g := range b.Gates {
		if g.Gate == name {
			return g.Removed
		}
	}
	return -1
}

func TestSelectBest(t *testing.T) {
	a, b, c := bestRun("a", 0.46, 0.30, 30), bestRun("b", 0.47, 0.31, 20), bestRun("c", 0.45, 0.25, 10)
	quick := with(bestRun("q", 0.60, 0.20, 5), func(r *mlexp.Run) { r.Type = mlexp.QuickTestRun })
	failed := with(bestRun("f", 0.70, 0.10, 5), func(r *mlexp.Run) { r.Status = mlexp.RunFailed })
	running := with(bestRun("r", 0.65, 0.15, 0), func(r *mlexp.Run) { r.Status, r.End = mlexp.RunRunning, time.Time{} })
	nan := bestRun("n", math.NaN(), math.NaN(), 5)
	inf := bestRun("i", math.Inf(1), math.Inf(-1), 5)
	missing := with(bestRun("m", 0, 0, 5), func(r *mlexp.Run) { r.Metrics = mlexp.NewMetricValues(map[string]float64{}) })
	// Ties on 0.47 with b: t1 finished earlier than b, t2 at the same time as b with a larger id.
	t1, t2 := bestRun("t1", 0.47, 0.3, 15), bestRun("zz", 0.47, 0.3, 20)
	noEnd := with(bestRun("aa", 0.47, 0.3, 0), func(r *mlexp.Run) { r.Status, r.End = mlexp.RunRunning, time.Time{} })
	all := []mlexp.Run{a, b, c, quick, failed, running, nan, inf, missing}

	cases := []struct {
		name           string
		runs           []mlexp.Run
		q              mlexp.BestQuery
		uris           map[string]string // nil: every run has one
		best, runnerUp string            // "" when none
		removed        map[string]int    // by gate
	}{
		{name: "defaults: finished full trainings by recall, NaN and Inf never eligible", runs: all, best: "b", runnerUp: "a",
			removed: map[string]int{mlexp.GateRunType: 1, mlexp.GateStatus: 2, mlexp.GateMetric: 3}},
		{name: "loss: lower is better", runs: all, q: mlexp.BestQuery{Metric: "loss"}, best: "c", runnerUp: "a"},
		{name: "all run types", runs: all, q: mlexp.BestQuery{RunType: "all"}, best: "q", runnerUp: "b"},
		{name: "running allowed, failed never", runs: all, q: mlexp.BestQuery{AllowRunning: true}, best: "r", runnerUp: "b",
			removed: map[string]int{mlexp.GateStatus: 1}},
		{name: "min_value gate", runs: all, q: mlexp.BestQuery{MinValue: new(0.465)}, best: "b", runnerUp: "",
			removed: map[string]int{mlexp.GateMinValue: 2}},
		{name: "max_value gate on loss", runs: all, q: mlexp.BestQuery{Metric: "loss", MaxValue: new(0.28)}, best: "c",
			removed: map[string]int{mlexp.GateMaxValue: 2}},
		{name: "tie: the earlier finish wins", runs: []mlexp.Run{b, t1, a}, best: "t1", runnerUp: "b"},
		{name: "tie: same finish, smaller run id wins", runs: []mlexp.Run{t2, b}, best: "b", runnerUp: "zz"},
		{name: "tie: a run without an end time comes last", runs: []mlexp.Run{noEnd, t2}, q: mlexp.BestQuery{AllowRunning: true}, best: "zz", runnerUp: "aa"},
		{name: "model URI gate skips runs with nothing to deploy", runs: all, uris: map[string]string{"a": "gs://a", "c": "gs://c"},
			best: "a", runnerUp: "c", removed: map[string]int{mlexp.GateModelURI: 1}},
		{name: "NaN only: none eligible", runs: []mlexp.Run{nan, inf}, removed: map[string]int{mlexp.GateMetric: 2}},
		{name: "gates remove everything", runs: all, q: mlexp.BestQuery{MinValue: new(0.9)},
			removed: map[string]int{mlexp.GateRunType: 1, mlexp.GateStatus: 2, mlexp.GateMetric: 3, mlexp.GateMinValue: 3}},
		{name: "no runs", runs: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			uris := tc.uris
			if uris == nil {
				uris = allURIs(tc.runs)
			}
			got, _ := selectBest(t, tc.runs, tc.q, uris, nil)
			id := func(c *mlexp.BestCandidate) string {
				if c == nil {
					return ""
				}
				return c.RunID
			}
			if id(got.Run) != tc.best || id(got.RunnerUp) != tc.runnerUp {
				t.Errorf("best %q, runner-up %q; want %q, %q", id(got.Run), id(got.RunnerUp), tc.best, tc.runnerUp)
			}
			if got.Eligible != (tc.best != "") {
				t.Errorf("eligible = %v", got.Eligible)
			}
			for g, n := range tc.removed {
				if gate(got, g) != n {
					t.Errorf("gate %s removed %d, want %d (%+v)", g, gate(got, g), n, got.Gates)
				}
			}
			if !got.Eligible {
				if !strings.HasPrefix(got.Reason, "no eligible run") {
					t.Errorf("reason %q", got.Reason)
				}
				for g, n := range tc.removed {
					if !strings.Contains(got.Reason, g+" removed "+strconv.Itoa(n)) {
						t.Errorf("reason %q does not say %s removed %d", got.Reason, g, n)
					}
				}
			}
			if got.TieBreak != mlexp.BestTieBreak || got.Considered != len(tc.runs) {
				t.Errorf("tie break %q, considered %d", got.TieBreak, got.Considered)
			}
		})
	}
}

func TestSelectBestAnswer(t *testing.T) {
	a, b := bestRun("a", 0.461, 0.30, 30), bestRun("b", 0.470, 0.31, 20)
	deployed := with(bestRun("d", 0.455, 0.29, 5), func(r *mlexp.Run) { r.Deployed = true; r.ExperimentID = "8" })
	got, _ := selectBest(t, []mlexp.Run{a, b}, mlexp.BestQuery{}, allURIs([]mlexp.Run{a, b}), &deployed)
	r := got.Run
	if r.RunID != "b" || r.ModelURI != "gs://models/b" || r.DatasetVersion != "3" || r.Config["epochs"] != "20" ||
		r.ValueText != "47.0%" || r.EndTime == nil || r.IsDeployed || got.Direction != "max" {
		t.Errorf("run %+v", r)
	}
	if got.Lead == nil || got.Lead.Against != "a" || got.Lead.Text != "+0.9 pp" || math.Abs(float64(got.Lead.Improvement)-0.009) > 1e-12 {
		t.Errorf("lead %+v", got.Lead)
	}
	if got.Deployed == nil || got.Deployed.RunID != "d" || !got.Deployed.IsDeployed {
		t.Errorf("deployed %+v", got.Deployed)
	}
	if m := got.OverDeployed; m == nil || m.Text != "+1.5 pp" || float64(m.Improvement) <= 0 {
		t.Errorf("margin over deployed %+v", m)
	}

	// Loss: the improvement is the reduction, positive although the difference is negative.
	got, _ = selectBest(t, []mlexp.Run{a, b}, mlexp.BestQuery{Metric: "loss"}, allURIs([]mlexp.Run{a, b}), &deployed)
	if m := got.OverDeployed; got.Run.RunID != "a" || m == nil || float64(m.Improvement) >= 0 || float64(m.Difference) <= 0 || m.Text != "+0.01" {
		t.Errorf("loss: best %s, margin %+v (deployed loss 0.29 is better than a's 0.30)", got.Run.RunID, m)
	}

	// The deployed run without the metric: no margin, but still named.
	nanDeployed := with(deployed, func(r *mlexp.Run) { r.Metrics = r.Metrics.With("recall_at_100", math.NaN()) })
	got, _ = selectBest(t, []mlexp.Run{a, b}, mlexp.BestQuery{}, allURIs([]mlexp.Run{a, b}), &nanDeployed)
	if got.OverDeployed != nil || got.Deployed == nil || got.Deployed.Value != nil {
		t.Errorf("NaN deployed: margin %+v, deployed %+v", got.OverDeployed, got.Deployed)
	}

	// The best is the deployed run: margin 0.
	b.Deployed = true
	got, _ = selectBest(t, []mlexp.Run{a, b}, mlexp.BestQuery{}, allURIs([]mlexp.Run{a, b}), &b)
	if !got.Run.IsDeployed || got.OverDeployed == nil || got.OverDeployed.Improvement != 0 {
		t.Errorf("best is deployed: %+v, %+v", got.Run, got.OverDeployed)
	}
}

// TestSelectBestReadsFewModelURIs checks that model URIs are read best first, and only
// until two runs with one are found: each is a request to MLflow.
func TestSelectBestReadsFewModelURIs(t *testing.T) {
	var runs []mlexp.Run
	uris := map[string]string{}
	for i := range 20 {
		id := string(rune('a' + i))
		runs = append(runs, bestRun(id, 0.40+float64(i)/100, 0.3, i))
		if i%2 == 0 {
			uris[id] = "gs://" + id
		}
	}
	got, asked := selectBest(t, runs, mlexp.BestQuery{}, uris, nil)
	// Best first: t (no URI), s, r (no URI), q.
	if got.Run.RunID != "s" || got.RunnerUp.RunID != "q" || !slices.Equal(asked, []string{"t", "s", "r", "q"}) || got.ModelURIChecked != 4 {
		t.Errorf("best %s, runner-up %s, read %v (%d checked)", got.Run.RunID, got.RunnerUp.RunID, asked, got.ModelURIChecked)
	}
	if gate(got, mlexp.GateModelURI) != 2 || got.Candidates != 20 {
		t.Errorf("model_uri removed %d, candidates %d", gate(got, mlexp.GateModelURI), got.Candidates)
	}
}

func TestBestQueryNormalize(t *testing.T) {
	for _, tc := range []struct {
		q     mlexp.BestQuery
		field string
	}{
		{mlexp.BestQuery{}, ""},
		{mlexp.BestQuery{RunType: "deployed"}, "run_type"},
		{mlexp.BestQuery{MinValue: new(math.NaN())}, "min_value"},
		{mlexp.BestQuery{MaxValue: new(math.Inf(1))}, "max_value"},
		{mlexp.BestQuery{MinValue: new(0.5), MaxValue: new(0.4)}, "min_value"},
		{mlexp.BestQuery{Metric: strings.Repeat("m", 251)}, "metric"},
	} {
		err := tc.q.Normalize()
		var field string
		if e, ok := err.(*mlexp.Error); ok {
			field = e.Field
		}
		if field != tc.field || (tc.field == "") != (err == nil) {
			t.Errorf("%+v: %v, want field %q", tc.q, err, tc.field)
		}
	}
	q := mlexp.BestQuery{}
	_ = q.Normalize()
	if q.Metric != "recall_at_100" || q.RunType != "full_training" {
		t.Errorf("defaults %+v", q)
	}
}

func TestCheckPromotion(t *testing.T) {
	ok := mlexp.Promotable{Run: bestRun("a", 0.4, 0.3, 1), ModelURI: "gs://a", RunModel: "model-7"}
	for _, tc := range []struct {
		name          string
		p             mlexp.Promotable
		reason, field string
	}{
		{"fine", ok, "", ""},
		{"fine under its model", with2(ok, func(p *mlexp.Promotable) { p.AskedFor = "model-7" }), "", ""},
		{"failed", with2(ok, func(p *mlexp.Promotable) { p.Run.Status = mlexp.RunFailed }), mlexp.RefusedNotFinished, "run_id"},
		{"running", with2(ok, func(p *mlexp.Promotable) { p.Run.Status = mlexp.RunRunning }), mlexp.RefusedNotFinished, "run_id"},
		{"no model URI", with2(ok, func(p *mlexp.Promotable) { p.ModelURI = "" }), mlexp.RefusedNoModelURI, "run_id"},
		{"another model's", with2(ok, func(p *mlexp.Promotable) { p.AskedFor = "model-8" }), mlexp.RefusedOtherModel, "model_id"},
		{"no model", with2(ok, func(p *mlexp.Promotable) { p.RunModel = "" }), mlexp.RefusedNoModel, "run_id"},
		{"no model, asked under one", with2(ok, func(p *mlexp.Promotable) { p.RunModel, p.AskedFor = "", "model-7" }), mlexp.RefusedOtherModel, "model_id"},
		{"deleted", with2(ok, func(p *mlexp.Promotable) { p.Deleted = true }), mlexp.RefusedDeleted, "run_id"},
	} {
		model, err := mlexp.CheckPromotion(tc.p)
		if tc.reason == "" {
			if err != nil || model != "model-7" {
				t.Errorf("%s: %q, %v", tc.name, model, err)
			}
			continue
		}
		e, isErr := err.(*mlexp.Error)
		if !isErr || e.Code != mlexp.ECONFLICT || e.Field != tc.field || e.Details["reason"] != tc.reason || !strings.Contains(e.Message, tc.p.Run.ID) {
			t.Errorf("%s: %v (%+v), want a conflict on %s for %s", tc.name, err, e, tc.field, tc.reason)
		}
	}
	if err := mlexp.CheckNote(strings.Repeat("x", mlexp.MaxDeploymentNote+1)); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("long note: %v", err)
	}
}

func with2(p mlexp.Promotable, f func(*mlexp.Promotable)) mlexp.Promotable { f(&p); return p }
