package mlflow_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/mlexp-dev/mlexp/mlflow"
)

func TestFloatJSON(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		json string
	}{
		{0.473, "0.473"}, {0, "0"}, {-2.5e-10, "-2.5e-10"}, {math.NaN(), `"NaN"`}, {math.Inf(1), `"Infinity"`}, {math.Inf(-1), `"-Infinity"`},
	} {
		b, err := json.Marshal(mlflow.Float(tc.v))
		if err != nil || string(b) != tc.json {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tc.v, b, err, tc.json)
		}
		var back mlflow.Float
		if err := json.Unmarshal(b, &back); err != nil || !(float64(back) == tc.v || math.IsNaN(tc.v) && math.IsNaN(float64(back))) {
			t.Errorf("round trip of %v gave %v, %v", tc.v, back, err)
		}
	}
	for _, bad := range []string{`"abc"`, `true`, `{}`} {
		var f mlflow.Float
		if err := json.Unmarshal([]byte(bad), &f); err == nil {
			t.Errorf("Unmarshal(%s) accepted", bad)
		}
	}
}

func TestValidateKey(t *testing.T) {
	for key, ok := range map[string]bool{
		"recall_at_100": true, "user_id_embedding_dim": true, "a/b": true, "a b:c-d.e": true, "ünï": true,
		"": false, "a,b": false, "a=b": false, "/a": false, "a/": false, "a//b": false, "./a": false, "a/../b": false, "..": false, ".": false,
	} {
		if err := mlflow.ValidateKey("k", key); (err == nil) != ok {
			t.Errorf("ValidateKey(%q) = %v, want ok=%v", key, err, ok)
		}
	}
}
