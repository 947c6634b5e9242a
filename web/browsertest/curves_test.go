package browsertest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// TestCompareOverlaysTrainingCurves: comparing two full trainings of the demo (logged into
// a real MLflow) draws their per-epoch loss and Recall@100 on one chart each, one colour
// a run, named in the legend; every point is the value MLflow holds for that epoch.
func TestCompareOverlaysTrainingCurves(t *testing.T) {
	tb := newTab(t, 1440, 900)
	tb.open(comparePath(w.Full[0], w.Full[1], w.Quick[0]))
	tb.mustSee("#training-curves", "Training Curves")
	legend := eval[[]string](tb, `[...document.querySelectorAll(".curve-legend li")].map(li => li.innerText.trim() + "|" + li.querySelector(".swatch").style.backgroundColor)`)
	if len(legend) != 2 || legend[0] == legend[1] {
		t.Fatalf("legend %q: want the two full trainings (not the quick test), each its colour", legend)
	}
	for i, tr := range w.Set.TrainingRuns[:2] {
		if want := fullName(tr); !strings.HasPrefix(legend[i], want+"|") {
			t.Errorf("legend %d is %q, want %s", i, legend[i], want)
		}
	}
	for _, c := range []struct {
		id string
		at func(mlexp.Metrics) *float64
	}{
		{"curves-loss", func(m mlexp.Metrics) *float64 { return m.Loss }},
		{"curves-recall_at_100", func(m mlexp.Metrics) *float64 { return m.RecallAt100 }},
	} {
		strokes := eval[[]string](tb, fmt.Sprintf(`[...document.querySelectorAll("#%s g.curve")].map(g => g.getAttribute("data-run-id") + " " + g.querySelector("path").getAttribute("stroke"))`, c.id))
		if len(strokes) != 2 || strokes[0] != w.Full[0]+" #0072b2" || strokes[1] != w.Full[1]+" #d55e00" {
			t.Errorf("%s: curves %q, want the two runs in their legend colours", c.id, strokes)
		}
		for i, tr := range w.Set.TrainingRuns[:2] {
			pts := eval[[]string](tb, fmt.Sprintf(`[...document.querySelectorAll('#%s g.point[data-run-id="%s"]')].map(g => g.dataset.step + " " + g.dataset.value)`, c.id, w.Full[i]))
			h := tr.TrainingRun.History
			if len(pts) != len(h) {
				t.Errorf("%s of %s: %d points, want one an epoch (%d)", c.id, fullName(tr), len(pts), len(h))
				continue
			}
			for j, e := range h[:len(h)-1] { // the last epoch holds the final value
				if want := strconv.Itoa(e.Epoch) + " " + strconv.FormatFloat(*c.at(e.Metrics), 'g', -1, 64); pts[j] != want {
					t.Errorf("%s of %s, epoch %d: %q, want %q", c.id, fullName(tr), e.Epoch, pts[j], want)
					break
				}
			}
		}
	}
}
