package terminal

import (
	"fmt"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// termTriage writes how many runs failed, grouped by reason and by the axes they share.
func termTriage(t *termWriter, r *insight.Report, o Options) {
	tr := r.Triage
	t.section(o, "FAILURE TRIAGE")
	if tr.Failed == 0 {
		t.line(fmt.Sprintf("No failed runs among %s.", mlexp.Plural(tr.Runs, "completed run", "completed runs")))
		t.line()
		return
	}
	t.line(fmt.Sprintf("%d of %s failed.", tr.Failed, mlexp.Plural(tr.Runs, "completed run", "completed runs")))
	for _, groups := range [][]insight.FailureGroup{tr.Reasons, tr.Axes} {
		for i, g := range groups {
			if i == termInsightRows {
				t.line(fmt.Sprintf("  … %d more", len(groups)-i))
				break
			}
			termParagraph(t, o, "  •", g.Summary)
		}
	}
	t.line()
}
