package mlexp

import (
	"cmp"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Feature is one input feature of a tower with its embedding dimension.
type Feature struct {
	Name         string `json:"name"`
	EmbeddingDim int    `json:"embedding_dim"`
}

// CrossFeature is a crossed feature (e.g. category × subcategory) hashed into Buckets.
type CrossFeature struct {
	Features []string `json:"features"`
	Buckets  int      `json:"buckets"`
}

// Name is the cross's MLflow name, e.g. "category_x_subcategory".
func (c CrossFeature) Name() string { return strings.Join(c.Features, "_x_") }

// FeatureConfig is one configuration of a two-tower retrieval model: the features of the
// query and candidate towers, the cross features, and other numeric settings (such as
// revenue_buckets).
type FeatureConfig struct {
	ID             string             `json:"id"`
	Name           string             `json:"name,omitempty"` // display name; defaults to ID
	QueryTower     []Feature          `json:"query_tower"`
	CandidateTower []Feature          `json:"candidate_tower"`
	CrossFeatures  []CrossFeature     `json:"cross_features,omitempty"`
	Settings       map[string]float64 `json:"settings,omitempty"`
}

// DisplayName is Name, or ID when Name is empty.
func (c FeatureConfig) DisplayName() string { return cmp.Or(c.Name, c.ID) }

// Limits of a feature configuration.
const (
	MaxEmbeddingDim = 1 << 16
	MaxBuckets      = 1 << 31
	maxFeatures     = 200
)

// reservedParams are MLflow param names of the naming contract that a setting may not take.
var reservedParams = map[string]bool{
	"run_type": true, "config_id": true, "data_sample_percent": true, "epochs": true, "batch_size": true,
	"training_run_id": true, "cross_features": true, "query_tower": true, "candidate_tower": true,
}

// Validate checks the configuration; field names are prefixed with prefix. It reports every
// invalid field at once.
func (c FeatureConfig) Validate(prefix string) error {
	var p problems
	p.add(validateID(prefix+".id", c.ID))
	if c.Name != "" {
		p.add(validateName(prefix+".name", c.Name))
	}
	if len(c.QueryTower) == 0 {
		p.add(InvalidField(prefix+".query_tower", "needs at least one feature"))
	}
	if len(c.CandidateTower) == 0 {
		p.add(InvalidField(prefix+".candidate_tower", "needs at least one feature"))
	}
	if len(c.QueryTower)+len(c.CandidateTower) > maxFeatures || len(c.CrossFeatures) > maxFeatures || len(c.Settings) > maxFeatures {
		p.add(InvalidField(prefix, "has more than %d features, crosses or settings", maxFeatures))
		return p.err() // too large to check each part
	}
	c.validateTowers(&p, prefix)
	bucketParams := c.validateCrosses(&p, prefix)
	c.validateSettings(&p, prefix, bucketParams)
	if p.ok() { // the params are made of the parts checked above
		p.add(c.validateParams(prefix))
	}
	return p.err()
}

// validateTowers checks the features of both towers: names, embedding dims, and that no
// feature appears twice.
func (c FeatureConfig) validateTowers(p *problems, prefix string) {
	seen := map[string]string{}
	for _, t := range []struct {
		tower string
		feats []Feature
	}{{"query_tower", c.QueryTower}, {"candidate_tower", c.CandidateTower}} { // in this order: a duplicate is named where it comes again
		tower := t.tower
		for i, f := range t.feats {
			field := fmt.Sprintf("%s.%s[%d]", prefix, tower, i)
			if err := validateIdentifier(field+".name", f.Name); err != nil {
				p.add(err)
			} else if other, dup := seen[f.Name]; dup {
				p.add(InvalidField(field+".name", "feature %q appears twice (also in %s)", f.Name, other))
			} else {
				seen[f.Name] = tower
			}
			if f.EmbeddingDim < 1 || f.EmbeddingDim > MaxEmbeddingDim {
				p.add(InvalidField(field+".embedding_dim", "must be between 1 and %d, got %d", MaxEmbeddingDim, f.EmbeddingDim))
			}
		}
	}
}

// validateCrosses checks the cross features, and returns the "{a}_x_{b}_buckets" params
// they log.
func (c FeatureConfig) validateCrosses(p *problems, prefix string) map[string]bool {
	crosses := map[string]bool{}      // canonical cross names
	bucketParams := map[string]bool{} // the "{a}_x_{b}_buckets" params the crosses log
	for i, x := range c.CrossFeatures {
		field := fmt.Sprintf("%s.cross_features[%d]", prefix, i)
		if len(x.Features) < 2 {
			p.add(InvalidField(field+".features", "a cross needs at least two features"))
		}
		for j, f := range x.Features {
			p.add(validateIdentifier(fmt.Sprintf("%s.features[%d]", field, j), f))
		}
		if x.Buckets < 1 || x.Buckets > MaxBuckets {
			p.add(InvalidField(field+".buckets", "must be between 1 and %d, got %d", MaxBuckets, x.Buckets))
		}
		key := canonicalCross(x.Features)
		if crosses[key] && len(x.Features) >= 2 {
			p.add(InvalidField(field, "cross %s appears twice", x.Name()))
		}
		crosses[key] = true
		bucketParams[x.Name()+"_buckets"] = true
	}
	return bucketParams
}

// validateSettings checks the other settings: names that clash with no param mlexp logs,
// and finite values.
func (c FeatureConfig) validateSettings(p *problems, prefix string, bucketParams map[string]bool) {
	for _, k := range sortedKeys(c.Settings) {
		field := prefix + ".settings." + k
		idErr := validateIdentifier(field, k)
		switch v := c.Settings[k]; {
		case idErr != nil:
			p.add(idErr)
		case reservedParams[k] || strings.HasSuffix(k, "_embedding_dim") || bucketParams[k]:
			p.add(InvalidField(field, "%q clashes with a param mlexp logs itself", k))
		case math.IsNaN(v) || math.IsInf(v, 0):
			p.add(InvalidField(field, "must be a finite number"))
		}
	}
}

// canonicalCross is the order-independent identity of a cross.
func canonicalCross(features []string) string {
	s := append([]string(nil), features...)
	sort.Strings(s)
	return strings.Join(s, "_x_")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
