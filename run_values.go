package mlexp

import (
	"encoding/json"
	"iter"
	"maps"
	"slices"
)

// Params are a run's params by name. Read them through the methods (Get, Lookup, All), and
// build them with NewParams: how they are held is the run index's concern, not the reader's.
type Params map[string]string

// NewParams returns params holding the entries of m.
func NewParams(m map[string]string) Params { return Params(maps.Clone(m)) }

// Get returns the value of param key, "" when the run has none.
func (p Params) Get(key string) string { return p[key] }

// Lookup returns the value of param key and whether the run has it.
func (p Params) Lookup(key string) (string, bool) {
	v, ok := p[key]
	return v, ok
}

// Len is how many params there are.
func (p Params) Len() int { return len(p) }

// All yields the params in the order of their names.
func (p Params) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, k := range slices.Sorted(maps.Keys(p)) {
			if !yield(k, p[k]) {
				return
			}
		}
	}
}

// Map returns the params as a new map.
func (p Params) Map() map[string]string { return maps.Clone(map[string]string(p)) }

// MetricValues are metric values by MLflow key. Read them through the methods (Lookup, All)
// and build them with NewMetricValues. In JSON, NaN and ±Infinity (which JSON cannot hold)
// are written as null.
type MetricValues map[string]float64

// NewMetricValues returns metric values holding the entries of m.
func NewMetricValues(m map[string]float64) MetricValues { return MetricValues(maps.Clone(m)) }

// Lookup returns the value of metric key and whether the run has it (NaN included).
func (m MetricValues) Lookup(key string) (float64, bool) {
	v, ok := m[key]
	return v, ok
}

// Len is how many metrics there are.
func (m MetricValues) Len() int { return len(m) }

// All yields the metrics in the order of their keys.
func (m MetricValues) All() iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}

// Map returns the metric values as a new map.
func (m MetricValues) Map() map[string]float64 { return maps.Clone(map[string]float64(m)) }

// MarshalJSON implements json.Marshaler.
func (m MetricValues) MarshalJSON() ([]byte, error) {
	out := make(map[string]*float64, len(m))
	for k, v := range m.All() {
		if !IsFinite(v) {
			out[k] = nil
			continue
		}
		out[k] = &v
	}
	return json.Marshal(out)
}
