package mlexp

import (
	"maps"
	"reflect"
	"slices"
	"testing"
)

// paramsConfig has everything a config can log: two towers, crosses (one listed in
// non-sorted feature order) and settings that need care to write.
func paramsConfig() FeatureConfig {
	return FeatureConfig{
		ID:             "config-042",
		QueryTower:     []Feature{{Name: "user_id", EmbeddingDim: 64}, {Name: "city", EmbeddingDim: 16}},
		CandidateTower: []Feature{{Name: "product_id", EmbeddingDim: 64}, {Name: "product_name", EmbeddingDim: 32}, {Name: "category", EmbeddingDim: 16}, {Name: "subcategory", EmbeddingDim: 16}},
		CrossFeatures:  []CrossFeature{{Features: []string{"subcategory", "category"}, Buckets: 1000}, {Features: []string{"user_id", "city"}, Buckets: 5000}},
		Settings:       map[string]float64{"revenue_buckets": 10, "learning_rate": 0.001, "dropout": 0.25, "seed": 42, "weight": -1.5, "big": 1e21, "tiny": 1e-7},
	}
}

// plainConfig has one feature per tower and neither crosses nor settings.
func plainConfig() FeatureConfig {
	return FeatureConfig{ID: "plain", QueryTower: []Feature{{Name: "user_id", EmbeddingDim: 128}}, CandidateTower: []Feature{{Name: "product_id", EmbeddingDim: 32}}}
}

func paramMap(ps []Param) map[string]string {
	m := map[string]string{}
	for _, p := range ps {
		m[p.Key] = p.Value
	}
	return m
}

// The params, in order and text, are those tracking's configParams logged before it called
// FeatureConfig.Params (captured from it for these two configs).
func TestFeatureConfigParamsAreWhatTrackingLogs(t *testing.T) {
	for _, tc := range []struct {
		cfg  FeatureConfig
		want []Param
	}{
		{paramsConfig(), []Param{
			{"user_id_embedding_dim", "64"},
			{"city_embedding_dim", "16"},
			{"product_id_embedding_dim", "64"},
			{"product_name_embedding_dim", "32"},
			{"category_embedding_dim", "16"},
			{"subcategory_embedding_dim", "16"},
			{"query_tower", "user_id,city"},
			{"candidate_tower", "product_id,product_name,category,subcategory"},
			{"subcategory_x_category_buckets", "1000"},
			{"user_id_x_city_buckets", "5000"},
			{"cross_features", "subcategory_x_category,user_id_x_city"},
			{"big", "1000000000000000000000"},
			{"dropout", "0.25"},
			{"learning_rate", "0.001"},
			{"revenue_buckets", "10"},
			{"seed", "42"},
			{"tiny", "0.0000001"},
			{"weight", "-1.5"},
		}},
		{plainConfig(), []Param{
			{"user_id_embedding_dim", "128"},
			{"product_id_embedding_dim", "32"},
			{"query_tower", "user_id"},
			{"candidate_tower", "product_id"},
			{"cross_features", "none"},
		}},
	} {
		if got := tc.cfg.Params(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Params() =\n%v\nwant\n%v", tc.cfg.ID, got, tc.want)
		}
	}
}

func TestFormatParamNumber(t *testing.T) {
	for v, want := range map[float64]string{10: "10", 100: "100", 0.001: "0.001", 12.5: "12.5", -1.5: "-1.5", 1e21: "1000000000000000000000", 1e-7: "0.0000001", 0: "0"} {
		if got := FormatParamNumber(v); got != want {
			t.Errorf("FormatParamNumber(%g) = %q, want %q", v, got, want)
		}
	}
}

