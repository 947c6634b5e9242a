package mlexp

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
)

// MaxParallelAxes is how many axes a parallel-coordinates chart may have.
const MaxParallelAxes = 12

// Axis kinds of a parallel-coordinates chart.
const (
	AxisKindNumeric     = "numeric"
	AxisKindCategorical = "categorical"
)

// ParallelQuery asks for a parallel-coordinates chart of Metric over Axes.
type ParallelQuery struct {
	// Axes are axis names (see Axes); default user_id_embedding_dim,
	// product_id_embedding_dim, num_crosses and revenue_buckets, those the runs differ on.
	Axes    []string `json:"axes"`
	Metric  string   `json:"metric"`   // default recall_at_100
	RunType string   `json:"run_type"` // all (default), quick_test or full_training
}

// Check fills in defaults and validates the query against runs: an unknown axis, metric
// or run type, a repeated axis, or more than MaxParallelAxes axes is an EINVALID error
// naming the parameter.
func (q *ParallelQuery) Check(runs []Run) error {
	q.Metric = cmp.Or(q.Metric, MetricRecallAt100)
	q.RunType = cmp.Or(q.RunType, RunTypeAll)
	if len(q.Axes) == 0 {
		q.Axes = defaultParallelAxes(runs)
	}
	if len(q.Axes) > MaxParallelAxes {
		return InvalidField("axes", "%d axes; at most %d", len(q.Axes), MaxParallelAxes)
	}
	for i, a := range q.Axes {
		if err := CheckAxis("axes", a, runs); err != nil {
			return err
		}
		if slices.Contains(q.Axes[:i], a) {
			return InvalidField("axes", "%s given twice", strconv.Quote(a))
		}
	}
	if err := CheckMetric("metric", q.Metric, runs); err != nil {
		return err
	}
	return checkChoice("run_type", q.RunType, runTypes)
}

// defaultParallelAxes are the spec's axes — user and product embedding dims, crosses,
// revenue buckets — leaving out those on which the runs do not differ (a param no run has,
// or one value everywhere): such an axis draws every line through one point. When none
// differs, num_crosses stays, so that the chart has an axis.
func defaultParallelAxes(runs []Run) []string {
	var axes []string
	for _, a := range []string{"user_id_embedding_dim", "product_id_embedding_dim", AxisNumCrosses, "revenue_buckets"} {
		if axisVaries(runs, a) {
			axes = append(axes, a)
		}
	}
	if len(axes) == 0 {
		axes = []string{AxisNumCrosses}
	}
	return axes
}

// axisVaries says whether the runs have at least two values on axis (Missing not counted).
func axisVaries(runs []Run, axis string) bool {
	first := ""
	for _, r := range runs {
		v := AxisValue(r, axis)
		switch {
		case v == Missing:
		case first == "":
			first = v
		case v != first:
			return true
		}
	}
	return false
}

// Parallel is a parallel-coordinates chart: one vertical axis per parameter, then the
// metric, and one line per run across them.
type Parallel struct {
	Metric      string         `json:"metric"`
	MetricLabel string         `json:"metric_label"`
	Direction   string         `json:"direction"` // max or min
	RunType     string         `json:"run_type"`
	Axes        []ParallelAxis `json:"axes"`
	Lines       []ParallelLine `json:"lines"`      // best first
	MetricMin   *Number        `json:"metric_min"` // nil without lines
	MetricMax   *Number        `json:"metric_max"`
	Skipped     int            `json:"skipped"` // runs of the type left out: failed, or without the metric
}

// ParallelAxis is one axis. Values are its distinct values in natural order: the categories
// of a categorical axis, evenly spread from 0 to 1, or the tick values of a numeric one,
// placed linearly between Min and Max.
type ParallelAxis struct {
	Name   string   `json:"name"`
	Label  string   `json:"label"`
	Kind   string   `json:"kind"` // numeric or categorical
	Values []string `json:"values"`
	Labels []string `json:"labels"`
	Min    *Number  `json:"min"` // numeric axes only
	Max    *Number  `json:"max"`
}

// ParallelLine is one run across the axes. Positions are 0..1 along each axis (nil where
// the run lacks the value); MetricPosition is 0..1 oriented so that 1 is the best value.
type ParallelLine struct {
	RunID          string    `json:"run_id"`
	RunName        string    `json:"run_name"`
	RunType        RunType   `json:"run_type"`
	Values         []string  `json:"values"` // Missing where the run lacks the value
	Positions      []*Number `json:"positions"`
	Metric         *Number   `json:"metric"`
	MetricPosition *Number   `json:"metric_position"`
	Best           bool      `json:"best"`
	Deployed       bool      `json:"deployed"`
}

