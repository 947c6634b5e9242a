package apitest_test

import (
	"net/http"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlmdtest"
	"github.com/mlexp-dev/mlexp/mlmd"
)

// lineage calls the lineage route of a server with an ML Metadata store that the
// ml-metadata library wrote (the full training linked by its run id), and of one without.
func (a *api) lineage(t *testing.T, s seed) {
	const route = "/api/experiments/runs/{run_id}/lineage/"
	path, _ := mlmdtest.WriteSQLite(t, mlmdtest.Spec{Trainings: []mlmdtest.Training{
		{Key: "training", RunID: s.training, Link: "external_id", Span: 2, Blessed: true, Pushed: true},
	}})
	store, err := mlmd.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	deps := a.deps
	deps.Lineage, deps.LineageRefs = store, deps.Runs.(mlexp.LineageRefs)
	url := serve(t, deps)
	at := func(run string) string { return "/api/experiments/runs/" + run + "/lineage/" }
	a.call(t, url, http.MethodGet, route, at(s.training), nil, true).want(t, "linked", http.StatusOK)
	a.call(t, url, http.MethodGet, route, at(s.quick1)[:len(at(s.quick1))-1], nil, true).want(t, "no link", http.StatusOK)
	a.call(t, url, http.MethodGet, route, at("0123456789abcdef0123456789abcdef"), nil, true).want(t, "unknown run", http.StatusNotFound)
	a.call(t, a.url, http.MethodGet, route, at(s.training), nil, true).want(t, "no store", http.StatusServiceUnavailable)

	// The best run's answer carries the ML Metadata records; the blessing gate needs a store.
	const best = "/api/models/{model_id}/experiments/best/"
	bestAt := "/api/models/" + s.model + "/experiments/best/?require_blessing="
	a.call(t, url, http.MethodGet, best, bestAt+"true", nil, true).want(t, "best, blessed", http.StatusOK)
	a.call(t, url, http.MethodGet, best, bestAt+"false", nil, true).want(t, "best", http.StatusOK)
	a.call(t, url, http.MethodGet, best, bestAt+"maybe", nil, false).want(t, "best, bad gate", http.StatusBadRequest, "require_blessing")
	a.call(t, a.url, http.MethodGet, best, bestAt+"true", nil, true).want(t, "best, no store", http.StatusServiceUnavailable)

	// A comparison carries the like-for-like check (here: one linked run, one not).
	const compare = "/api/experiments/compare/"
	body := []byte(`{"run_ids":["` + s.training + `","` + s.quick1 + `"]}`)
	ans := a.call(t, url, http.MethodPost, compare, compare, body, true).want(t, "compare with lineage", http.StatusOK)
	var c mlexp.Comparison
	ans.decode(t, &c)
	if c.Lineage == nil || !c.Lineage.LikeForLike || len(c.Lineage.Unlinked) != 1 {
		t.Errorf("lineage check of a comparison: %+v", c.Lineage)
	}
}
