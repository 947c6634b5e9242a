package explore

import (
	"context"
	"slices"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// TowersAnswer is a model's tower mapping with the features its runs log embedding dims
// of, so that a user sees which are placed.
type TowersAnswer struct {
	*mlexp.TowerMapping
	// Features are the features the runs of the model's latest experiment log an
	// {feature}_embedding_dim of, in natural order; Unplaced are those the mapping places
	// in neither tower.
	Features []string `json:"features"`
	Unplaced []string `json:"unplaced"`
}

// Towers reads the tower mapping of model modelID: ENOTFOUND naming model_id for an unknown
// model; a model without a mapping has empty towers and a zero updated_at.
func (s *Service) Towers(ctx context.Context, modelID string) (*TowersAnswer, error) {
	if s.towers == nil {
		return nil, mlexp.NotConfigured("tower mappings")
	}
	e, err := s.Open(ctx, Target{ModelID: modelID})
	if err != nil {
		return nil, err
	}
	return s.TowersIn(ctx, e)
}

// TowersIn is Towers of the model of an experiment already read.
func (s *Service) TowersIn(ctx context.Context, e *Experiment) (*TowersAnswer, error) {
	if s.towers == nil {
		return nil, mlexp.NotConfigured("tower mappings")
	}
	modelID := e.Model.ID
	m, err := s.towers.TowerMapping(ctx, modelID)
	if mlexp.ErrorCode(err) == mlexp.ENOTFOUND {
		m, err = &mlexp.TowerMapping{ModelID: modelID, QueryTower: []string{}, CandidateTower: []string{}}, nil
	}
	if err != nil {
		return nil, err
	}
	ans := &TowersAnswer{TowerMapping: m, Features: embeddingFeatures(e.All()), Unplaced: []string{}}
	for _, f := range ans.Features {
		if !slices.Contains(m.QueryTower, f) && !slices.Contains(m.CandidateTower, f) {
			ans.Unplaced = append(ans.Unplaced, f)
		}
	}
	return ans, nil
}

// SetTowers stores m as the tower mapping of its model, which must be known (ENOTFOUND
// naming model_id); invalid input is EINVALID naming the field.
func (s *Service) SetTowers(ctx context.Context, m *mlexp.TowerMapping) error {
	if s.towers == nil {
		return mlexp.NotConfigured("tower mappings")
	}
	if err := m.Validate(); err != nil {
		return err
	}
	if _, _, err := s.runs.Experiment(ctx, m.ModelID, ""); err != nil {
		return err
	}
	return s.towers.SetTowerMapping(ctx, m)
}

// towerMapping is the tower mapping of the model of runs, when some run lacks tower params
// and the runs' first experiment belongs to a model that has one; nil otherwise.
func (s *Service) towerMapping(ctx context.Context, runs []mlexp.Run) *mlexp.TowerMapping {
	bare := slices.ContainsFunc(runs, func(r mlexp.Run) bool {
		return r.Params.Get("query_tower") == "" && r.Params.Get("candidate_tower") == ""
	})
	if s.towers == nil || len(runs) == 0 || !bare {
		return nil
	}
	m, _, known := s.ModelOf(ctx, runs[0].ExperimentID)
	if !known {
		return nil
	}
	mapping, err := s.towers.TowerMapping(ctx, m.ID)
	if err != nil {
		return nil
	}
	return mapping
}

// embeddingFeatures are the features runs log an {f}_embedding_dim param of, in natural order.
func embeddingFeatures(runs []mlexp.Run) []string {
	seen := map[string]bool{}
	for _, r := range runs {
		for k := range r.Params.All() {
			if f, ok := strings.CutSuffix(k, "_embedding_dim"); ok && f != "" {
				seen[f] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	slices.SortFunc(out, mlexp.NaturalCompare)
	return out
}
