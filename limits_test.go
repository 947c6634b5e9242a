package mlexp_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
)

// longFeature is a valid feature name of n characters (at most 100), distinct for each i.
func longFeature(i, n int) string {
	prefix := fmt.Sprintf("f%d_", i)
	return prefix + strings.Repeat("a", n-len(prefix))
}

// longFeatures are n features named by longFeature.
func longFeatures(n, length int) []mlexp.Feature {
	fs := make([]mlexp.Feature, n)
	for i := range fs {
		fs[i] = mlexp.Feature{Name: longFeature(i, length), EmbeddingDim: 8}
	}
	return fs
}

// A config whose params MLflow would refuse or truncate is refused before anything is
// sent, naming the part of the config that makes the param too long. The probe found a
// 314-character cross key and a 10,099-character tower list refused only after runs/create.
func TestConfigsWhoseParamsMLflowRefusesAreInvalid(t *testing.T) {
	cases := []struct {
		name   string
		change func(*mlexp.FeatureConfig)
		field  string // "" = valid
	}{
		{"a cross whose buckets key is 314 characters", func(c *mlexp.FeatureConfig) {
			c.CrossFeatures[0].Features = []string{longFeature(1, 100), longFeature(2, 100), longFeature(3, 100)}
		}, "feature_config.cross_features[0]"},
		{"a cross whose buckets key is 250 characters", func(c *mlexp.FeatureConfig) {
			c.CrossFeatures[1].Features = []string{longFeature(1, 100), longFeature(2, 100), longFeature(3, 36)} // 242 + "_buckets"
		}, ""},
		{"a query tower listed in 10,099 characters", func(c *mlexp.FeatureConfig) { c.QueryTower = longFeatures(101, 99) }, "feature_config.query_tower"},
		{"a candidate tower listed in 6,001 characters", func(c *mlexp.FeatureConfig) {
			c.QueryTower = c.QueryTower[:1]
			c.CandidateTower = longFeatures(60, 100)
			c.CandidateTower[59].Name = longFeature(59, 42) // 59*101 + 42 = 6001
		}, "feature_config.candidate_tower"},
		{"a candidate tower listed in 6,000 characters", func(c *mlexp.FeatureConfig) {
			c.QueryTower = c.QueryTower[:1]
			c.CandidateTower = longFeatures(60, 100)
			c.CandidateTower[59].Name = longFeature(59, 41) // 6000
		}, ""},
		{"crosses listed in more than 6,000 characters", func(c *mlexp.FeatureConfig) {
			c.CrossFeatures = nil
			for i := range 40 { // 40 names of 2*100+3 characters
				c.CrossFeatures = append(c.CrossFeatures, mlexp.CrossFeature{Features: []string{longFeature(2*i, 100), longFeature(2*i+1, 100)}, Buckets: 10})
			}
		}, "feature_config.cross_features"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, tr := sample.QuickTestReport(), sample.TrainingRunReport()
			tc.change(&q.FeatureConfig)
			tc.change(&tr.FeatureConfig)
			for kind, err := range map[string]error{"quick test": q.Validate(), "training run": tr.Validate()} {
				if tc.field == "" {
					if err != nil {
						t.Errorf("%s: unexpected error: %v", kind, err)
					}
					continue
				}
				e, ok := err.(*mlexp.Error)
				if !ok || e.Code != mlexp.EINVALID || e.Field != tc.field || !strings.HasPrefix(e.Message, tc.field) || len(e.Message) > 400 {
					t.Errorf("%s: err = %v, want a short EINVALID naming %s", kind, err, tc.field)
				}
			}
		})
	}
}

// Every param a valid config logs is within MLflow's limits: the check above and
// FeatureConfig.Params agree on what is sent.
func TestValidConfigsLogParamsWithinMLflowsLimits(t *testing.T) {
	c := sample.FeatureConfig()
	c.QueryTower = longFeatures(59, 100)
	c.CandidateTower = []mlexp.Feature{{Name: "item", EmbeddingDim: 8}}
	c.CrossFeatures = []mlexp.CrossFeature{{Features: []string{longFeature(1, 100), longFeature(2, 100), longFeature(3, 36)}, Buckets: 3}}
	if err := c.Validate("feature_config"); err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Params() {
		if len(p.Key) > mlexp.MaxParamKeyLength || len(p.Value) > mlexp.MaxParamValueLength {
			t.Errorf("param %.40s… (key %d, value %d characters) is beyond MLflow's limits", p.Key, len(p.Key), len(p.Value))
		}
	}
}
