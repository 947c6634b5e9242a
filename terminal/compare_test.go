package terminal

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp/internal/golden"
)

func TestComparison(t *testing.T) {
	// config-042's quick test against the deployed full training of config-038.
	c := termComparison(t, termRID(42), "full38"+strings.Repeat("0", 26))
	out := termRender(t, func(b *bytes.Buffer) error { return Comparison(b, c, Options{Now: termNow}) })
	golden.Check(t, "compare.txt", []byte(out))
	termCheckPlain(t, out)
	for _, want := range []string{"Selected: config-042 (Quick Test #1) vs config-038 (Full Training #38)",
		"METRICS COMPARISON", "Recall@100", "★47.3%", "+1.1 pp", "Duration", "Cost",
		"⚠ Note: Quick Test metrics are indicative (10% data, 2 epochs)",
		"Query Tower", "Candidate Tower", "Cross Features", "+ user_id × city:", "← NEW in config-042", "(same)",
		"💡 config-042 shows +1.1 pp improvement in Recall@100", "   Consider running Full Training with config-042 to confirm."} {
		if !strings.Contains(out, want) {
			t.Errorf("comparison lacks %q:\n%s", want, out)
		}
	}

	three := termComparison(t, "full38"+strings.Repeat("0", 26), termRID(31), termRID(42))
	out3 := termRender(t, func(b *bytes.Buffer) error { return Comparison(b, three, Options{Now: termNow}) })
	golden.Check(t, "compare3.txt", []byte(out3))
	termCheckPlain(t, out3)
	for _, want := range []string{"← REMOVED in config-031 ", "← NEW in config-042 ", "← changed in config-031, config-042 ", "(baseline)"} {
		if !strings.Contains(out3, want) {
			t.Errorf("3-run comparison lacks %q:\n%s", want, out3)
		}
	}
}
