package insight

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"

	"github.com/mlexp-dev/mlexp"
)

// Limits of NextQuery.Limit.
const (
	DefaultNextLimit = 5
	MaxNextLimit     = 20
)

// MinNextRuns is the fewest plotted runs (finished, of the query's run type, with a finite
// value of the metric) that NextConfigs suggests from. With fewer, the best cell is one or
// two runs: it has at most one other cell to be measured against, a parameter effect rests
// on one run per level, and run-to-run noise alone can make any of them "best". Below it,
// Next says so (Note) rather than suggest.
const MinNextRuns = 3

// Kinds of suggestion.
const (
	SuggestNeighbour = "neighbour" // an untested heatmap cell next to the best one
	SuggestEffect    = "effect"    // the best level of a parameter with a large effect
)

// NextQuery asks what to try next: the heatmap the best cell is taken from, and how many
// suggestions to make.
type NextQuery struct {
	Metric  string `json:"metric"`   // default recall_at_100
	XAxis   string `json:"x_axis"`   // default embedding_dims
	YAxis   string `json:"y_axis"`   // default cross_features
	RunType string `json:"run_type"` // runs the best cell and the effects come from; default quick_test when any has the metric, else all
	Agg     string `json:"agg"`      // aggregate a cell is judged by: mean (default), best, median or latest
	Limit   int    `json:"limit"`    // most suggestions; default 5, at most 20
}

// Check fills in the defaults of q and validates it against runs: an unknown metric, axis,
// run type or aggregation, or a limit out of range, is an EINVALID error naming the field.
func (q *NextQuery) Check(runs []mlexp.Run) error {
	if q.RunType == "" {
		q.RunType = mlexp.RunTypeAll
		for _, r := range runs {
			if _, ok := finiteMetric(r, cmp.Or(q.Metric, mlexp.MetricRecallAt100)); ok && r.Type == mlexp.QuickTestRun && r.Status == mlexp.RunFinished {
				q.RunType = string(mlexp.QuickTestRun)
				break
			}
		}
	}
	q.Agg = cmp.Or(q.Agg, mlexp.AggMean)
	if q.Limit == 0 {
		q.Limit = DefaultNextLimit
	}
	if q.Limit < 1 || q.Limit > MaxNextLimit {
		return mlexp.InvalidField("limit", "must be between 1 and %d, got %d", MaxNextLimit, q.Limit)
	}
	hq := q.heatmapQuery()
	if err := hq.Check(runs); err != nil {
		return err
	}
	q.Metric, q.XAxis, q.YAxis = hq.Metric, hq.XAxis, hq.YAxis
	return nil
}

func (q NextQuery) heatmapQuery() mlexp.HeatmapQuery {
	return mlexp.HeatmapQuery{Metric: q.Metric, XAxis: q.XAxis, YAxis: q.YAxis, RunType: q.RunType, Agg: q.Agg}
}

// Next is what to try next, with the best cell the suggestions start from.
type Next struct {
	Metric      string             `json:"metric"`
	MetricLabel string             `json:"metric_label"`
	Query       NextQuery          `json:"query"`
	Best        *mlexp.HeatmapCell `json:"best"`        // the best cell; null when no run has the metric
	BaseRunID   string             `json:"base_run_id"` // the run whose config the suggestions change
	BaseConfig  string             `json:"base_config_id"`
	Suggestions []Suggestion       `json:"suggestions"`
	Note        string             `json:"note,omitempty"` // why there are none, when there are none
}

// Suggestion is one configuration worth a quick test: the best run's config with one change.
// FeatureConfig and QuickTest are the feature_config and quick_test settings of the body of
// POST /api/experiments/quick-tests/ (add the model, the dataset and the result); Params are
// exactly the MLflow params that quick test would log.
type Suggestion struct {
	Kind          string               `json:"kind"` // neighbour or effect
	Reason        string               `json:"reason"`
	X             string               `json:"x"` // the heatmap cell the config falls in
	Y             string               `json:"y"`
	XLabel        string               `json:"x_label"`
	YLabel        string               `json:"y_label"`
	Changes       []ParamChange        `json:"changes"`
	ExpectedGain  *mlexp.Number        `json:"expected_gain"`  // effect suggestions: best level mean − base level mean, in Unit, positive is better
	Unit          string               `json:"unit"`           // pp for fractions, else ""
	FeatureConfig *mlexp.FeatureConfig `json:"feature_config"` // null when the params cannot be written as a config (no tower lists)
	QuickTest     QuickTestSettings    `json:"quick_test"`
	Params        map[string]string    `json:"params"`
}

