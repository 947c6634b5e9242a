package mlexp

import (
	"cmp"
	"strconv"
	"strings"
)

// Param is one MLflow param as mlexp logs it: a key and its value as text.
type Param struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// runParams are params of the naming contract that describe a run, not its feature
// configuration: FeatureConfigFromParams ignores them.
var runParams = map[string]bool{
	"run_type": true, "config_id": true, "data_sample_percent": true, "epochs": true,
	"batch_size": true, "training_run_id": true,
}

// FormatParamNumber writes a number as mlexp logs it in a param: the shortest decimal that
// reads back as v, never with an exponent ("10", "0.001", "1000000000000000000000").
func FormatParamNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Params are the MLflow params that describe c, exactly as mlexp logs them, in this order:
// "{feature}_embedding_dim" of each query then candidate tower feature; query_tower and
// candidate_tower (feature names joined by ","); "{cross}_buckets" of each cross; cross_features
// (cross names joined by ",", "none" when there are none); then each setting under its own
// name, in name order, written by FormatParamNumber. c.ID and c.Name are not among them.
func (c FeatureConfig) Params() []Param {
	var ps []Param
	names := func(fs []Feature) string {
		s := make([]string, len(fs))
		for i, f := range fs {
			s[i] = f.Name
			ps = append(ps, Param{Key: f.Name + "_embedding_dim", Value: strconv.Itoa(f.EmbeddingDim)})
		}
		return strings.Join(s, ",")
	}
	query, candidate := names(c.QueryTower), names(c.CandidateTower)
	ps = append(ps, Param{Key: "query_tower", Value: query}, Param{Key: "candidate_tower", Value: candidate})
	crosses := make([]string, len(c.CrossFeatures))
	for i, x := range c.CrossFeatures {
		crosses[i] = x.Name()
		ps = append(ps, Param{Key: x.Name() + "_buckets", Value: strconv.Itoa(x.Buckets)})
	}
	ps = append(ps, Param{Key: "cross_features", Value: cmp.Or(strings.Join(crosses, ","), "none")})
	for _, k := range sortedKeys(c.Settings) {
		ps = append(ps, Param{Key: k, Value: FormatParamNumber(c.Settings[k])})
	}
	return ps
}

// FeatureConfigFromParams reads the params of a run back into the FeatureConfig with the
// given id that logs them: the inverse of Params. The run's own params (run_type, config_id,
// data_sample_percent, epochs, batch_size, training_run_id) are ignored and values are
// trimmed. The config's Name is not logged, so it is left empty.
//
// It returns the zero FeatureConfig and false when the params are not those of a config:
//   - query_tower or candidate_tower is missing or empty, or a feature in them has no
//     integer "{feature}_embedding_dim";
//   - a cross in cross_features ("none", in any case, or an empty value for no crosses:
//     the contract of empty crosses of AxisValue) has no integer
//     "{cross}_buckets";
//   - any other param is not a number (every other param is read as a setting);
//   - the config does not pass Validate (e.g. an invalid id, a feature listed twice, or an
//     "_embedding_dim" param of a feature in no tower);
//   - the config's Params differ from the given ones, numbers compared by value and cross
//     lists by CanonicalCrosses (e.g. a tower list written "user_id, city", or no
//     cross_features param).
func FeatureConfigFromParams(id string, params map[string]string) (FeatureConfig, bool) {
	given := map[string]string{}
	for k, v := range params {
		if !runParams[k] {
			given[k] = strings.TrimSpace(v)
		}
	}
	cfg := FeatureConfig{ID: id}
	used := map[string]bool{"query_tower": true, "candidate_tower": true, "cross_features": true}
	tower := func(key string) ([]Feature, bool) {
		var fs []Feature
		for _, name := range SplitList(given[key]) {
			d, err := strconv.Atoi(given[name+"_embedding_dim"])
			if err != nil {
				return nil, false
			}
			used[name+"_embedding_dim"] = true
			fs = append(fs, Feature{Name: name, EmbeddingDim: d})
		}
		return fs, len(fs) > 0
	}
	var ok bool
	if cfg.QueryTower, ok = tower("query_tower"); !ok {
		return FeatureConfig{}, false
	}
	if cfg.CandidateTower, ok = tower("candidate_tower"); !ok {
		return FeatureConfig{}, false
	}
	for _, raw := range SplitList(given["cross_features"]) {
		if strings.EqualFold(raw, "none") {
			continue
		}
		b, err := strconv.Atoi(given[raw+"_buckets"])
		if err != nil {
			return FeatureConfig{}, false
		}
		used[raw+"_buckets"] = true
		cfg.CrossFeatures = append(cfg.CrossFeatures, CrossFeature{Features: strings.Split(raw, "_x_"), Buckets: b})
	}
	for k, v := range given {
		if used[k] {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return FeatureConfig{}, false
		}
		if cfg.Settings == nil {
			cfg.Settings = map[string]float64{}
		}
		cfg.Settings[k] = f
	}
	if cfg.Validate("feature_config") != nil || !sameParams(cfg.Params(), given) {
		return FeatureConfig{}, false
	}
	return cfg, true
}

// sameParams reports whether ps are the params of given: the same keys, each value equal as
// text or as a number, and cross_features equal by CanonicalCrosses.
func sameParams(ps []Param, given map[string]string) bool {
	if len(ps) != len(given) {
		return false
	}
	for _, p := range ps {
		v, ok := given[p.Key]
		switch {
		case !ok:
			return false
		case p.Key == "cross_features":
			if CanonicalCrosses(p.Value) != CanonicalCrosses(v) {
				return false
			}
		case p.Value != v:
			a, err1 := strconv.ParseFloat(p.Value, 64)
			b, err2 := strconv.ParseFloat(v, 64)
			if err1 != nil || err2 != nil || a != b {
				return false
			}
		}
	}
	return true
}
