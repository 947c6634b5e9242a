package insight

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

func failedRun(id string, cfg mlexp.FeatureConfig, status, stage, reason string) mlexp.Run {
	r := configRun(id, cfg, 0)
	r.Status, r.Metrics = status, mlexp.NewMetricValues(map[string]float64{})
	if stage != "" || reason != "" {
		r.Failure = &mlexp.Failure{Stage: stage, Reason: reason}
	}
	return r
}

func TestTriageByHand(t *testing.T) {
	big := towerConfig("big", 256, 64, 10, "category_x_subcategory:1000")
	big2 := towerConfig("big2", 256, 32, 10)
	mid := towerConfig("mid", 128, 64, 10, "category_x_subcategory:1000")
	small := towerConfig("small", 64, 64, 10)
	runs := []mlexp.Run{
		failedRun("b1", big, mlexp.RunFailed, "Transform", "OOM during Transform: user:256d embedding too large"),
		failedRun("b2", big, mlexp.RunFailed, "transform", "ResourceExhausted: OOM when allocating tensor of shape [4096,256]"),
		failedRun("b3", big2, mlexp.RunFailed, "TRANSFORM", "java.lang.OutOfMemoryError: Java heap space"),
		failedRun("m1", mid, mlexp.RunFailed, "Train", "Deadline exceeded after 3600 s"),
		configRun("m2", mid, 0.45),
		configRun("m3", mid, 0.46),
		configRun("s1", small, 0.44),
		failedRun("s2", small, mlexp.RunKilled, "", ""),
		failedRun("running", big, mlexp.RunRunning, "", ""), // not completed: not counted
	}
	tr := Triage(runs)
	if tr.Runs != 8 || tr.Failed != 5 {
		t.Fatalf("runs %d failed %d, want 8 and 5", tr.Runs, tr.Failed)
	}
	type reason struct {
		label string
		n     int
		ids   []string
	}
	var got []reason
	for _, g := range tr.Reasons {
		got = append(got, reason{g.Label, g.Failures, g.RunIDs})
	}
	want := []reason{{"OOM in Transform", 3, []string{"b1", "b2", "b3"}}, {"Killed", 1, []string{"s2"}}, {"Timeout in Train", 1, []string{"m1"}}}
	if len(got) != len(want) {
		t.Fatalf("reasons = %+v", got)
	}
	for i := range want {
		if got[i].label != want[i].label || got[i].n != want[i].n || !slices.Equal(got[i].ids, want[i].ids) {
			t.Errorf("reason %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if len(tr.Reasons[0].Messages) != 3 || !closeTo(float64(tr.Reasons[0].Rate), 3.0/5) {
		t.Errorf("OOM group: %+v", tr.Reasons[0])
	}

	// Hand counts over the 8 completed runs (5 failed): user_id_embedding_dim=256 has
	// 3 runs, all failed (others 2 of 5); product_id_embedding_dim=32 is only b3 (1 of 1,
	// others 4 of 7), the same runs as embedding_dims 256/32, which is folded into it (params
	// come first); embedding_dims 256/64 is b1, b2 (2 of 2, others 3 of 6).
	top := tr.Axes[0]
	if top.Axis != "user_id_embedding_dim" || top.Value != "256" || top.Label != "user:256d" || top.Failures != 3 || top.Runs != 3 ||
		!slices.Equal(top.RunIDs, []string{"b1", "b2", "b3"}) {
		t.Fatalf("top axis group = %+v", top)
	}
	if top.Summary != "user:256d fails with OOM in Transform in 3 of 3 runs" {
		t.Errorf("summary = %q", top.Summary)
	}
	numIs(t, "other_rate", top.OtherRate, 2.0/5)
	byLabel := map[string]FailureGroup{}
	for _, g := range tr.Axes {
		byLabel[g.Label] = g
		if float64(g.Rate) <= float64(*g.OtherRate) {
			t.Errorf("%s listed with rate %v ≤ other rate %v", g.Label, g.Rate, *g.OtherRate)
		}
	}
	if g, ok := byLabel["prod:32d"]; !ok || g.Failures != 1 || g.Runs != 1 || !slices.Contains(g.Same, "user:256 prod:32") {
		t.Errorf("prod:32d = %+v (labels %v)", g, slices.Collect(func(yield func(string) bool) {
			for k := range byLabel {
				yield(k)
			}
		}))
	}
	if g, ok := byLabel["user:256 prod:64"]; !ok || g.Failures != 2 || g.Runs != 2 {
		t.Errorf("user:256 prod:64 = %+v", g)
	}
	// mid fails 1 of 3 (33%), others 4 of 5: not an explanation.
	if g, ok := byLabel["user:128d"]; ok {
		t.Errorf("user:128d listed: %+v", g)
	}
	// city_embedding_dim=16 is in every run: it explains nothing.
	if _, ok := byLabel["city:16d"]; ok {
		t.Error("city:16d listed")
	}
	for i := 1; i < len(tr.Axes); i++ {
		a, b := tr.Axes[i-1], tr.Axes[i]
		if a.Rate < b.Rate || a.Rate == b.Rate && a.Failures < b.Failures {
			t.Errorf("axes out of order: %s (%v, %d) before %s (%v, %d)", a.Label, a.Rate, a.Failures, b.Label, b.Rate, b.Failures)
		}
	}
	if b, err := json.Marshal(tr); err != nil || strings.Contains(string(b), "NaN") {
		t.Errorf("json %v", err)
	}
}

func TestTriageWithoutFailures(t *testing.T) {
	cfg := towerConfig("c", 64, 64, 10)
	tr := Triage([]mlexp.Run{configRun("a", cfg, 0.4), configRun("b", cfg, 0.41)})
	if tr.Runs != 2 || tr.Failed != 0 || len(tr.Reasons) != 0 || len(tr.Axes) != 0 {
		t.Errorf("%+v", tr)
	}
	b, _ := json.Marshal(Triage(nil))
	if string(b) != `{"runs":0,"failed":0,"reasons":[],"axes":[]}` {
		t.Errorf("empty triage json = %s", b)
	}
}

func TestFailureReasonNormalisation(t *testing.T) {
	for _, c := range []struct {
		status, stage, msg, want string
	}{
		{mlexp.RunFailed, "Transform", "OOM during Transform: user:256d", "OOM in Transform"},
		{mlexp.RunFailed, " transform ", "CUDA out of memory. Tried to allocate 2.00 GiB", "OOM in Transform"},
		{mlexp.RunFailed, "SchemaGen", "ResourceExhaustedError", "OOM in SchemaGen"},
		{mlexp.RunFailed, "Train", "Job timed out after 2h", "Timeout in Train"},
		{mlexp.RunFailed, "Train", "Loss is NaN at step 1200", "NaN in Train"},
		{mlexp.RunFailed, "Evaluate", "No space left on device", "Disk full in Evaluate"},
		{mlexp.RunKilled, "Train", "VM preempted", "Preempted in Train"},
		{mlexp.RunFailed, "Train", "ValueError: shape 12 does not match 13\ntraceback…", "ValueError in Train"},
		{mlexp.RunFailed, "Train", "worker 17 lost heartbeat", "worker N lost heartbeat in Train"},
		{mlexp.RunFailed, "", "", "Unknown"},
		{mlexp.RunKilled, "", "", "Killed"},
	} {
		r := mlexp.Run{Status: c.status}
		if c.stage != "" || c.msg != "" {
			r.Failure = &mlexp.Failure{Stage: c.stage, Reason: c.msg}
		}
		if got := reasonOf(r).Label; got != c.want {
			t.Errorf("%q / %q: %q, want %q", c.stage, c.msg, got, c.want)
		}
	}
}

func TestTriageOfTheDemo(t *testing.T) {
	runs := demoRuns(42)
	tr := Triage(runs)
	if tr.Failed != 1 || len(tr.Reasons) != 1 || tr.Reasons[0].Label != "OOM in Transform" {
		t.Fatalf("reasons = %+v", tr.Reasons)
	}
	var failed string
	for _, r := range runs {
		if r.Failed() {
			failed = r.ID
			if r.ConfigID != "config-013" {
				t.Fatalf("the demo's failed run is %s of %s", r.ID, r.ConfigID)
			}
		}
	}
	top := tr.Axes[0]
	if top.Label != "user:256d" || top.Failures != 1 || top.Runs != 1 || !slices.Equal(top.RunIDs, []string{failed}) ||
		top.Summary != "user:256d fails with OOM in Transform in 1 of 1 runs" || !slices.Contains(top.Same, "user:256 prod:64") {
		t.Errorf("top = %+v", top)
	}
}