// ParamChange is one param a suggestion changes. From is "" for a param the base run lacks,
// To is "" for one the suggestion drops (the buckets of a cross it removes).
type ParamChange struct {
	Param string `json:"param"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// QuickTestSettings are the quick test's own settings: the base run's when it is a quick
// test, else the most common among the quick tests, else 10% of the data for 2 epochs.
type QuickTestSettings struct {
	DataSamplePercent float64 `json:"data_sample_percent"`
	Epochs            int     `json:"epochs"`
}

// notConfig are params that describe a run, not its feature configuration.
var notConfig = []string{"run_type", "config_id", "training_run_id", "batch_size", "data_sample_percent", "epochs"}

// NextConfigs suggests configurations to quick-test next, as concrete configs.
//
// Base: the heatmap of q (runs of q.RunType, cells aggregated by q.Agg, mean by default so
// that one lucky replicate does not decide) gives the best cell; the base run is the cell's
// best run (the run behind the value for best and latest). Suggestions change its params:
//
//   - Neighbours: the cells next to the best one along the x axis, then the y axis (the
//     previous and next value in natural order, e.g. 64/64 and 256/64 around 128/64) that
//     have no run at all; a cell whose runs all failed counts as tested. The base's value on
//     that axis is replaced: embedding_dims sets user_id_ and product_id_embedding_dim;
//     cross_features sets the cross list, keeping the base's buckets for crosses it has and
//     taking the buckets of a new cross from the first run that has it; epochs changes the
//     quick test's epochs; any other param is set as it is. run_type and num_crosses are not
//     settings, so they give no neighbours; values beyond the tested ones are never invented.
//   - Effects: the parameter effects of the same runs (EffectsOf), largest first; for each
//     parameter whose best level (best marginal mean) is not the base's and is better than
//     the base's level, the base with that level. Params that are not feature settings
//     (config_id, run_type, epochs, data_sample_percent, batch_size, training_run_id and the
//     tower lists) are skipped.
//
// A candidate is dropped when any run (of any type or status) already has its feature
// params (every param but run_type, config_id, training_run_id, batch_size,
// data_sample_percent and epochs, which are compared too when the change is to epochs or
// data_sample_percent; cross lists compared canonically, numbers numerically), or when an
// earlier suggestion has. At most q.Limit are returned, neighbours first. Each gets a config
// id "{base config}-next-{8 hex digits of its params}", stable for the same config.
func NextConfigs(runs []mlexp.Run, q NextQuery) (*Next, error) {
	if err := q.Check(runs); err != nil {
		return nil, err
	}
	n := &Next{Metric: q.Metric, MetricLabel: mlexp.MetricLabel(q.Metric), Query: q, Suggestions: []Suggestion{}}
	h := mlexp.BuildHeatmap(runs, q.heatmapQuery())
	if h.Best == nil {
		n.Note = "No finished run of type " + q.RunType + " has a finite " + n.MetricLabel + ": there is no best configuration to start from."
		return n, nil
	}
	n.Best = h.Best
	if h.Plotted < MinNextRuns {
		n.Note = tooFewRunsNote(h.Plotted, q.RunType, n.MetricLabel)
		return n, nil
	}
	base := slices.IndexFunc(runs, func(r mlexp.Run) bool { return r.ID == h.Best.RunID })
	b := runs[base]
	n.BaseRunID, n.BaseConfig = b.ID, runConfig(b)
	s := &suggester{runs: runs, q: q, base: b, tested: map[string]bool{}, testedRun: map[string]bool{}, seen: map[string]bool{}}
	s.settings = quickTestSettings(runs, b)
	fps := fingerprints{seed: maphash.MakeSeed(), byHash: map[uint64][]fingerprinted{}}
	for i := range runs {
		plain, withTest := fps.of(runs[i].Params)
		s.tested[plain], s.testedRun[withTest] = true, true
	}
	unit, scale := "", 1.0
	if mlexp.IsFraction(q.Metric) {
		unit, scale = mlexp.UnitPP, 100
	}
	for _, nb := range neighbours(h, q) {
		reason := fmt.Sprintf("untested neighbour of the best cell (%s, %s %s) along %s: %s",
			cellLabel(q, h.Best.X, h.Best.Y), fmtValue(q.Metric, float64(*h.Best.Value)), q.Agg,
			mlexp.AxisLabelName(nb.axis), mlexp.AxisLabel(nb.axis, nb.value))
		s.add(n, SuggestNeighbour, reason, nb.axis, nb.value, nil, unit)
	}
	for _, e := range EffectsOf(runs, q.Metric, q.RunType) {
		if len(n.Suggestions) >= q.Limit {
			break
		}
		if e.Size <= 0 || slices.Contains(notConfig, e.Param) || e.Param == "query_tower" || e.Param == "candidate_tower" {
			continue
		}
		have := mlexp.AxisValue(b, e.Param)
		bi := slices.IndexFunc(e.Levels, func(l Level) bool { return l.Value == e.Best })
		hi := slices.IndexFunc(e.Levels, func(l Level) bool { return l.Value == have })
		if e.Best == have || bi < 0 {
			continue
		}
		best := e.Levels[bi]
		reason := fmt.Sprintf("%s=%s has the best marginal mean (%s over %d configs)", e.Param, e.Best, fmtValue(q.Metric, best.Mean), best.N)
		var gain *mlexp.Number
		if hi >= 0 {
			if !mlexp.Better(q.Metric, best.Mean, e.Levels[hi].Mean) {
				continue
			}
			d := best.Mean - e.Levels[hi].Mean
			if mlexp.LowerIsBetter(q.Metric) {
				d = -d
			}
			gain = new(mlexp.Number(d * scale))
			reason = fmt.Sprintf("%s=%s has the best marginal mean (%s, %s over %s=%s of the best config)",
				e.Param, e.Best, fmtValue(q.Metric, best.Mean), fmtGain(d*scale, unit), e.Param, have)
		}
		s.add(n, SuggestEffect, reason, e.Param, e.Best, gain, unit)
	}
	if len(n.Suggestions) > q.Limit {
		n.Suggestions = n.Suggestions[:q.Limit]
	}
	if len(n.Suggestions) == 0 {
		n.Note = nothingNewNote(h)
	}
	return n, nil
}

// suggester turns changes of the base run into deduplicated suggestions.
type suggester struct {
	runs              []mlexp.Run
	q                 NextQuery
	base              mlexp.Run
	settings          QuickTestSettings
	tested, testedRun map[string]bool // fingerprints of the feature params of every run, without and with the test settings
	seen              map[string]bool
}

// add suggests the base with axis set to value, unless that is impossible or tested.
func (s *suggester) add(n *Next, kind, reason, axis, value string, gain *mlexp.Number, unit string) {
	params := configOnly(s.base.Params)
	settings := s.settings
	switch axis {
	case mlexp.AxisEpochs:
		e, err := strconv.Atoi(value)
		if err != nil || e < 1 {
			return
		}
		settings.Epochs = e
	case "data_sample_percent":
		p, err := strconv.ParseFloat(value, 64)
		if err != nil || !(p > 0 && p <= 100) {
			return
		}
		settings.DataSamplePercent = p
	default:
		if !setAxis(params, axis, value, s.runs) {
			return
		}
	}
	// The config the params describe (any valid id will do until the real one is known),
	// whose params are the ones tracking would log for it.
	cfg, ok := mlexp.FeatureConfigFromParams("probe", params)
	if ok {
		params = map[string]string{}
		for _, p := range cfg.Params() {
			params[p.Key] = p.Value
		}
	}
	params["data_sample_percent"] = mlexp.FormatParamNumber(settings.DataSamplePercent)
	params["epochs"] = strconv.Itoa(settings.Epochs)
	withTest := axis == mlexp.AxisEpochs || axis == "data_sample_percent"
	fp := fingerprint(params, withTest)
	if (withTest && s.testedRun[fp]) || (!withTest && s.tested[fp]) || s.seen[fp] {
		return
	}
	s.seen[fp] = true
	id := configHash(runConfig(s.base), params)
	params["run_type"], params["config_id"] = string(mlexp.QuickTestRun), id
	sg := Suggestion{Kind: kind, Reason: reason, ExpectedGain: gain, Unit: unit, QuickTest: settings, Params: params,
		Changes: paramChanges(s.base.Params.Map(), params)}
	if ok {
		cfg.ID = id
		sg.FeatureConfig = &cfg
	}
	probe := mlexp.Run{Type: mlexp.QuickTestRun, Params: mlexp.NewParams(params)}
	sg.X, sg.Y = mlexp.AxisValue(probe, s.q.XAxis), mlexp.AxisValue(probe, s.q.YAxis)
	sg.XLabel, sg.YLabel = mlexp.AxisLabel(s.q.XAxis, sg.X), mlexp.AxisLabel(s.q.YAxis, sg.Y)
	n.Suggestions = append(n.Suggestions, sg)
}

// neighbour is a cell next to the best one, and the axis value that leads there.
type neighbour struct{ axis, value string }

// neighbours are the cells without any run next to the best cell: x−1, x+1, y−1, y+1.
func neighbours(h *mlexp.Heatmap, q NextQuery) []neighbour {
	var out []neighbour
	for _, ax := range []struct {
		name   string
		values []string
		at     string
		cell   func(v string) *mlexp.HeatmapCell
	}{
		{q.XAxis, h.XAxis.Values, h.Best.X, func(v string) *mlexp.HeatmapCell { return h.Cell(v, h.Best.Y) }},
		{q.YAxis, h.YAxis.Values, h.Best.Y, func(v string) *mlexp.HeatmapCell { return h.Cell(h.Best.X, v) }},
	} {
		i := slices.Index(ax.values, ax.at)
		for _, j := range []int{i - 1, i + 1} {
			if j >= 0 && j < len(ax.values) {
				if c := ax.cell(ax.values[j]); c != nil && len(c.RunIDs) == 0 {
					out = append(out, neighbour{ax.name, ax.values[j]})
				}
			}
		}
	}
	return out
}

// quickTestSettings are the settings of the suggestions' quick tests; see QuickTestSettings.
func quickTestSettings(runs []mlexp.Run, base mlexp.Run) QuickTestSettings {
	parse := func(r mlexp.Run) (QuickTestSettings, bool) {
		p, err1 := strconv.ParseFloat(r.Params.Get("data_sample_percent"), 64)
		e, err2 := strconv.Atoi(r.Params.Get("epochs"))
		return QuickTestSettings{p, e}, err1 == nil && err2 == nil && p > 0 && p <= 100 && e > 0
	}
	if s, ok := parse(base); ok && base.Type == mlexp.QuickTestRun {
		return s
	}
	counts := map[QuickTestSettings]int{}
	best := QuickTestSettings{10, 2}
	for _, r := range runs {
		if s, ok := parse(r); ok && r.Type == mlexp.QuickTestRun {
			counts[s]++
			if counts[s] > counts[best] {
				best = s
			}
		}
	}
	return best
}

func cellLabel(q NextQuery, x, y string) string {
	return mlexp.AxisLabel(q.XAxis, x) + " × " + mlexp.AxisLabel(q.YAxis, y)
}

// fmtValue writes a metric value: a percentage for fractions.
func fmtValue(metric string, v float64) string {
	if mlexp.IsFraction(metric) {
		return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// fmtGain writes a gain with its sign: "+1.2 pp".
func fmtGain(v float64, unit string) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	if unit == mlexp.UnitPP {
		s = strconv.FormatFloat(v, 'f', 1, 64) + " pp"
	}
	if v >= 0 {
		s = "+" + s
	}
	return s
}

// tooFewRunsNote says that plotted runs are too few to suggest from (see MinNextRuns).
func tooFewRunsNote(plotted int, runType, metricLabel string) string {
	kind := "run"
	if runType != mlexp.RunTypeAll {
		kind = mlexp.RunType(runType).Label()
	}
	if plotted != 1 {
		kind += "s"
	}
	return fmt.Sprintf("Too few runs to suggest: %d finished %s with %s; suggestions need at least %d, "+
		"so that the best cell has neighbours and parameter effects to be judged against.", plotted, kind, metricLabel, MinNextRuns)
}

// nothingNewNote says why there is nothing to suggest though there are runs enough: the
// best cell has no neighbouring cell at all (one value on each axis), or every one has runs.
func nothingNewNote(h *mlexp.Heatmap) string {
	if len(h.XAxis.Values) < 2 && len(h.YAxis.Values) < 2 {
		return "Nothing new to try: every run falls in one heatmap cell, so the best cell has no neighbour, " +
			"and no parameter effect points away from the best config to an untested config. Vary the heatmap's axes to get suggestions."
	}
	return "Nothing new to try: every neighbour of the best cell has runs (failed ones included), and no parameter effect points away from the best config to an untested config."
}
