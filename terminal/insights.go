package terminal

import (
	"fmt"
	"io"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// Limits of the insights screen, so that a large sweep stays readable.
const (
	termInsightConfigs = 15 // configs of the noise table
	termInsightEffects = 8  // parameters of the effects section
	termEffectBar      = 20 // columns of the widest level bar
	termInsightRows    = 8  // rows of the fronts and triage lists
)

// Insights writes the insights of an experiment: quick-test fidelity, the configs
// ranked within noise, parameter effects, what to try next, cost and time fronts with the
// gain per dollar of a full training, and failure triage.
func Insights(w io.Writer, r *insight.Report, o Options) error {
	t := newTermWriter(w)
	termFidelity(t, r, o)
	termNoise(t, r, o)
	termEffects(t, r, o)
	termNext(t, r, o)
	termPareto(t, r, o)
	termTriage(t, r, o)
	termParagraph(t, o, "", fmt.Sprintf("Counted %d of %s: %s that finished with a finite %s. Methods: docs/insights.md",
		r.Counted, mlexp.Plural(r.Runs, "run", "runs"), termRunTypeChoice(r.RunType), r.MetricLabel))
	return t.flush()
}

func termRunTypeChoice(rt string) string {
	switch rt {
	case mlexp.RunTypeAll:
		return "the runs of every type"
	case string(mlexp.FullTrainingRun):
		return "the full trainings"
	}
	return "the quick tests"
}

// termParagraph writes text wrapped to the width, after a marker on its first line.
func termParagraph(t *termWriter, o Options, marker, text string) {
	for i, l := range termWrap(text, o.width()-StringWidth(marker)-1) {
		if i == 0 && marker != "" {
			t.line(marker, " ", l)
		} else if marker != "" {
			t.line(strings.Repeat(" ", StringWidth(marker)+1), l)
		} else {
			t.line(l)
		}
	}
}

func termNumber(n *mlexp.Number) float64 {
	if n == nil {
		return 0
	}
	return float64(*n)
}
