package mlexp

import (
	"encoding/json"
	"hash/maphash"
	"iter"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
)

// A run's params and metrics are held compactly, for experiments of 100,000 runs: the sorted
// names of a run's params (or metrics) are one slice shared by every run with the same names
// (an Interner shares them), and the run holds only its values, in the order of the names.
// Read them through the methods; build them with NewParams and NewMetricValues, or an
// Interner when many runs are read together.

// names is a sorted list of param or metric names, shared by the runs that have the same.
type names []string

// index is the position of name, or -1.
func (n names) index(name string) int {
	i := sort.SearchStrings(n, name)
	if i < len(n) && n[i] == name {
		return i
	}
	return -1
}

// Params are a run's params by name.
type Params struct {
	names  names
	values []string
}

// NewParams returns params holding the entries of m.
func NewParams(m map[string]string) Params {
	var in Interner
	return in.params(slices.Collect(maps.Keys(m)), func(k string) string { return m[k] })
}

// Get returns the value of param key, "" when the run has none.
func (p Params) Get(key string) string {
	v, _ := p.Lookup(key)
	return v
}

// Lookup returns the value of param key and whether the run has it.
func (p Params) Lookup(key string) (string, bool) {
	if i := p.names.index(key); i >= 0 {
		return p.values[i], true
	}
	return "", false
}

// Len is how many params there are.
func (p Params) Len() int { return len(p.names) }

// All yields the params in the order of their names.
func (p Params) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for i, k := range p.names {
			if !yield(k, p.values[i]) {
				return
			}
		}
	}
}

// Map returns the params as a new map.
func (p Params) Map() map[string]string { return maps.Collect(p.All()) }

// Equal reports whether p and q hold the same params.
func (p Params) Equal(q Params) bool {
	return slices.Equal(p.names, q.names) && slices.Equal(p.values, q.values)
}

// With returns the params with key set to value; p is left as it is.
func (p Params) With(key, value string) Params {
	m := p.Map()
	m[key] = value
	return NewParams(m)
}

// Without returns the params without key; p is left as it is.
func (p Params) Without(key string) Params {
	m := p.Map()
	delete(m, key)
	return NewParams(m)
}

// MarshalJSON implements json.Marshaler: an object of the params.
func (p Params) MarshalJSON() ([]byte, error) { return json.Marshal(p.Map()) }

// UnmarshalJSON implements json.Unmarshaler.
func (p *Params) UnmarshalJSON(b []byte) error {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*p = NewParams(m)
	return nil
}

// MetricValues are a run's metric values by MLflow key. In JSON, NaN and ±Infinity (which
// JSON cannot hold) are written as null.
type MetricValues struct {
	names  names
	values []float64
}

// NewMetricValues returns metric values holding the entries of m.
func NewMetricValues(m map[string]float64) MetricValues {
	var in Interner
	return in.metrics(slices.Collect(maps.Keys(m)), func(k string) float64 { return m[k] })
}

// Lookup returns the value of metric key and whether the run has it (NaN included).
func (m MetricValues) Lookup(key string) (float64, bool) {
	if i := m.names.index(key); i >= 0 {
		return m.values[i], true
	}
	return 0, false
}

// Value returns the value of metric key, NaN when the run has none.
func (m MetricValues) Value(key string) float64 {
	if v, ok := m.Lookup(key); ok {
		return v
	}
	return math.NaN()
}

// Len is how many metrics there are.
func (m MetricValues) Len() int { return len(m.names) }

// All yields the metrics in the order of their keys.
func (m MetricValues) All() iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		for i, k := range m.names {
			if !yield(k, m.values[i]) {
				return
			}
		}
	}
}

// Map returns the metric values as a new map.
func (m MetricValues) Map() map[string]float64 { return maps.Collect(m.All()) }

// With returns the metric values with key set to v; m is left as it is.
func (m MetricValues) With(key string, v float64) MetricValues {
	all := m.Map()
	all[key] = v
	return NewMetricValues(all)
}

// Without returns the metric values without key; m is left as it is.
func (m MetricValues) Without(key string) MetricValues {
	all := m.Map()
	delete(all, key)
	return NewMetricValues(all)
}

// MarshalJSON implements json.Marshaler.
func (m MetricValues) MarshalJSON() ([]byte, error) {
	out := make(map[string]*float64, m.Len())
	for k, v := range m.All() {
		if !IsFinite(v) {
			out[k] = nil
			continue
		}
		out[k] = &v
	}
	return json.Marshal(out)
}

