package mlexp

import (
	"fmt"
	"unicode/utf8"
)

// MLflow's limits on what a run logs (design.md §3). Reports are checked against them
// before anything is sent, because MLflow refuses longer keys and truncates longer values
// silently, and either would happen only after the run was made. They are the mlflow
// package's limits, which the domain does not import (tracking's tests check they agree).
// Tags need no check here: every tag value a report gives is bounded far below MLflow's
// 8000 characters by Validate, and the Logger checks the record once more.
const (
	MaxParamKeyLength   = 250  // param, metric and tag keys
	MaxParamValueLength = 6000 // param values
)

// validateParams checks the params c logs (Params: exactly the keys and values that are
// sent) against MLflow's limits, and names the part of c that makes one too long: a
// tower for its comma-joined query_tower or candidate_tower list, a cross for its
// "{a}_x_{b}_buckets" key, cross_features for the list of crosses.
func (c FeatureConfig) validateParams(prefix string) error {
	fields := c.paramFields(prefix)
	for _, p := range c.Params() {
		field := fields[p.Key]
		if field == "" {
			field = prefix
		}
		if n := utf8.RuneCountInString(p.Key); n > MaxParamKeyLength {
			return InvalidField(field, "makes the MLflow param %s… %d characters long; MLflow allows keys of at most %d",
				cutRunes(p.Key, 40), n, MaxParamKeyLength)
		}
		if n := utf8.RuneCountInString(p.Value); n > MaxParamValueLength {
			return InvalidField(field, "makes the value of the MLflow param %s %d characters long; MLflow keeps at most %d",
				p.Key, n, MaxParamValueLength)
		}
	}
	return nil
}

// paramFields maps each param c logs to the field of c it comes from.
func (c FeatureConfig) paramFields(prefix string) map[string]string {
	fields := map[string]string{
		"query_tower": prefix + ".query_tower", "candidate_tower": prefix + ".candidate_tower",
		"cross_features": prefix + ".cross_features",
	}
	for tower, fs := range map[string][]Feature{"query_tower": c.QueryTower, "candidate_tower": c.CandidateTower} {
		for i, f := range fs {
			fields[f.Name+"_embedding_dim"] = fmt.Sprintf("%s.%s[%d]", prefix, tower, i)
		}
	}
	for i, x := range c.CrossFeatures {
		fields[x.Name()+"_buckets"] = fmt.Sprintf("%s.cross_features[%d]", prefix, i)
	}
	for k := range c.Settings {
		fields[k] = prefix + ".settings." + k
	}
	return fields
}

// cutRunes returns s cut to at most n runes.
func cutRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
