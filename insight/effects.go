package insight

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/mlexp-dev/mlexp"
)

// Kinds of parameter.
const (
	KindCategorical = "categorical"
	KindNumeric     = "numeric" // every level parses as a finite number
)

// notEffects are params that identify a run rather than configure it.
var notEffects = []string{"config_id", "training_run_id", "run_type"}

// Level is one value of a parameter and the runs that have it. Its statistics are over
// config means: the runs of one config are averaged first, so that a replicated config
// weighs as much as any other. N counts configs, Runs counts runs; SD is the sample SD of
// the config means (0 for one config); Min and Max are the lowest and highest config mean.
type Level struct {
	Value string  `json:"value"`
	N     int     `json:"n"`
	Runs  int     `json:"runs"`
	Mean  float64 `json:"mean"`
	SD    float64 `json:"sd"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
}

// MarshalJSON writes a Level with null for a value that is not finite.
func (l Level) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Value string        `json:"value"`
		N     int           `json:"n"`
		Runs  int           `json:"runs"`
		Mean  *mlexp.Number `json:"mean"`
		SD    *mlexp.Number `json:"sd"`
		Min   *mlexp.Number `json:"min"`
		Max   *mlexp.Number `json:"max"`
	}{l.Value, l.N, l.Runs, num(l.Mean), num(l.SD), num(l.Min), num(l.Max)})
}

// ParamEffect is the main effect of one parameter on the metric.
type ParamEffect struct {
	Param  string  `json:"param"`
	Label  string  `json:"label"`  // "User Id Embedding Dim"
	Kind   string  `json:"kind"`   // categorical or numeric
	Levels []Level `json:"levels"` // in natural order: numbers numerically, crosses by count
	// Size is the best level mean − the worst level mean, ≥ 0, in metric units.
	Size float64 `json:"size"`
	Best string  `json:"best_level"` // respecting the metric's direction
	// Trend is, for a numeric param, Spearman's ρ between its value and the config means
	// (positive: the metric rises with the param); null for a categorical one.
	Trend   *mlexp.Number `json:"trend"`
	Missing int           `json:"missing"` // counting runs without the param, left out
	// The one-way ANOVA of the config means by level: F on (DFBetween, DFWithin) df, its
	// p-value (not adjusted across parameters), and the effect sizes η² (share of the
	// variance of config means the levels explain) and ω² (η² corrected for the number of
	// levels, < 0 when the levels explain less than chance). Parameters are ranked by ω².
	// Null when no level has two configs (no within-level variance).
	F            *mlexp.Number `json:"f_stat"`
	PValue       *mlexp.Number `json:"p_value"`
	DFBetween    int           `json:"df_between"` // levels − 1
	DFWithin     int           `json:"df_within"`  // configs − levels
	EtaSquared   *mlexp.Number `json:"eta_squared"`
	OmegaSquared *mlexp.Number `json:"omega_squared"`
}

// MarshalJSON writes Size as null if it is not finite.
func (e ParamEffect) MarshalJSON() ([]byte, error) {
	type plain ParamEffect
	return json.Marshal(struct {
		plain
		Size *mlexp.Number `json:"size"`
	}{plain(e), num(e.Size)})
}

// EffectsMethod describes the effects section's method in words.
const EffectsMethod = "Main effects: for each parameter, the runs that count are averaged per config, then per level of the parameter " +
	"(each config weighs once, however many repeats it has). A level shows the mean, the SD and the range of its config means. " +
	"The size of the effect is the best level mean minus the worst. A one-way ANOVA of the config means by level tests the parameter " +
	"(F, p; scipy.stats.f_oneway) and gives η² (the share of variance the levels explain) and ω² (η² corrected for the number of levels, " +
	"which a range or η² would reward); parameters with two levels or more are ranked by ω². " +
	"cross_features is read canonically (order does not matter; empty means no crosses). A numeric parameter's trend is Spearman's ρ of its value and the config means. " +
	"Marginal means of an unbalanced sweep mix in the other parameters: read them as where to look, not as causes."

// Effects is EffectsOf the runs of the default run type: quick tests when any count (they
// are the sweep), else every run.
func Effects(runs []mlexp.Run, metric string) []ParamEffect {
	return EffectsOf(runs, metric, defaultRunType(runs, metric))
}

// EffectsOf is the main effect on metric of every param of the runs of runType (all for
// every type) that has two levels or more, largest ω² first (parameters without one last),
// then largest size.
func EffectsOf(runs []mlexp.Run, metric, runType string) []ParamEffect {
	samples := counted(runs, metric, runType)
	params := map[string]bool{}
	for _, s := range samples {
		for k := range s.run.Params.All() {
			params[k] = !slices.Contains(notEffects, k)
		}
	}
	out := []ParamEffect{}
	for p, ok := range params {
		if !ok {
			continue
		}
		if e, ok := paramEffect(samples, metric, p); ok {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b ParamEffect) int {
		switch {
		case a.OmegaSquared != nil && b.OmegaSquared == nil:
			return -1
		case a.OmegaSquared == nil && b.OmegaSquared != nil:
			return 1
		case a.OmegaSquared != nil:
			if c := cmp.Compare(float64(*b.OmegaSquared), float64(*a.OmegaSquared)); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(b.Size, a.Size); c != 0 {
			return c
		}
		return cmp.Compare(a.Param, b.Param)
	})
	return out
}

// unit is the runs of one config at one level of a param: their compensated sum.
type unit struct {
	level string
	sum   ksum
	runs  int
}

func paramEffect(samples []sample, metric, param string) (ParamEffect, bool) {
	e := ParamEffect{Param: param, Label: mlexp.AxisLabelName(param), Kind: KindNumeric, Levels: []Level{}}
	type key struct{ config, level string }
	units := map[key]*unit{}
	var order []key
	for _, s := range samples {
		v := mlexp.AxisValue(*s.run, param) // canonical cross list for cross_features
		if v == mlexp.Missing {
			e.Missing++
			continue
		}
		k := key{s.config, v}
		u := units[k]
		if u == nil {
			u = &unit{level: v}
			units[k] = u
			order = append(order, k)
		}
		u.sum.add(s.value)
		u.runs++
	}
	byLevel := map[string][]float64{}
	runsAt := map[string]int{}
	var levels []string
	var xs, ys []float64 // param value and config mean, for the trend
	for _, k := range order {
		u := units[k]
		m := u.sum.sum() / float64(u.runs)
		if _, seen := byLevel[u.level]; !seen {
			levels = append(levels, u.level)
		}
		byLevel[u.level] = append(byLevel[u.level], m)
		runsAt[u.level] += u.runs
		x, err := strconv.ParseFloat(u.level, 64)
		if err != nil || !finite(x) {
			e.Kind = KindCategorical
		}
		xs, ys = append(xs, x), append(ys, m)
	}
	if len(levels) < 2 {
		return e, false
	}
	mlexp.SortAxisValues(param, levels)
	best, worst := -1, -1
	groups := make([][]float64, len(levels))
	for i, v := range levels {
		ms := byLevel[v]
		groups[i] = ms
		mean, sd := meanSD(ms)
		if len(ms) == 1 {
			sd = 0
		}
		e.Levels = append(e.Levels, Level{Value: v, N: len(ms), Runs: runsAt[v], Mean: mean, SD: sd, Min: slices.Min(ms), Max: slices.Max(ms)})
		if best < 0 || better(metric, mean, e.Levels[best].Mean) {
			best = i
		}
		if worst < 0 || better(metric, e.Levels[worst].Mean, mean) {
			worst = i
		}
	}
	e.Best = e.Levels[best].Value
	if s := e.Levels[best].Mean - e.Levels[worst].Mean; s < 0 {
		e.Size = -s
	} else {
		e.Size = s
	}
	if e.Kind == KindNumeric {
		e.Trend = num(Spearman(xs, ys))
	}
	a := oneWayANOVA(groups)
	e.DFBetween, e.DFWithin = a.dfB, a.dfW
	e.F, e.PValue, e.EtaSquared, e.OmegaSquared = num(a.f), num(a.p), num(a.eta2), num(a.omega2) // F is null when infinite (p 0)
	return e, true
}
