package chart

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/golden"
)

// twoCurves are the loss and Recall@100 histories of two full trainings over 5 epochs
// (the second with a NaN epoch), and a curve of a third run's loss.
func twoCurves() ([]string, []mlexp.RunCurve) {
	ids := []string{"ft3", "ft4", "ft5"}
	var cs []mlexp.RunCurve
	for i, id := range ids[:2] {
		loss := mlexp.RunCurve{RunID: id, RunName: "config-01" + string(rune('1'+i)) + " Full Training #" + string(rune('3'+i)), Metric: "loss"}
		recall := loss
		recall.Metric, recall.Points = "recall_at_100", nil
		for e := int64(1); e <= 5; e++ {
			v := 0.9 - 0.1*float64(e) - 0.02*float64(i)
			if i == 1 && e == 3 {
				v = math.NaN()
			}
			loss.Points = append(loss.Points, mlexp.HistoryPoint{Step: e, Value: v})
			recall.Points = append(recall.Points, mlexp.HistoryPoint{Step: e, Value: 0.3 + 0.03*float64(e) + 0.01*float64(i)})
		}
		cs = append(cs, loss, recall)
	}
	return ids, cs
}

func TestCurvesSVGGolden(t *testing.T) {
	ids, cs := twoCurves()
	b, err := CurvesSVG("loss", ids, cs, SVGOptions{ID: "curves-loss"})
	if err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, b)
	golden.Check(t, "curves_loss.svg", b)
	checkTextSizes(t, "loss curves", root)

	// One curve a run, each in its run's colour; a point for every finite epoch, whose
	// tooltip names the run, the epoch and the value.
	curves := root.find(svgClass("curve"))
	if len(curves) != 2 || curves[0].attrs["data-run-id"] != "ft3" || curves[1].child("path").attrs["stroke"] != RunColor(1) {
		t.Fatalf("curves: %d, want 2 in the runs' colours", len(curves))
	}
	pts := root.find(svgClass("point"))
	if len(pts) != 9 {
		t.Errorf("%d points, want 9 (the NaN epoch left out)", len(pts))
	}
	if tip := pts[2].child("title").text; tip != "config-011 Full Training #3\nEpoch 3 · Loss 0.6" {
		t.Errorf("point tooltip %q", tip)
	}
	if !strings.Contains(root.child("desc").text, "config-012 Full Training #4: 0.78 at epoch 1 to 0.38 at epoch 5.") {
		t.Errorf("description %q", root.child("desc").text)
	}
	again, _ := CurvesSVG("loss", ids, cs, SVGOptions{ID: "curves-loss"})
	if !bytes.Equal(b, again) {
		t.Error("two drawings of the same curves differ")
	}
}

func TestCurvesSVGRecallAndErrors(t *testing.T) {
	ids, cs := twoCurves()
	b, err := CurvesSVG("recall_at_100", ids, cs, SVGOptions{})
	if err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, b)
	if tip := root.find(svgClass("point"))[0].child("title").text; !strings.HasSuffix(tip, "Recall@100 33.0%") {
		t.Errorf("recall tooltip %q, want the value as a percentage", tip)
	}
	if _, err := CurvesSVG("recall_at_10", ids, cs, SVGOptions{}); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("no history of the metric: %v, want EINVALID", err)
	}
}
