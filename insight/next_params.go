package insight

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"hash/maphash"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// The params of suggestions: a config's feature params, an axis value set on them, and the
// fingerprints that tell a suggestion from what was already tested.

// configOnly copies the feature params of a run: every param but those of notConfig.
func configOnly(params mlexp.Params) map[string]string {
	out := map[string]string{}
	for k, v := range params.All() {
		if !slices.Contains(notConfig, k) {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// setAxis sets params to value on axis; false when that is not a change a config can make.
func setAxis(params map[string]string, axis, value string, runs []mlexp.Run) bool {
	switch {
	case value == mlexp.Missing:
		return false
	case axis == mlexp.AxisEmbeddingDims:
		u, p, ok := strings.Cut(value, "/")
		if !ok || u == mlexp.Missing || p == mlexp.Missing {
			return false
		}
		params["user_id_embedding_dim"], params["product_id_embedding_dim"] = u, p
		return true
	case axis == mlexp.AxisCrossFeatures:
		return setCrosses(params, value, runs)
	case axis == mlexp.AxisRunType || axis == mlexp.AxisNumCrosses || axis == "query_tower" || axis == "candidate_tower" || slices.Contains(notConfig, axis):
		return false
	case strings.HasSuffix(axis, "_buckets") && params[axis] == "":
		return false // the buckets of a cross the base does not have
	case strings.HasSuffix(axis, "_embedding_dim"):
		f := strings.TrimSuffix(axis, "_embedding_dim")
		if !slices.Contains(mlexp.SplitList(params["query_tower"]), f) && !slices.Contains(mlexp.SplitList(params["candidate_tower"]), f) && params[axis] == "" {
			return false
		}
	}
	params[axis] = value
	return true
}

// setCrosses sets the cross list to the canonical list value: crosses the base has keep
// their name and buckets, new ones take both from the first run that has them.
func setCrosses(params map[string]string, value string, runs []mlexp.Run) bool {
	want := map[string]bool{}
	if value != "none" {
		for _, c := range strings.Split(value, ",") {
			want[c] = true
		}
	}
	var names []string
	for _, raw := range mlexp.SplitList(params["cross_features"]) {
		if c := mlexp.CanonicalCrosses(raw); want[c] && !slices.Contains(names, raw) {
			names = append(names, raw)
			delete(want, c)
		} else {
			delete(params, raw+"_buckets")
		}
	}
	for _, c := range slices.Sorted(maps.Keys(want)) {
		found := false
		for _, r := range runs {
			for _, raw := range mlexp.SplitList(r.Params.Get("cross_features")) {
				if b := strings.TrimSpace(r.Params.Get(raw + "_buckets")); !found && mlexp.CanonicalCrosses(raw) == c && b != "" {
					names, found = append(names, raw), true
					params[raw+"_buckets"] = b
				}
			}
		}
		if !found {
			return false
		}
	}
	params["cross_features"] = cmp.Or(strings.Join(names, ","), "none")
	return true
}

// fingerprint identifies a configuration by its feature params (and, withTest, the quick
// test's data_sample_percent and epochs): cross lists canonical, numbers numeric.
func fingerprint(params map[string]string, withTest bool) string {
	keys := slices.Sorted(maps.Keys(params))
	var b strings.Builder
	for _, k := range keys {
		if slices.Contains(notConfig, k) && !(withTest && (k == "data_sample_percent" || k == "epochs")) {
			continue
		}
		v := strings.TrimSpace(params[k])
		if k == "cross_features" {
			v = mlexp.CanonicalCrosses(v)
		} else if f, err := strconv.ParseFloat(v, 64); err == nil {
			v = strconv.FormatFloat(f, 'g', -1, 64)
		}
		b.WriteString(k + "=" + v + "\n")
	}
	return b.String()
}

// fingerprints remembers the fingerprints of the params maps it has seen: the runs of a
// sweep repeat a few configs, and sorting and normalising every run's params again was
// most of the cost of NextConfigs (BenchmarkAnalyze10k).
type fingerprints struct {
	seed   maphash.Seed
	byHash map[uint64][]fingerprinted // by an order-free hash of the raw params
}

type fingerprinted struct {
	params          mlexp.Params
	plain, withTest string
}

// of returns fingerprint(params, false) and fingerprint(params, true).
func (f *fingerprints) of(params mlexp.Params) (plain, withTest string) {
	var h uint64
	for k, v := range params.All() {
		h += maphash.String(f.seed, k) ^ (maphash.String(f.seed, v) * 0x9E3779B97F4A7C15)
	}
	for _, e := range f.byHash[h] {
		if e.params.Equal(params) {
			return e.plain, e.withTest
		}
	}
	m := params.Map()
	e := fingerprinted{params: params, plain: fingerprint(m, false), withTest: fingerprint(m, true)}
	f.byHash[h] = append(f.byHash[h], e)
	return e.plain, e.withTest
}

// configHash is the id of a suggested config: the base's id and a hash of its params.
func configHash(base string, params map[string]string) string {
	h := fnv.New32a()
	h.Write([]byte(fingerprint(params, true)))
	return fmt.Sprintf("%s-next-%08x", cmp.Or(base, "config"), h.Sum32())
}

// paramChanges lists the feature and test params that differ between from and to.
func paramChanges(from, to map[string]string) []ParamChange {
	keys := slices.Sorted(maps.Keys(from))
	for k := range to {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []ParamChange
	for _, k := range slices.Compact(keys) {
		a, b := strings.TrimSpace(from[k]), strings.TrimSpace(to[k])
		if a != b && k != "run_type" && k != "config_id" && k != "training_run_id" && k != "batch_size" {
			out = append(out, ParamChange{Param: k, From: a, To: b})
		}
	}
	return out
}
