package chart

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// RunColors are the colours of the runs of overlaid curves, in order: the Okabe–Ito
// palette (yellow darkened to read on white), distinguishable for the common forms of
// colour blindness. Run i takes RunColors[i % len(RunColors)].
var RunColors = []color.RGBA{
	{0x00, 0x72, 0xb2, 0xff}, {0xd5, 0x5e, 0x00, 0xff}, {0x00, 0x9e, 0x73, 0xff}, {0xcc, 0x79, 0xa7, 0xff},
	{0xe6, 0x9f, 0x00, 0xff}, {0x56, 0xb4, 0xe9, 0xff}, {0x1a, 0x1a, 0x1a, 0xff}, {0x99, 0x88, 0x00, 0xff},
}

// RunColor is the colour of the i-th run of overlaid curves, as "#rrggbb".
func RunColor(i int) string { return hexColor(RunColors[i%len(RunColors)]) }

// Size of a panel of overlaid curves and its plot area's margins.
const (
	cvWidth, cvHeight                = 420.0, 300.0
	cvLeft, cvRight, cvTop, cvBottom = 60.0, 16.0, 36.0, 48.0
)

// CurvesSVG draws the per-epoch curves of one metric of several runs on one chart, one
// colour a run (RunColor of its index in runIDs): the metric against the epoch. Every run
// is a <g class="curve"> with data-run-id and a <title> naming it, its line a <path>; every
// epoch a <g class="point"> with data-run-id, data-step, data-value and a <title> with the
// run, the epoch and the value, for hovering. Curves of other metrics are ignored; values
// that are not finite are left out. All text is XML-escaped.
func CurvesSVG(metric string, runIDs []string, curves []mlexp.RunCurve, opts SVGOptions) ([]byte, error) {
	label := mlexp.MetricLabel(metric)
	var mine []mlexp.RunCurve
	lo, hi, smin, smax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, c := range curves {
		if c.Metric != metric {
			continue
		}
		mine = append(mine, c)
		for _, p := range c.Points {
			if mlexp.IsFinite(p.Value) {
				lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
				smin, smax = math.Min(smin, float64(p.Step)), math.Max(smax, float64(p.Step))
			}
		}
	}
	if len(mine) == 0 || lo > hi {
		return nil, mlexp.Errorf(mlexp.EINVALID, "no run has a history of %s to draw", metric)
	}
	if smax <= smin {
		smin, smax = smin-1, smax+1
	}
	ylo, yhi := padRange(lo, hi)
	pw, ph := cvWidth-cvLeft-cvRight, cvHeight-cvTop-cvBottom
	px := func(s float64) float64 { return cvLeft + (s-smin)/(smax-smin)*pw }
	py := func(v float64) float64 { return cvTop + ph - (v-ylo)/(yhi-ylo)*ph }
	format := func(v float64) string { return mlexp.FormatMetric(metric, v) }

	id := svgID(opts.ID, "mlexp-curves")
	title := cmp.Or(opts.Title, label+" by epoch")
	w := &svgWriter{}
	w.printf(`<svg xmlns="http://www.w3.org/2000/svg" id="%s" class="mlexp-chart mlexp-curves" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-labelledby="%s-title %s-desc" font-family="%s" data-metric="%s">`+"\n",
		id, svgNum(cvWidth), svgNum(cvHeight), svgNum(cvWidth), svgNum(cvHeight), id, id, xmlEsc(svgFontFamily), xmlEsc(metric))
	w.printf(`<title id="%s-title">%s</title>`+"\n", id, xmlEsc(title))
	w.printf(`<desc id="%s-desc">%s</desc>`+"\n", id, xmlEsc(curvesDesc(metric, mine)))
	w.printf(`<rect class="background" width="100%%" height="100%%" fill="#ffffff"/>` + "\n")
	w.text(cvLeft, 22, "start", 14, true, svgInk, "title", title, "")
	for _, t := range innerTicks(rangeTicks(ylo, yhi, false, format)) {
		y := cvTop + ph - t.pos*ph
		w.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`+"\n", svgNum(cvLeft), svgNum(y), svgNum(cvLeft+pw), svgNum(y), hexColor(scGrid))
		w.text(cvLeft-6, y+4, "end", 11, false, svgInk, "tick", t.label, "")
	}
	for _, t := range rangeTicks(smin, smax, false, func(v float64) string { return strconv.FormatFloat(math.Round(v), 'f', 0, 64) }) {
		x := cvLeft + t.pos*pw
		w.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`+"\n", svgNum(x), svgNum(cvTop+ph), svgNum(x), svgNum(cvTop+ph+4), hexColor(svgAxisColor))
		w.text(x, cvTop+ph+17, "middle", 11, false, svgInk, "tick", t.label, "")
	}
	w.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="%s"/>`+"\n", svgNum(cvLeft), svgNum(cvTop), svgNum(pw), svgNum(ph), hexColor(svgAxisColor))
	w.text(cvLeft+pw/2, cvHeight-10, "middle", 12, false, svgInk, "axis-label", "Epoch", "")
	for _, c := range mine {
		col := RunColors[max(0, slices.Index(runIDs, c.RunID))%len(RunColors)]
		name := cmp.Or(c.RunName, c.RunID)
		w.printf(`<g class="curve" data-run-id="%s"><title>%s</title>`+"\n", xmlEsc(c.RunID), xmlEsc(name))
		var d strings.Builder
		for _, p := range c.Points {
			if mlexp.IsFinite(p.Value) {
				fmt.Fprintf(&d, "%s%s %s", map[bool]string{true: "M", false: "L"}[d.Len() == 0], svgNum(px(float64(p.Step))), svgNum(py(p.Value)))
			}
		}
		w.printf(`<path d="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", d.String(), hexColor(col))
		for _, p := range c.Points {
			if !mlexp.IsFinite(p.Value) {
				continue
			}
			w.printf(`<g class="point" data-run-id="%s" data-step="%d" data-value="%s"><title>%s</title><circle cx="%s" cy="%s" r="3.5" fill="%s" stroke="#ffffff"/></g>`+"\n",
				xmlEsc(c.RunID), p.Step, fmtData(p.Value), xmlEsc(fmt.Sprintf("%s\nEpoch %d · %s %s", name, p.Step, label, format(p.Value))),
				svgNum(px(float64(p.Step))), svgNum(py(p.Value)), hexColor(col))
		}
		w.printf("</g>\n")
	}
	w.printf("</svg>\n")
	return w.Bytes(), nil
}

// curvesDesc describes the curves in words: each run's first and last value.
func curvesDesc(metric string, curves []mlexp.RunCurve) string {
	parts := []string{fmt.Sprintf("%s by epoch of %s.", mlexp.MetricLabel(metric), mlexp.Plural(len(curves), "run", "runs"))}
	for _, c := range curves {
		var first, last *mlexp.HistoryPoint
		for i := range c.Points {
			if mlexp.IsFinite(c.Points[i].Value) {
				if first == nil {
					first = &c.Points[i]
				}
				last = &c.Points[i]
			}
		}
		if first != nil {
			parts = append(parts, fmt.Sprintf("%s: %s at epoch %d to %s at epoch %d.", cmp.Or(c.RunName, c.RunID),
				mlexp.FormatMetric(metric, first.Value), first.Step, mlexp.FormatMetric(metric, last.Value), last.Step))
		}
	}
	return strings.Join(parts, " ")
}
