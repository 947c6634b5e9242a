package mlexp

import (
	"context"
	"fmt"
	"time"
)

// MaxTowerFeatures bounds the features of one tower of a TowerMapping.
const MaxTowerFeatures = 200

// TowerMapping places a model's features in its towers, once for all its runs: the
// comparison's configuration diff uses it for runs logged without the query_tower and
// candidate_tower params (the spec's bare shape), whose embedding dims would otherwise
// land under Other. A run's own tower params win where it has them.
type TowerMapping struct {
	ModelID        string    `json:"model_id"`
	QueryTower     []string  `json:"query_tower"`
	CandidateTower []string  `json:"candidate_tower"`
	UpdatedAt      time.Time `json:"updated_at"`
	UpdatedBy      string    `json:"updated_by"`
}

// TowerStore keeps the tower mappings of models. TowerMapping answers ENOTFOUND (field
// model_id) for a model without one.
type TowerStore interface {
	TowerMapping(ctx context.Context, modelID string) (*TowerMapping, error)
	SetTowerMapping(ctx context.Context, m *TowerMapping) error
}

// Validate checks a mapping: a model id; feature names as in a feature config (lowercase
// identifiers, the prefix of an {f}_embedding_dim param); at least one feature; none
// listed twice or in both towers; at most MaxTowerFeatures a tower. Errors name the field:
// model_id, query_tower, candidate_tower or an item such as query_tower[2].
func (m TowerMapping) Validate() error {
	if err := validateID("model_id", m.ModelID); err != nil {
		return err
	}
	if len(m.QueryTower)+len(m.CandidateTower) == 0 {
		return InvalidField("query_tower", "a mapping places at least one feature, in query_tower or candidate_tower")
	}
	seen := map[string]string{}
	for _, tower := range []struct {
		field    string
		features []string
	}{{"query_tower", m.QueryTower}, {"candidate_tower", m.CandidateTower}} {
		if len(tower.features) > MaxTowerFeatures {
			return InvalidField(tower.field, "has %d features, at most %d are allowed", len(tower.features), MaxTowerFeatures)
		}
		for i, f := range tower.features {
			field := fmt.Sprintf("%s[%d]", tower.field, i)
			if !identifier.MatchString(f) {
				return InvalidField(field, "%s is not a feature name: lowercase letters, digits and _, starting with a letter", quoteValue(f))
			}
			if where, dup := seen[f]; dup {
				return InvalidField(field, "feature %s is already in %s", f, where)
			}
			seen[f] = tower.field
		}
	}
	return nil
}