// UnmarshalJSON implements json.Unmarshaler; null reads as NaN.
func (m *MetricValues) UnmarshalJSON(b []byte) error {
	var raw map[string]*float64
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	all := make(map[string]float64, len(raw))
	for k, v := range raw {
		all[k] = math.NaN()
		if v != nil {
			all[k] = *v
		}
	}
	*m = NewMetricValues(all)
	return nil
}

// Interner shares, among the runs it builds params and metrics for, one copy of each string
// and one slice of each set of names. The zero value is ready; it is not safe for concurrent
// use.
type Interner struct {
	strs  map[string]string
	names map[uint64][]names // by a hash of the names
	seed  maphash.Seed
	order []int // scratch
	keys  []string
}

// String returns the shared copy of s.
func (in *Interner) String(s string) string {
	if v, ok := in.strs[s]; ok {
		return v
	}
	if in.strs == nil {
		in.strs = map[string]string{}
	}
	s = strings.Clone(s) // not a slice of a larger buffer it would keep alive
	in.strs[s] = s
	return s
}

// Bytes returns the shared copy of string(b), without making that string when it is shared
// already.
func (in *Interner) Bytes(b []byte) string {
	if v, ok := in.strs[string(b)]; ok {
		return v
	}
	return in.String(string(b))
}

// Params returns params of the pairs key, value, key, value… (a repeated key: its last value).
func (in *Interner) Params(pairs []string) Params {
	n, order := in.sortedKeys(len(pairs)/2, func(i int) string { return pairs[2*i] })
	if len(n) == 0 {
		return Params{}
	}
	p := Params{names: n, values: make([]string, len(n))}
	for i, j := range order {
		p.values[i] = in.String(pairs[2*j+1])
	}
	return p
}

// Metrics returns metric values of keys and their values, in the same order (a repeated key:
// its last value).
func (in *Interner) Metrics(keys []string, values []float64) MetricValues {
	n, order := in.sortedKeys(len(keys), func(i int) string { return keys[i] })
	if len(n) == 0 {
		return MetricValues{}
	}
	m := MetricValues{names: n, values: make([]float64, len(n))}
	for i, j := range order {
		m.values[i] = values[j]
	}
	return m
}

func (in *Interner) params(keys []string, value func(string) string) Params {
	p := Params{names: in.shared(keys)}
	if len(p.names) == 0 {
		return Params{}
	}
	p.values = make([]string, len(p.names))
	for i, k := range p.names {
		p.values[i] = value(k)
	}
	return p
}

func (in *Interner) metrics(keys []string, value func(string) float64) MetricValues {
	m := MetricValues{names: in.shared(keys)}
	if len(m.names) == 0 {
		return MetricValues{}
	}
	m.values = make([]float64, len(m.names))
	for i, k := range m.names {
		m.values[i] = value(k)
	}
	return m
}

// sortedKeys sorts the n keys key(0)…key(n-1), drops repeats but the last, and returns the
// shared names and, for each, the index of its key. The order is scratch: valid until the
// next call.
func (in *Interner) sortedKeys(n int, key func(int) string) (names, []int) {
	order := in.order[:0]
	for i := range n {
		order = append(order, i)
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(key(a), key(b)) })
	kept := order[:0]
	for i, j := range order {
		if i+1 < len(order) && key(order[i+1]) == key(j) {
			continue // a later value of the same key follows
		}
		kept = append(kept, j)
	}
	keys := in.keys[:0]
	for _, j := range kept {
		keys = append(keys, key(j))
	}
	in.order, in.keys = order, keys
	return in.shared(keys), kept
}

// shared returns the shared slice of the distinct keys, sorted; keys is sorted in place.
func (in *Interner) shared(keys []string) names {
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if in.names == nil {
		in.names, in.seed = map[uint64][]names{}, maphash.MakeSeed()
	}
	var h maphash.Hash
	h.SetSeed(in.seed)
	for _, k := range keys {
		h.WriteString(k)
		h.WriteByte(0)
	}
	sum := h.Sum64()
	for _, n := range in.names[sum] {
		if slices.Equal(n, keys) {
			return n
		}
	}
	n := make(names, len(keys))
	for i, k := range keys {
		n[i] = in.String(k)
	}
	in.names[sum] = append(in.names[sum], n)
	return n
}
