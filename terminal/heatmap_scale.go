package terminal

import (
	"math"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// termHeatLevels is how many bar lengths (and colours) a heatmap cell can have.
const termHeatLevels = 5

// termHeatColors is a viridis-like ramp in the xterm 256-colour palette, from the worst level
// to the best: dark purple, blue, teal, green, yellow. It stays ordered in lightness, so
// that it reads with any kind of colour blindness and in grey.
var termHeatColors = [termHeatLevels]int{53, 60, 30, 77, 220}

// termHeatScale maps a cell's value to a bar from 1 to termHeatLevels blocks, longer for
// better values. Its thresholds are round numbers (multiples of 1, 2, 2.5 or 5 times a power
// of ten, in the units shown: percent for recall) strictly inside the heatmap's range, at
// most termHeatLevels-1 of them, so that the legend reads "█████ ≥46% ████ 44-46% …" and
// agrees exactly with the bars.
type termHeatScale struct {
	metric     string
	lower      bool      // lower is better
	mul        float64   // 100 for fractions shown as percentages, else 1
	suffix     string    // "%" or ""
	prefix     string    // "$" for a cost in dollars (the metric-spec table's unit), or ""
	thresholds []float64 // ascending, in shown units
	digits     int       // decimals of the thresholds
	lo, hi     float64   // range of the values, in the metric's unit
	empty      bool      // no value at all
}

func newTermHeatScale(h *mlexp.Heatmap) termHeatScale {
	s := termHeatScale{metric: h.Metric, lower: mlexp.LowerIsBetter(h.Metric), mul: 1}
	if mlexp.IsFraction(h.Metric) {
		s.mul, s.suffix = 100, "%"
	}
	if mlexp.MetricSpecOf(h.Metric).Unit == mlexp.UnitUSDValue {
		s.prefix = "$"
	}
	s.lo, s.hi = math.Inf(1), math.Inf(-1)
	for _, c := range h.Cells {
		if c.Empty || c.Value == nil {
			continue
		}
		v := float64(*c.Value)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		s.lo, s.hi = min(s.lo, v), max(s.hi, v)
	}
	if s.lo > s.hi {
		s.empty = true
		return s
	}
	lo, hi := termRound(s.lo*s.mul), termRound(s.hi*s.mul)
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return s
	}
	// The smallest round step with at most termHeatLevels-1 thresholds inside the range.
	exp := math.Floor(math.Log10((hi - lo) / termHeatLevels))
	for tries := 0; tries < 40; tries++ {
		for _, m := range []float64{1, 2, 2.5, 5} {
			step := m * math.Pow(10, exp)
			if step < (hi-lo)/termHeatLevels {
				continue
			}
			digits := max(0, -int(exp))
			if m == 2.5 {
				digits = max(0, 1-int(exp))
			}
			var th []float64
			for k := math.Floor(lo/step) + 1; ; k++ {
				t := termRound(k * step)
				if t <= lo {
					continue
				}
				if t >= hi || len(th) == termHeatLevels {
					break
				}
				th = append(th, t)
			}
			if len(th) < termHeatLevels {
				s.thresholds, s.digits = th, digits
				return s
			}
		}
		exp++
	}
	return s
}

// termRound drops float noise: 0.46*100 is 46.00000000000001.
func termRound(v float64) float64 { return math.Round(v*1e9) / 1e9 }

// levels is how many bar lengths the scale uses.
func (s termHeatScale) levels() int { return len(s.thresholds) + 1 }

// index is the level of v (in the metric's unit) from 1 (worst) to levels() (best).
func (s termHeatScale) index(v float64) int {
	v = termRound(v * s.mul)
	n := 0
	for _, t := range s.thresholds {
		if (!s.lower && v >= t) || (s.lower && v < t) {
			n++
		}
	}
	if s.lower {
		return s.levels() - len(s.thresholds) + n
	}
	return 1 + n
}

// bar is the number of blocks of level i: the best level has termHeatLevels.
func (s termHeatScale) bar(i int) int { return termHeatLevels - (s.levels() - i) }

// level is the number of blocks of the bar of v.
func (s termHeatScale) level(v float64) int { return s.bar(s.index(v)) }

func (s termHeatScale) format(v float64) string {
	digits := s.digits
	if s.prefix == "$" {
		digits = max(digits, 2) // dollars and cents, as everywhere
	}
	return s.prefix + strconv.FormatFloat(v, 'f', digits, 64) + s.suffix
}

// legend lists the bars from the best down: "█████ ≥46% ████ 44-46% ███ 42-44% ██ <42%".
func (s termHeatScale) legend(o Options) string {
	if s.empty {
		return ""
	}
	th := s.thresholds
	n := len(th)
	if n == 0 {
		r := mlexp.FormatMetric(s.metric, s.lo)
		if s.hi != s.lo {
			r += "-" + mlexp.FormatMetric(s.metric, s.hi)
		}
		return termHeatBar(o, termHeatLevels) + " " + r
	}
	var parts []string
	for i := s.levels(); i >= 1; i-- {
		k := i - 1 // thresholds at or below the values of level i
		if s.lower {
			k = s.levels() - i
		}
		var r string
		switch {
		case k == 0:
			r = "<" + s.format(th[0])
		case k == n:
			r = "≥" + s.format(th[n-1])
		default:
			r = strings.TrimSuffix(s.format(th[k-1]), s.suffix) + "-" + s.format(th[k])
		}
		parts = append(parts, termHeatBar(o, s.bar(i))+" "+r)
	}
	return strings.Join(parts, " ")
}

// termHeatBar is the bar of a level, in the level's colour.
func termHeatBar(o Options, level int) string {
	return o.paint(strings.Repeat("█", level), "38;5;"+strconv.Itoa(termHeatColors[level-1]))
}