// config → params → config gives the config back (Name is not logged), with the run's own
// params beside the feature params ignored.
func TestFeatureConfigParamsRoundTrip(t *testing.T) {
	oneCross := plainConfig()
	oneCross.ID, oneCross.Name = "one-cross", "One cross"
	oneCross.QueryTower = append(oneCross.QueryTower, Feature{Name: "city", EmbeddingDim: 8})
	oneCross.CrossFeatures = []CrossFeature{{Features: []string{"user_id", "city", "product_id"}, Buckets: 1 << 20}}
	oneCross.Settings = map[string]float64{"revenue_buckets": 20}
	for _, cfg := range []FeatureConfig{paramsConfig(), plainConfig(), oneCross} {
		params := paramMap(cfg.Params())
		maps.Copy(params, map[string]string{"run_type": "quick_test", "config_id": "other", "data_sample_percent": "10",
			"epochs": "2", "batch_size": "512", "training_run_id": "46"})
		got, ok := FeatureConfigFromParams(cfg.ID, params)
		want := cfg
		want.Name = ""
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: FeatureConfigFromParams = %+v, %v\nwant %+v, true", cfg.ID, got, ok, want)
		}
		if !slices.Equal(got.Params(), cfg.Params()) {
			t.Errorf("%s: params after the round trip = %v, want %v", cfg.ID, got.Params(), cfg.Params())
		}
	}
}

// Params written differently from how mlexp logs them, but meaning the same, are read.
func TestFeatureConfigFromParamsAcceptsEquivalentWriting(t *testing.T) {
	params := paramMap(paramsConfig().Params())
	params["learning_rate"] = "1e-3"
	params["revenue_buckets"] = " 10.0 "
	params["cross_features"] = "user_id_x_city,subcategory_x_category"
	got, ok := FeatureConfigFromParams("config-042", params)
	if !ok {
		t.Fatalf("FeatureConfigFromParams(%v) = false", params)
	}
	if got.Settings["learning_rate"] != 0.001 || got.Settings["revenue_buckets"] != 10 {
		t.Errorf("settings = %v", got.Settings)
	}
	if n := []string{got.CrossFeatures[0].Name(), got.CrossFeatures[1].Name()}; !slices.Equal(n, []string{"user_id_x_city", "subcategory_x_category"}) {
		t.Errorf("crosses = %v, want the listed order", n)
	}
	params["cross_features"] = "NONE"
	delete(params, "user_id_x_city_buckets")
	delete(params, "subcategory_x_category_buckets")
	if got, ok := FeatureConfigFromParams("config-042", params); !ok || got.CrossFeatures != nil {
		t.Errorf("cross_features NONE: %+v, %v; want no crosses, true", got.CrossFeatures, ok)
	}
}

func TestFeatureConfigFromParamsRejectsWhatIsNoConfig(t *testing.T) {
	for name, change := range map[string]func(p map[string]string){
		"no query_tower":            func(p map[string]string) { delete(p, "query_tower") },
		"empty candidate_tower":     func(p map[string]string) { p["candidate_tower"] = "" },
		"dim missing":               func(p map[string]string) { delete(p, "city_embedding_dim") },
		"dim not an integer":        func(p map[string]string) { p["user_id_embedding_dim"] = "64.5" },
		"buckets missing":           func(p map[string]string) { delete(p, "user_id_x_city_buckets") },
		"buckets not an integer":    func(p map[string]string) { p["user_id_x_city_buckets"] = "many" },
		"setting not a number":      func(p map[string]string) { p["optimizer"] = "adam" },
		"dim of no tower's feature": func(p map[string]string) { p["brand_embedding_dim"] = "8" },
		"feature listed twice":      func(p map[string]string) { p["query_tower"] = "user_id,city,user_id" },
		"dim out of range":          func(p map[string]string) { p["city_embedding_dim"] = "0" },
		"tower list with spaces":    func(p map[string]string) { p["query_tower"] = "user_id, city" },
		"no cross_features":         func(p map[string]string) { delete(p, "cross_features") },
	} {
		params := paramMap(paramsConfig().Params())
		change(params)
		if got, ok := FeatureConfigFromParams("config-042", params); ok || !reflect.DeepEqual(got, FeatureConfig{}) {
			t.Errorf("%s: FeatureConfigFromParams = %+v, %v; want the zero config, false", name, got, ok)
		}
	}
	if _, ok := FeatureConfigFromParams(`bad"id`, paramMap(plainConfig().Params())); ok {
		t.Error("an invalid id gives a config")
	}
}
