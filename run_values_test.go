package mlexp_test

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

func TestParamsReadAndChange(t *testing.T) {
	p := mlexp.NewParams(map[string]string{"epochs": "2", "cross_features": "a_x_b", "batch_size": ""})
	if v, ok := p.Lookup("batch_size"); !ok || v != "" {
		t.Errorf("Lookup(batch_size) = %q, %v; want the empty value, present", v, ok)
	}
	if v, ok := p.Lookup("dropout"); ok || v != "" || p.Get("dropout") != "" {
		t.Errorf("Lookup(dropout) = %q, %v; want absent", v, ok)
	}
	if got := slices.Collect(maps.Keys(maps.Collect(p.All()))); len(got) != 3 || p.Len() != 3 {
		t.Errorf("All yields %v, Len %d; want 3 params", got, p.Len())
	}
	var keys []string
	for k := range p.All() {
		keys = append(keys, k)
	}
	if !slices.IsSorted(keys) {
		t.Errorf("All yields %v, want the names in order", keys)
	}
	q := p.With("epochs", "3").With("dropout", "0.1").Without("batch_size")
	if p.Get("epochs") != "2" || p.Len() != 3 {
		t.Errorf("With and Without changed the params they were called on: %v", p.Map())
	}
	if want := map[string]string{"epochs": "3", "cross_features": "a_x_b", "dropout": "0.1"}; !maps.Equal(q.Map(), want) {
		t.Errorf("changed params = %v, want %v", q.Map(), want)
	}
	var zero mlexp.Params
	if zero.Len() != 0 || zero.Get("x") != "" || zero.Map() == nil {
		t.Errorf("the zero Params: Len %d, Map %v", zero.Len(), zero.Map())
	}
}

func TestMetricValuesKeepNaNAndWriteNull(t *testing.T) {
	m := mlexp.NewMetricValues(map[string]float64{"loss": math.NaN(), "recall_at_100": 0.47, "auc": math.Inf(1)})
	if v, ok := m.Lookup("loss"); !ok || !math.IsNaN(v) {
		t.Errorf("Lookup(loss) = %v, %v; want NaN, present", v, ok)
	}
	if _, ok := m.Lookup("mrr"); ok || !math.IsNaN(m.Value("mrr")) || m.Value("recall_at_100") != 0.47 {
		t.Errorf("an absent metric is found, or Value is wrong")
	}
	js, err := json.Marshal(m)
	if err != nil || string(js) != `{"auc":null,"loss":null,"recall_at_100":0.47}` {
		t.Fatalf("JSON = %s, %v", js, err)
	}
	var back mlexp.MetricValues
	if err := json.Unmarshal(js, &back); err != nil || back.Len() != 3 || !math.IsNaN(back.Value("loss")) || back.Value("recall_at_100") != 0.47 {
		t.Errorf("read back %v, %v", back.Map(), err)
	}
	if n := m.With("mrr", 0.2).Without("auc"); n.Len() != 3 || m.Len() != 3 || n.Value("mrr") != 0.2 {
		t.Errorf("With/Without: %v from %v", n.Map(), m.Map())
	}
}

func TestInternerSharesNamesAndKeepsTheLastRepeat(t *testing.T) {
	var in mlexp.Interner
	a := in.Params([]string{"epochs", "2", "cross_features", "none", "epochs", "3"})
	b := in.Params([]string{"cross_features", "a_x_b", "epochs", "5"})
	if want := map[string]string{"epochs": "3", "cross_features": "none"}; !maps.Equal(a.Map(), want) {
		t.Errorf("params = %v, want %v (the last of a repeated key)", a.Map(), want)
	}
	if !mlexp.SameNames(a, b) {
		t.Errorf("two runs with the same param names hold two copies of the names")
	}
	if c := in.Params([]string{"epochs", "5"}); mlexp.SameNames(a, c) || c.Get("epochs") != "5" {
		t.Errorf("runs with other names share the names: %v", c.Map())
	}
	m := in.Metrics([]string{"loss", "recall_at_100", "loss"}, []float64{0.5, 0.4, 0.3})
	if want := map[string]float64{"loss": 0.3, "recall_at_100": 0.4}; !maps.Equal(m.Map(), want) {
		t.Errorf("metrics = %v, want %v", m.Map(), want)
	}
	var js struct {
		Params mlexp.Params `json:"params"`
	}
	if err := json.Unmarshal([]byte(`{"params":{"b":"1","a":"2"}}`), &js); err != nil || js.Params.Get("a") != "2" || js.Params.Len() != 2 {
		t.Errorf("params read from JSON: %v, %v", js.Params.Map(), err)
	}
}
