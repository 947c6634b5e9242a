package chart

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// pcTick is a labelled position (0 bottom, 1 top) on an axis.
type pcTick struct {
	pos   float64
	label string
	full  string // the whole label, as a tooltip, when label is shortened
}

// rangeTicks are lo, hi and round values between them, placed linearly from 0 (lo) to 1
// (hi), or the other way round when flip is set.
func rangeTicks(lo, hi float64, flip bool, format func(float64) string) []pcTick {
	place := func(v float64) pcTick {
		t := (v - lo) / (hi - lo)
		if flip {
			t = 1 - t
		}
		return pcTick{pos: t, label: format(v)}
	}
	ticks := []pcTick{place(lo)}
	seen := map[string]bool{ticks[0].label: true}
	add := func(t pcTick) { // a range narrower than the labels' precision would repeat them
		if !seen[t.label] {
			seen[t.label] = true
			ticks = append(ticks, t)
		}
	}
	add(place(hi))
	step := niceStep((hi - lo) / 5)
	if step > 0 && !math.IsInf(step, 0) {
		for i := math.Ceil(lo / step); i*step < hi && len(ticks) < 20; i++ {
			if v := i * step; (v-lo)/(hi-lo) > 1e-9 && (hi-v)/(hi-lo) > 1e-9 {
				add(place(v))
			}
		}
	}
	return ticks
}

// niceStep rounds a step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, k := range []float64{1, 2, 5, 10} {
		if k*p >= raw {
			return k * p
		}
	}
	return 10 * p
}

// pickTicks keeps ticks whose labels do not overlap on an axis of height axisH: always the
// lowest and the highest, then those at least pcTickGap from the ones kept.
func pickTicks(ticks []pcTick, axisH float64) []pcTick {
	if len(ticks) <= 1 {
		return ticks
	}
	ticks = slices.Clone(ticks)
	slices.SortStableFunc(ticks, func(a, b pcTick) int { return cmp.Compare(a.pos, b.pos) })
	first, last := ticks[0], ticks[len(ticks)-1]
	if (last.pos-first.pos)*axisH < pcTickGap {
		return []pcTick{last}
	}
	kept := []pcTick{first}
	for _, t := range ticks[1 : len(ticks)-1] {
		if (t.pos-kept[len(kept)-1].pos)*axisH >= pcTickGap && (last.pos-t.pos)*axisH >= pcTickGap {
			kept = append(kept, t)
		}
	}
	return append(kept, last)
}

// pcParamTicks are the values of a parameter axis at their positions, as BuildParallel
// places lines: numbers linearly between Min and Max, categories evenly spread. A numeric
// axis of many values gets its ends and round numbers between them instead.
func pcParamTicks(a mlexp.ParallelAxis) []pcTick {
	lo, okLo := finiteNumber(a.Min)
	hi, okHi := finiteNumber(a.Max)
	if a.Kind == mlexp.AxisKindNumeric && len(a.Values) > 8 && okLo && okHi && hi > lo {
		return rangeTicks(lo, hi, false, func(v float64) string { return mlexp.FormatMetric("", v) })
	}
	ticks := make([]pcTick, 0, len(a.Values))
	for i, v := range a.Values {
		label := v
		if i < len(a.Labels) && a.Labels[i] != "" {
			label = a.Labels[i]
		}
		pos := 0.5
		if a.Kind == mlexp.AxisKindNumeric {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || !okLo || !okHi || math.IsNaN(n) {
				continue
			}
			if hi > lo {
				pos = (n - lo) / (hi - lo)
			}
		} else if len(a.Values) > 1 {
			pos = float64(i) / float64(len(a.Values)-1)
		}
		ticks = append(ticks, pcTick{pos: pos, label: label})
	}
	return ticks
}

// pcMetricTicks are the metric's range ends and round values between them, the best on top.
func pcMetricTicks(p *mlexp.Parallel, lower bool) []pcTick {
	lo, okLo := finiteNumber(p.MetricMin)
	hi, okHi := finiteNumber(p.MetricMax)
	format := func(v float64) string { return mlexp.FormatMetric(p.Metric, v) }
	switch {
	case !okLo || !okHi || hi < lo:
		return nil
	case hi == lo:
		return []pcTick{{pos: 0.5, label: format(lo)}}
	}
	return rangeTicks(lo, hi, lower, format)
}
