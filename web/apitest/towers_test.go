package apitest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

const (
	towersRoute     = "/api/models/{model_id}/towers/"
	towersPageRoute = "/models/{model_id}/towers/"
)

// towersAnswer is the data of the towers routes.
type towersAnswer struct {
	ModelID        string    `json:"model_id"`
	QueryTower     []string  `json:"query_tower"`
	CandidateTower []string  `json:"candidate_tower"`
	UpdatedAt      time.Time `json:"updated_at"`
	UpdatedBy      string    `json:"updated_by"`
	Features       []string  `json:"features"`
	Unplaced       []string  `json:"unplaced"`
}

// towers calls the tower-mapping routes of the seeded model: read, set, refuse bad input
// naming the field, and the page with its form.
func (a *api) towers(t *testing.T, s seed) {
	target := "/api/models/" + url.PathEscape(s.model) + "/towers/"
	var got towersAnswer
	a.call(t, a.url, http.MethodGet, towersRoute, target, nil, true).must(t, "towers", http.StatusOK).decode(t, &got)
	if len(got.QueryTower) != 0 || !got.UpdatedAt.IsZero() || !slices.Contains(got.Features, "user_id") || !slices.Equal(got.Features, got.Unplaced) {
		t.Errorf("no mapping yet: %+v", got)
	}
	put := func(body string, valid bool, status int, field ...string) answer {
		t.Helper()
		return a.call(t, a.url, http.MethodPut, towersRoute, target, []byte(body), valid).want(t, "PUT towers "+body, status, field...)
	}
	put(`{"query_tower":["user_id","city"],"candidate_tower":["product_id","category"]}`, true, http.StatusOK).decode(t, &got)
	if !slices.Equal(got.QueryTower, []string{"user_id", "city"}) || got.UpdatedBy == "" || got.UpdatedAt.IsZero() || slices.Contains(got.Unplaced, "user_id") {
		t.Errorf("set: %+v", got)
	}
	a.call(t, a.url, http.MethodGet, towersRoute, strings.TrimSuffix(target, "/"), nil, true).must(t, "towers", http.StatusOK).decode(t, &got)
	if !slices.Equal(got.CandidateTower, []string{"product_id", "category"}) {
		t.Errorf("read back: %+v", got)
	}
	put(`{}`, true, http.StatusBadRequest, "query_tower")
	put(`{"query_tower":["User ID"]}`, true, http.StatusBadRequest, "query_tower[0]")
	put(`{"query_tower":["user_id"],"candidate_tower":["user_id"]}`, true, http.StatusBadRequest, "candidate_tower[0]")
	put(`{"query_tower":"user_id"}`, false, http.StatusBadRequest, "query_tower")
	put(`{"query_tower":["user_id"],"towers":1}`, false, http.StatusBadRequest, "towers")
	a.call(t, a.url, http.MethodPut, towersRoute, "/api/models/no-such-model/towers/", []byte(`{"query_tower":["user_id"]}`), true).want(t, "unknown model", http.StatusNotFound, "model_id")
	a.call(t, a.url, http.MethodGet, towersRoute, "/api/models/no-such-model/towers/", nil, true).want(t, "unknown model", http.StatusNotFound, "model_id")

	// The page shows the mapping; its form sets it, and shows refused input with the reason.
	page := "/models/" + url.PathEscape(s.model) + "/towers/"
	body := string(a.call(t, a.url, http.MethodGet, towersPageRoute, page, nil, true).must(t, "towers page", http.StatusOK).body)
	if !strings.Contains(body, `value="user_id, city"`) || !strings.Contains(body, `value="product_id, category"`) {
		t.Errorf("the towers page does not show the mapping:\n%.2000s", body)
	}
	form := func(q, c string) answer {
		return a.callWith(t, a.url, http.MethodPost, towersPageRoute, page, []byte(url.Values{"query_tower": {q}, "candidate_tower": {c}}.Encode()),
			"application/x-www-form-urlencoded", nil, true)
	}
	if ans := form("user_id", "product_id, city"); ans.status != http.StatusSeeOther || ans.header.Get("Location") != page+"?saved=1" {
		t.Errorf("form: %d %s", ans.status, ans.header.Get("Location"))
	}
	a.call(t, a.url, http.MethodGet, towersRoute, target, nil, true).must(t, "towers", http.StatusOK).decode(t, &got)
	if !slices.Equal(got.CandidateTower, []string{"product_id", "city"}) {
		t.Errorf("after the form: %+v", got)
	}
	if ans := form("user_id", "user_id"); ans.status != http.StatusBadRequest || !strings.Contains(string(ans.body), `data-field="candidate_tower[0]"`) ||
		!strings.Contains(string(ans.body), `value="user_id"`) {
		t.Errorf("refused form: %d\n%.2000s", ans.status, ans.body)
	}
}

