package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/explore"
)

// towersPage is the form that sets a model's feature-to-tower mapping.
type towersPage struct {
	Layout         pageLayout
	ModelID        string
	Action         string
	Towers         *explore.TowersAnswer
	Query, Cand    string // the form's values, comma-separated
	Saved          bool
	Error, ErrorOf string // a refused submission: the message and the field it names
}

// handleTowersPage shows a model's tower mapping in a form.
func (s *server) handleTowersPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.towersPageOf(w, r)
	if !ok {
		return
	}
	p.Query, p.Cand = strings.Join(p.Towers.QueryTower, ", "), strings.Join(p.Towers.CandidateTower, ", ")
	p.Saved = r.URL.Query().Get("saved") == "1"
	s.render(w, r, http.StatusOK, viewTowers, p)
}

// handleTowersForm sets a model's tower mapping from the form (query_tower, candidate_tower:
// comma-separated feature names), then shows it; refused input is shown again with the
// reason, answered 400.
func (s *server) handleTowersForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.pageError(w, r, mlexp.InvalidField("body", "is not a form: %v", err))
		return
	}
	query, cand := r.PostFormValue("query_tower"), r.PostFormValue("candidate_tower")
	m := &mlexp.TowerMapping{ModelID: r.PathValue("model_id"), QueryTower: mlexp.SplitList(query), CandidateTower: mlexp.SplitList(cand),
		UpdatedBy: UserFrom(r.Context())}
	err := s.explore.SetTowers(r.Context(), m)
	if err == nil {
		http.Redirect(w, r, modelPath(m.ModelID)+"towers/?saved=1", http.StatusSeeOther)
		return
	}
	if mlexp.ErrorCode(err) != mlexp.EINVALID {
		s.pageError(w, r, err)
		return
	}
	p, ok := s.towersPageOf(w, r)
	if !ok {
		return
	}
	var e *mlexp.Error
	if errors.As(err, &e) {
		p.Error, p.ErrorOf = e.Message, e.Field
	}
	p.Query, p.Cand = query, cand
	s.render(w, r, http.StatusBadRequest, viewTowers, p)
}

// towersPageOf reads what the towers page shows of the model of the request.
func (s *server) towersPageOf(w http.ResponseWriter, r *http.Request) (*towersPage, bool) {
	e, l, ok := s.experimentPage(w, r, "Towers", "towers")
	if !ok {
		return nil, false
	}
	t, err := s.explore.TowersIn(r.Context(), e)
	if err != nil {
		s.pageErrorIn(w, r, l, err)
		return nil, false
	}
	return &towersPage{Layout: l, ModelID: e.Model.ID, Action: modelPath(e.Model.ID) + "towers/", Towers: t}, true
}
