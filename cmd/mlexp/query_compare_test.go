package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

func TestQueryCompare(t *testing.T) {
	m := seedQueryModel(t)
	// Flags may come before, between or after the run ids.
	out := mustQuery(t, "compare", m.quick42, "--color", "never", m.full38)
	noESC(t, out)
	if miss := missing(out, "Compare Experiments", "Selected: config-042 (Quick Test #3) vs config-038 (Full Training #45)",
		"Baseline: config-038 (Full Training #45), the deployed run", "METRICS COMPARISON", "Recall@100", "★47.3%", "46.2%", "+1.1 pp",
		"Loss", "Duration", "8 min", "2h 58m", "Cost", "$1.42", "$38.50",
		"⚠ Note: Quick Test metrics are indicative (10% data, 2 epochs)", "CONFIGURATION DIFF", "Query Tower", "user_id:", "Candidate Tower",
		"Cross Features", "+ user_id × city:", "← NEW in config-042", "(same)", "Training", "RECOMMENDATION",
		"💡 config-042 shows +1.1 pp improvement in Recall@100", "Consider running Full Training with config-042 to confirm."); len(miss) > 0 {
		t.Errorf("compare lacks %q:\n%s", miss, out)
	}
	assertBoxes(t, out)

	out = mustQuery(t, "compare", "--json", "--baseline", m.quick35, m.quick42, m.quick35, m.failed)
	var c mlexp.Comparison
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("compare --json is not JSON: %v\n%s", err, out)
	}
	if c.BaselineID != m.quick35 || c.BaselineReason != mlexp.BaselineChosen || len(c.Runs) != 3 || c.Recommendation.Kind == "" {
		t.Errorf("compare --json = %+v", c)
	}
	out = mustQuery(t, "compare", m.quick35, m.quick42, m.quick38)
	if miss := missing(out, "(baseline)", "NEW in config-042, config-038", "changed in config-042, config-038"); len(miss) > 0 {
		t.Errorf("3-run compare lacks %q:\n%s", miss, out)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{m.quick42}, "compare: give 2 to 50 run ids, not 1"},
		{[]string{m.quick42, "0123456789abcdef0123456789abcdef"}, `RUN_ID: run "0123456789abcdef0123456789abcdef" does not exist in MLflow`},
		{[]string{m.quick42, m.quick42}, "RUN_ID: run"},
		{[]string{m.quick42, m.full38, "--baseline", m.quick35}, "--baseline: run"},
	} {
		_, _, err := runQuery(t, append([]string{"compare"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("compare %q: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}

func TestSplitQueryArgs(t *testing.T) {
	opts := compareOptions()
	for _, tc := range []struct {
		args, flags, positional []string
	}{
		{[]string{"a", "--baseline", "a", "b"}, []string{"--baseline", "a"}, []string{"a", "b"}},
		{[]string{"--json", "a", "b"}, []string{"--json=true"}, []string{"a", "b"}},
		{[]string{"a", "--json", "false", "b"}, []string{"--json=false"}, []string{"a", "b"}},
		{[]string{"-json=false", "--color=never", "a"}, []string{"-json=false", "--color=never"}, []string{"a"}},
		{[]string{"a", "--", "--json"}, nil, []string{"a", "--json"}},
		{[]string{"--bogus", "a"}, []string{"--bogus"}, []string{"a"}},
	} {
		flags, positional := splitQueryArgs(tc.args, opts)
		if !slices.Equal(flags, tc.flags) || !slices.Equal(positional, tc.positional) {
			t.Errorf("splitQueryArgs(%q) = %q, %q; want %q, %q", tc.args, flags, positional, tc.flags, tc.positional)
		}
	}
}
