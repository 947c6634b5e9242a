package web

import (
	"net/http"

	"github.com/mlexp-dev/mlexp"
)

// towersInput is the body of PUT /api/models/{model_id}/towers/: the features of each tower.
type towersInput struct {
	QueryTower     []string `json:"query_tower"`
	CandidateTower []string `json:"candidate_tower"`
}

// handleGetTowers answers a model's tower mapping, with the features its runs log.
func (s *server) handleGetTowers(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.explore.Towers(r.Context(), r.PathValue("model_id"))
}

// handlePutTowers sets a model's tower mapping, replacing any other, and answers it as GET does.
func (s *server) handlePutTowers(w http.ResponseWriter, r *http.Request) (any, error) {
	in, err := decode[towersInput](w, r)
	if err != nil {
		return nil, err
	}
	m := &mlexp.TowerMapping{ModelID: r.PathValue("model_id"), QueryTower: in.QueryTower, CandidateTower: in.CandidateTower, UpdatedBy: UserFrom(r.Context())}
	if err := s.explore.SetTowers(r.Context(), m); err != nil {
		return nil, err
	}
	return s.explore.Towers(r.Context(), m.ModelID)
}
