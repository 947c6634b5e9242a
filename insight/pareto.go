package insight

import (
	"cmp"
	"slices"

	"github.com/mlexp-dev/mlexp"
)

// Resources a metric is traded against on a Pareto front.
const (
	ResourceCost     = "cost_usd"         // dollars: the run's cost_usd
	ResourceDuration = "duration_seconds" // wall-clock seconds from start to end
)

// ParetoPoint is one run on a metric-versus-resource chart.
type ParetoPoint struct {
	RunID    string        `json:"run_id"`
	RunName  string        `json:"run_name"`
	ConfigID string        `json:"config_id"`
	RunType  mlexp.RunType `json:"run_type"`
	Value    float64       `json:"value"`    // the metric; always finite
	Resource float64       `json:"resource"` // dollars or seconds; always finite, ≥ 0
	OnFront  bool          `json:"on_front"`
}

// ParetoFront is the trade-off of a metric against one resource (cost or duration).
type ParetoFront struct {
	Metric      string        `json:"metric"`
	MetricLabel string        `json:"metric_label"`
	Direction   string        `json:"direction"` // max or min: how the metric is optimised
	Resource    string        `json:"resource"`  // cost_usd or duration_seconds; always minimised
	Points      []ParetoPoint `json:"points"`    // every eligible run, cheapest first
	Front       []ParetoPoint `json:"front"`     // the non-dominated points, cheapest first
	Excluded    int           `json:"excluded"`  // runs left out: not finished, no finite metric or no known resource
}

// Pareto holds the fronts of a metric against cost and against duration.
type Pareto struct {
	Cost     ParetoFront `json:"cost"`
	Duration ParetoFront `json:"duration"`
}

// ParetoFronts computes the Pareto fronts of metric against cost and against duration over
// runs of every type.
//
// A run is a point when its status is FINISHED, its value of metric is finite, and the
// resource is known: for cost, cost_usd (the run's CostUSD, else its cost_usd metric) finite
// and ≥ 0; for duration, an end time after the start time. Every other run is counted in
// Excluded.
//
// A point is dominated when another point is at least as good on both axes (metric per its
// direction — lower is better for loss — and resource lower or equal) and strictly better on
// one. The front is the points no other point dominates; points that tie exactly on both
// axes do not dominate each other, so both are on it. It is found by one sweep over the points
// sorted by resource (O(n log n)): a point is on the front when its value is the best among
// the points of the same resource and strictly better than every value of a cheaper point.
// Points and Front are both ordered by resource ascending, then best value first, then run
// id; along the front the metric improves as the resource grows.
func ParetoFronts(runs []mlexp.Run, metric string) Pareto {
	cost := func(r mlexp.Run) (float64, bool) { return knownCost(r) }
	dur := func(r mlexp.Run) (float64, bool) {
		d := r.Duration()
		return d.Seconds(), d > 0
	}
	return Pareto{Cost: paretoFront(runs, metric, ResourceCost, cost), Duration: paretoFront(runs, metric, ResourceDuration, dur)}
}

func paretoFront(runs []mlexp.Run, metric, resource string, res func(mlexp.Run) (float64, bool)) ParetoFront {
	f := ParetoFront{Metric: metric, MetricLabel: mlexp.MetricLabel(metric), Direction: mlexp.Direction(metric), Resource: resource,
		Points: []ParetoPoint{}, Front: []ParetoPoint{}}
	for _, r := range runs {
		v, okV := finiteMetric(r, metric)
		x, okX := res(r)
		if r.Status != mlexp.RunFinished || !okV || !okX {
			f.Excluded++
			continue
		}
		f.Points = append(f.Points, ParetoPoint{RunID: r.ID, RunName: r.Name, ConfigID: runConfig(r), RunType: r.Type, Value: v, Resource: x})
	}
	lower := mlexp.LowerIsBetter(metric)                                               // once, not in every comparison of the sort
	better := func(a, b float64) bool { return (lower && a < b) || (!lower && a > b) } // points are finite
	slices.SortFunc(f.Points, func(a, b ParetoPoint) int {
		if c := cmp.Compare(a.Resource, b.Resource); c != 0 {
			return c
		}
		switch {
		case better(a.Value, b.Value):
			return -1
		case better(b.Value, a.Value):
			return 1
		}
		return cmp.Compare(a.RunID, b.RunID)
	})
	var bestCheaper float64 // best value of the points with a smaller resource
	seen := false
	for i := 0; i < len(f.Points); {
		j := i // f.Points[i:j] share one resource; the first has the best value
		for j < len(f.Points) && f.Points[j].Resource == f.Points[i].Resource {
			j++
		}
		top := f.Points[i].Value
		if !seen || better(top, bestCheaper) {
			for k := i; k < j && f.Points[k].Value == top; k++ {
				f.Points[k].OnFront = true
				f.Front = append(f.Front, f.Points[k])
			}
			bestCheaper, seen = top, true
		}
		i = j
	}
	return f
}

// finiteMetric is run r's value of metric when it is finite.
func finiteMetric(r mlexp.Run, metric string) (float64, bool) {
	v, ok := r.Metrics.Lookup(metric)
	return v, ok && finite(v)
}

// knownCost is the run's cost in dollars: CostUSD, else its cost_usd metric, when finite
// and not negative.
func knownCost(r mlexp.Run) (float64, bool) {
	if r.CostUSD != nil {
		c := *r.CostUSD
		return c, finite(c) && c >= 0
	}
	c, ok := finiteMetric(r, mlexp.MetricCostUSD)
	return c, ok && c >= 0
}

// runConfig is the run's config id: ConfigID, else the config_id param.
func runConfig(r mlexp.Run) string { return cmp.Or(r.ConfigID, r.Params.Get("config_id")) }