// TestTowerMappingGroupsBareRuns, over a real MLflow: runs logged by hand in the spec's bare
// shape (embedding dims, no tower params) have their dims under Other in a comparison until
// the model's tower mapping is set; then they are grouped by tower.
func TestTowerMappingGroupsBareRuns(t *testing.T) {
	a := newAPI(t)
	ctx := t.Context()
	var m mlexp.Model
	uniqueModel(&m, "bare")
	expID, err := a.mlf.CreateExperiment(ctx, m.Name+" bare", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, user := range []string{"64", "128"} {
		r, err := a.mlf.CreateRun(ctx, mlflow.CreateRunRequest{ExperimentID: expID, RunName: fmt.Sprintf("config-%d Quick Test #%d", i, i)})
		if err != nil {
			t.Fatal(err)
		}
		params := []mlflow.Param{{Key: "run_type", Value: "quick_test"}, {Key: "config_id", Value: fmt.Sprintf("config-%d", i)},
			{Key: "user_id_embedding_dim", Value: user}, {Key: "city_embedding_dim", Value: "16"}, {Key: "product_id_embedding_dim", Value: "64"},
			{Key: "cross_features", Value: "none"}}
		metrics := []mlflow.Metric{{Key: "recall_at_100", Value: mlflow.Float(0.4 + float64(i)/100), Timestamp: time.Now().UnixMilli()}}
		if err := a.mlf.LogBatch(ctx, r.Info.RunID, metrics, params, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.Info.RunID)
	}
	attach := "/api/models/" + url.PathEscape(m.ID) + "/experiments/attach/"
	a.call(t, a.url, http.MethodPost, "/api/models/{model_id}/experiments/attach/", attach,
		[]byte(fmt.Sprintf(`{"experiment":%q,"dataset":{"id":"d","name":"D"}}`, expID)), true).must(t, "attach", http.StatusOK)

	compare := func() map[string][]string {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"run_ids": ids})
		var c mlexp.Comparison
		a.call(t, a.url, http.MethodPost, "/api/experiments/compare/", "/api/experiments/compare/", body, true).must(t, "compare", http.StatusOK).decode(t, &c)
		groups := map[string][]string{}
		for _, g := range c.ConfigDiff {
			for _, e := range g.Entries {
				groups[g.Name] = append(groups[g.Name], e.Item)
			}
		}
		return groups
	}
	if g := compare(); len(g[mlexp.GroupQueryTower]) != 0 || !slices.Contains(g[mlexp.GroupOther], "user_id_embedding_dim") {
		t.Fatalf("without a mapping: %v", g)
	}
	// The comparison page links to the form that places them.
	page := string(a.call(t, a.url, http.MethodGet, "/compare/", "/compare/?run_ids="+strings.Join(ids, ","), nil, true).must(t, "compare page", http.StatusOK).body)
	if !strings.Contains(page, `href="/models/`+url.PathEscape(m.ID)+`/towers/?dataset_id=d">Set this model's towers</a>`) {
		t.Errorf("the compare page has no link to the towers form")
	}
	target := "/api/models/" + url.PathEscape(m.ID) + "/towers/"
	a.call(t, a.url, http.MethodPut, towersRoute, target, []byte(`{"query_tower":["user_id","city"],"candidate_tower":["product_id"]}`), true).
		must(t, "PUT towers", http.StatusOK)
	g := compare()
	if !slices.Equal(g[mlexp.GroupQueryTower], []string{"user_id", "city"}) || !slices.Equal(g[mlexp.GroupCandidateTower], []string{"product_id"}) ||
		slices.ContainsFunc(g[mlexp.GroupOther], func(p string) bool { return strings.HasSuffix(p, "_embedding_dim") }) {
		t.Errorf("with the mapping: %v", g)
	}
}
