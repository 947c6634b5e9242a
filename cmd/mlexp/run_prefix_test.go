package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// TestRunIDPrefixes: the commands that take run ids take the 8-character prefixes that the
// runs table shows at 80 columns, looked up in the runs of --model in a real MLflow; a
// prefix too short, or that no run of the model has, is an error naming the argument.
func TestRunIDPrefixes(t *testing.T) {
	m := seedQueryModel(t)
	p := func(id string) string { return id[:mlexp.MinRunIDPrefix] }
	var c mlexp.Comparison
	out := mustQuery(t, "compare", p(m.quick42), p(m.full38), "--model", m.id, "--json")
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("compare --json: %v\n%s", err, out)
	}
	if len(c.Runs) != 2 || c.Runs[0].ID != m.quick42 || c.Runs[1].ID != m.full38 || c.BaselineID != m.full38 {
		t.Errorf("compare by prefixes compared %+v, baseline %s; want %s and %s", c.Runs, c.BaselineID, m.quick42, m.full38)
	}
	out = mustQuery(t, "compare", p(m.quick42), m.full38, "--baseline", p(m.quick42), "--model", m.id)
	if !strings.Contains(out, "Baseline: config-042") {
		t.Errorf("--baseline by prefix:\n%s", out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{p(m.quick42)[:7], m.full38}, `compare: RUN_ID 1: "` + p(m.quick42)[:7] + `" is neither a run id nor a prefix of one: give at least 8 characters`},
		{[]string{m.quick42, "ffffffffe", "--model", m.id}, `compare: RUN_ID 2: no run of the model starts with "ffffffffe"`},
		{[]string{m.quick42, m.full38, "--baseline", "ffffffffe", "--model", m.id}, `compare: --baseline: no run of the model starts with "ffffffffe"`},
		{[]string{p(m.quick42), m.full38, "--model", "no-such-model"}, `compare: --model: model "no-such-model" has no experiment`},
	} {
		_, _, err := runQuery(t, append([]string{"compare"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("compare %q: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}