// BuildParallel computes the chart of q (checked with Check) over runs. Failed runs and
// runs without a finite value of the metric are counted in Skipped, not drawn. An axis is
// numeric when every value present on it is a number, categorical otherwise.
func BuildParallel(runs []Run, q ParallelQuery) *Parallel {
	p := &Parallel{Metric: q.Metric, MetricLabel: MetricLabel(q.Metric), Direction: Direction(q.Metric), RunType: cmp.Or(q.RunType, RunTypeAll),
		Axes: make([]ParallelAxis, len(q.Axes)), Lines: []ParallelLine{}}
	var drawn []*Run
	var metric []float64
	for i := range runs {
		r := &runs[i]
		if p.RunType != RunTypeAll && string(r.Type) != p.RunType {
			continue
		}
		v, ok := r.Metric(q.Metric)
		if r.Failed() || !ok || IsInfinite(v) {
			p.Skipped++
			continue
		}
		drawn = append(drawn, r)
		metric = append(metric, v)
	}
	order := make([]int, len(drawn))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if metric[a] != metric[b] {
			if Better(q.Metric, metric[a], metric[b]) {
				return -1
			}
			return 1
		}
		return newerRun(drawn[a], drawn[b])
	})
	for _, i := range order {
		p.Lines = append(p.Lines, ParallelLine{RunID: drawn[i].ID, RunName: drawn[i].Name, RunType: drawn[i].Type, Deployed: drawn[i].Deployed,
			Values: make([]string, len(q.Axes)), Positions: make([]*Number, len(q.Axes)), Metric: new(Number(metric[i]))})
	}
	for ai, axis := range q.Axes {
		reader := newAxisReader(axis)
		for li, ri := range order {
			p.Lines[li].Values[ai] = reader.value(drawn[ri])
		}
		p.Axes[ai] = parallelAxis(axis, p.Lines, ai)
	}
	if len(metric) > 0 {
		lo, hi := slices.Min(metric), slices.Max(metric)
		p.MetricMin, p.MetricMax = new(Number(lo)), new(Number(hi))
		for li := range p.Lines {
			pos := unitPosition(float64(*p.Lines[li].Metric), lo, hi)
			if LowerIsBetter(q.Metric) {
				pos = 1 - pos
			}
			p.Lines[li].MetricPosition = new(Number(pos))
		}
		p.Lines[0].Best = true
	}
	return p
}

// parallelAxis describes axis ai from the lines' values and places every line on it.
func parallelAxis(axis string, lines []ParallelLine, ai int) ParallelAxis {
	a := ParallelAxis{Name: axis, Label: AxisLabelName(axis), Kind: AxisKindNumeric, Values: []string{}, Labels: []string{}}
	numbers := map[string]float64{}
	for _, l := range lines {
		v := l.Values[ai]
		if v == Missing {
			continue
		}
		if _, seen := numbers[v]; seen {
			continue
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			a.Kind = AxisKindCategorical
		}
		numbers[v] = n
		a.Values = append(a.Values, v)
	}
	if len(a.Values) == 0 {
		a.Kind = AxisKindCategorical
	}
	if a.Kind == AxisKindNumeric {
		slices.SortFunc(a.Values, func(x, y string) int {
			return cmp.Or(cmp.Compare(numbers[x], numbers[y]), NaturalCompare(x, y))
		})
		lo, hi := numbers[a.Values[0]], numbers[a.Values[len(a.Values)-1]]
		a.Min, a.Max = new(Number(lo)), new(Number(hi))
		for li := range lines {
			if v := lines[li].Values[ai]; v != Missing {
				lines[li].Positions[ai] = new(Number(unitPosition(numbers[v], lo, hi)))
			}
		}
	} else {
		SortAxisValues(axis, a.Values)
		rank := make(map[string]int, len(a.Values))
		for i, v := range a.Values {
			rank[v] = i
		}
		for li := range lines {
			if i, ok := rank[lines[li].Values[ai]]; ok {
				lines[li].Positions[ai] = new(Number(unitPosition(float64(i), 0, float64(len(a.Values)-1))))
			}
		}
	}
	for _, v := range a.Values {
		a.Labels = append(a.Labels, AxisLabel(axis, v))
	}
	return a
}

// unitPosition places v linearly between lo (0) and hi (1); in the middle when lo == hi.
func unitPosition(v, lo, hi float64) float64 {
	if hi <= lo {
		return 0.5
	}
	return (v - lo) / (hi - lo)
}
