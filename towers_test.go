package mlexp

import (
	"errors"
	"slices"
	"testing"
)

// bareRuns are two quick tests logged in the spec's bare shape: embedding dims, no
// query_tower / candidate_tower params.
func bareRuns() []Run {
	p := func(user, extra string) Params {
		m := map[string]string{"run_type": "quick_test", "config_id": "c-" + user, "user_id_embedding_dim": user, "city_embedding_dim": "16",
			"product_id_embedding_dim": "64", "category_embedding_dim": "16", "revenue_buckets": "10", "cross_features": "none"}
		if extra != "" {
			m[extra+"_embedding_dim"] = "8"
		}
		return NewParams(m)
	}
	mv := NewMetricValues(map[string]float64{MetricRecallAt100: 0.4})
	return []Run{
		{ID: "a", Type: QuickTestRun, Status: RunFinished, Params: p("64", ""), Metrics: mv},
		{ID: "b", Type: QuickTestRun, Status: RunFinished, Params: p("128", "brand"), Metrics: mv},
	}
}

func groupItems(c *Comparison, name string) []string {
	var out []string
	for _, g := range c.ConfigDiff {
		if g.Name == name {
			for _, e := range g.Entries {
				out = append(out, e.Item)
			}
		}
	}
	return out
}

// TestTowerMappingPlacesBareRuns: without a mapping the dims of bare runs land under Other;
// the model's mapping puts them in their towers, in its order, and leaves the rest (a
// feature it does not place, other params) under Other.
func TestTowerMappingPlacesBareRuns(t *testing.T) {
	c := mustCompare(t, bareRuns(), CompareOptions{})
	if q := groupItems(c, GroupQueryTower); len(q) != 0 || !slices.Contains(groupItems(c, GroupOther), "user_id_embedding_dim") {
		t.Fatalf("without a mapping: query %v, other %v", q, groupItems(c, GroupOther))
	}
	m := &TowerMapping{ModelID: "m", QueryTower: []string{"user_id", "city", "age"}, CandidateTower: []string{"product_id", "category"}}
	c = mustCompare(t, bareRuns(), CompareOptions{Towers: m})
	if q := groupItems(c, GroupQueryTower); !slices.Equal(q, []string{"user_id", "city"}) { // age: no run has its dim
		t.Errorf("query tower = %v", q)
	}
	if cand := groupItems(c, GroupCandidateTower); !slices.Equal(cand, []string{"product_id", "category"}) {
		t.Errorf("candidate tower = %v", cand)
	}
	if o := groupItems(c, GroupOther); !slices.Equal(o, []string{"brand_embedding_dim", "revenue_buckets"}) {
		t.Errorf("other = %v", o)
	}
	e := c.ConfigDiff[0].Entries[0]
	if !slices.Equal(e.Values, []string{"64d", "128d"}) || e.Marks[1] != MarkChanged {
		t.Errorf("user_id entry = %+v", e)
	}
	// A run's own tower params win over the mapping.
	runs := bareRuns()
	own := runs[0].Params.Map()
	own["candidate_tower"], own["query_tower"] = "user_id,product_id,category", "city"
	runs[0].Params = NewParams(own)
	c = mustCompare(t, runs, CompareOptions{Towers: m})
	if q := groupItems(c, GroupQueryTower); !slices.Equal(q, []string{"city"}) {
		t.Errorf("with the runs' own towers: query %v", q)
	}
}

func TestTowerMappingValidate(t *testing.T) {
	ok := TowerMapping{ModelID: "model-7", QueryTower: []string{"user_id"}, CandidateTower: []string{"product_id"}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	long := make([]string, MaxTowerFeatures+1)
	for i := range long {
		long[i] = "f" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	for _, c := range []struct {
		m     TowerMapping
		field string
	}{
		{TowerMapping{QueryTower: []string{"user_id"}}, "model_id"},
		{TowerMapping{ModelID: "m"}, "query_tower"},
		{TowerMapping{ModelID: "m", QueryTower: []string{"User ID"}}, "query_tower[0]"},
		{TowerMapping{ModelID: "m", QueryTower: []string{"user_id"}, CandidateTower: []string{"item", ""}}, "candidate_tower[1]"},
		{TowerMapping{ModelID: "m", QueryTower: []string{"user_id"}, CandidateTower: []string{"user_id"}}, "candidate_tower[0]"},
		{TowerMapping{ModelID: "m", QueryTower: []string{"a", "a"}}, "query_tower[1]"},
		{TowerMapping{ModelID: "m", CandidateTower: long}, "candidate_tower"},
	} {
		err := c.m.Validate()
		var e *Error
		if !errors.As(err, &e) || e.Code != EINVALID || e.Field != c.field {
			t.Errorf("%+v: %v, want EINVALID naming %s", c.m, err, c.field)
		}
	}
}
