package mlexp

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Axes a heatmap or parallel-coordinates chart can group runs by, besides any param name.
const (
	AxisEmbeddingDims = "embedding_dims" // "U/P" from user_id_embedding_dim / product_id_embedding_dim
	AxisCrossFeatures = "cross_features" // canonical cross list, "none" without crosses (see CanonicalCrosses)
	AxisEpochs        = "epochs"
	AxisRunType       = "run_type"
	AxisNumCrosses    = "num_crosses" // how many cross features
)

// Missing is the axis value of a run that lacks the param.
const Missing = "?"

// builtinAxes are the axes every experiment offers, in the order pickers show them.
var builtinAxes = []string{AxisEmbeddingDims, AxisCrossFeatures, AxisEpochs, AxisRunType, AxisNumCrosses}

// AxisValue is the value of run on axis, as a key: "64/32", "category_x_subcategory", "2".
// The derived axes of a prepared run (Run.Prepare) are read, not computed again.
//
// A param that is absent or blank is Missing, with one exception, the contract of empty
// crosses: a cross_features param that is present but empty (or blank) means no crosses,
// exactly as "none" does, so cross_features is "none" and num_crosses "0". Only a run
// without any cross_features param is Missing on those axes.
func AxisValue(r Run, axis string) string {
	if v, ok := r.preparedValue(axis); ok {
		return v
	}
	param := func(k string) string {
		if v, ok := r.Params.Lookup(k); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return Missing
	}
	switch axis {
	case AxisEmbeddingDims:
		return param("user_id_embedding_dim") + "/" + param("product_id_embedding_dim")
	case AxisCrossFeatures:
		if v, ok := r.Params.Lookup("cross_features"); ok {
			return CanonicalCrosses(v) // "" and "none" alike are "none"
		}
		return Missing
	case AxisNumCrosses:
		if v, ok := r.Params.Lookup("cross_features"); ok {
			return strconv.Itoa(len(crossList(v)))
		}
		return Missing
	case AxisRunType:
		if r.Type == "" {
			return Missing
		}
		return string(r.Type)
	}
	return param(axis)
}

// preparedValue is the run's value on a derived axis as Prepare computed it; ok is false
// for other axes and for a run that was not prepared.
func (r *Run) preparedValue(axis string) (string, bool) {
	if !r.keys.ready {
		return "", false
	}
	switch axis {
	case AxisEmbeddingDims:
		return r.keys.dims, true
	case AxisCrossFeatures:
		return r.keys.crosses, true
	case AxisNumCrosses:
		return r.keys.numCrosses, true
	}
	return "", false
}

// axisReader reads the values of one axis from many runs, remembering the derived values
// (canonical cross lists, "U/P" pairs) it has computed, so that a large experiment costs
// a few map lookups a run.
type axisReader struct {
	axis  string
	memo  map[string]string    // raw param → value, for cross axes
	pairs map[[2]string]string // (user, product) dims → "U/P"
}

func newAxisReader(axis string) *axisReader {
	return &axisReader{axis: axis, memo: map[string]string{}, pairs: map[[2]string]string{}}
}

func (a *axisReader) value(r *Run) string {
	if v, ok := r.preparedValue(a.axis); ok {
		return v
	}
	switch a.axis {
	case AxisEmbeddingDims:
		k := [2]string{r.Params.Get("user_id_embedding_dim"), r.Params.Get("product_id_embedding_dim")}
		v, ok := a.pairs[k]
		if !ok {
			v = AxisValue(*r, a.axis)
			a.pairs[k] = v
		}
		return v
	case AxisCrossFeatures, AxisNumCrosses:
		raw, ok := r.Params.Lookup("cross_features")
		if !ok {
			return Missing
		}
		v, ok := a.memo[raw]
		if !ok {
			v = AxisValue(*r, a.axis)
			a.memo[raw] = v
		}
		return v
	}
	return AxisValue(*r, a.axis)
}

// CanonicalCrosses writes a cross_features param so that order never matters: each cross's
// features sorted, then the crosses sorted. "", a blank value and "none" (in any case) all
// mean no crosses and are "none"; so are list entries that are empty or "none"
// (",none," is "none", "a_x_b,,none" is "a_x_b").
func CanonicalCrosses(v string) string {
	crosses := crossList(v)
	if len(crosses) == 0 {
		return "none"
	}
	return strings.Join(crosses, ",")
}

func crossList(v string) []string {
	var crosses []string
	for _, c := range strings.Split(v, ",") {
		c = strings.TrimSpace(c)
		if c == "" || strings.EqualFold(c, "none") {
			continue
		}
		parts := strings.Split(c, "_x_")
		slices.Sort(parts)
		crosses = append(crosses, strings.Join(parts, "_x_"))
	}
	slices.Sort(crosses)
	return slices.Compact(crosses)
}

// AxisLabel is the human label of an axis value: "user:64 prod:32", "cat × subcat + user × city".
func AxisLabel(axis, value string) string {
	if value == Missing {
		return Missing
	}
	switch axis {
	case AxisEmbeddingDims:
		u, p, _ := strings.Cut(value, "/")
		return "user:" + u + " prod:" + p
	case AxisCrossFeatures:
		if value == "none" {
			return "No crosses"
		}
		crosses := strings.Split(value, ",")
		for i, c := range crosses {
			parts := strings.Split(c, "_x_")
			// Ids first, as people say them: "user × city", not "city × user".
			slices.SortStableFunc(parts, func(a, b string) int {
				return cmp.Compare(boolRank(!strings.HasSuffix(a, "_id")), boolRank(!strings.HasSuffix(b, "_id")))
			})
			for j, p := range parts {
				parts[j] = ShortFeatureName(p)
			}
			crosses[i] = strings.Join(parts, " × ")
		}
		return strings.Join(crosses, " + ")
	case AxisRunType:
		return RunType(value).Label()
	case AxisEpochs:
		if value == "1" {
			return "1 epoch"
		}
		return value + " epochs"
	}
	return value
}

// ShortFeatureName abbreviates a feature name for labels: user_id → user, category → cat.
func ShortFeatureName(f string) string {
	switch f {
	case "category":
		return "cat"
	case "subcategory":
		return "subcat"
	case "product_id":
		return "prod"
	}
	return strings.TrimSuffix(f, "_id")
}

// AxisLabelName is the human name of an axis: "Embedding Dims", "Cross Features",
// "Category × Subcategory Buckets".
func AxisLabelName(axis string) string {
	axis = strings.ReplaceAll(axis, "_x_", "_×_")
	words := strings.Split(axis, "_")
	for i, w := range words {
		if r, size := utf8.DecodeRuneInString(w); size > 0 {
			words[i] = string(unicode.ToUpper(r)) + w[size:]
		}
	}
	return strings.Join(words, " ")
}

// CompareAxisValues orders two values of axis naturally: 32/32 < 64/32 < 64/64 < 128/64,
// numbers numerically, crosses by count then name, quick tests before full trainings, and
// Missing last.
func CompareAxisValues(axis, a, b string) int {
	if a == b {
		return 0
	}
	if a == Missing || b == Missing {
		if a == Missing {
			return 1
		}
		return -1
	}
	switch axis {
	case AxisEmbeddingDims:
		au, ap, _ := strings.Cut(a, "/")
		bu, bp, _ := strings.Cut(b, "/")
		if c := NaturalCompare(au, bu); c != 0 {
			return c
		}
		return NaturalCompare(ap, bp)
	case AxisCrossFeatures:
		ca, cb := len(crossList(a)), len(crossList(b))
		if ca != cb {
			return cmp.Compare(ca, cb)
		}
	case AxisRunType:
		if c := cmp.Compare(runTypeRank(a), runTypeRank(b)); c != 0 {
			return c
		}
	}
	return NaturalCompare(a, b)
}

// NaturalCompare orders strings with their runs of digits compared as numbers, so that
// "config-9" < "config-10" and "8" < "16". Numbers with a fraction compare numerically.
func NaturalCompare(a, b string) int {
	if fa, errA := strconv.ParseFloat(a, 64); errA == nil {
		if fb, errB := strconv.ParseFloat(b, 64); errB == nil {
			if c := cmp.Compare(fa, fb); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		}
	}
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da != "" && db != "" {
			na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func runTypeRank(v string) int {
	switch RunType(v) {
	case QuickTestRun:
		return 0
	case FullTrainingRun:
		return 1
	}
	return 2
}

func digitPrefix(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// Axes lists the axes runs can be grouped by: the built-in ones, then every param name.
func Axes(runs []Run) []string {
	seen := map[string]bool{}
	for _, a := range builtinAxes {
		seen[a] = true
	}
	var params []string
	for _, r := range runs {
		for k := range r.Params.All() {
			if !seen[k] {
				seen[k] = true
				params = append(params, k)
			}
		}
	}
	slices.Sort(params)
	return append(slices.Clone(builtinAxes), params...)
}

// CheckAxis returns an EINVALID error naming field and listing the valid axes when axis is
// not one of them.
func CheckAxis(field, axis string, runs []Run) error {
	// The common case is cheap: a built-in axis, or a param the first runs have. The full
	// list, a pass over every param of every run, is built only for the error.
	if slices.Contains(builtinAxes, axis) {
		return nil
	}
	for i := range runs {
		if _, ok := runs[i].Params.Lookup(axis); ok {
			return nil
		}
	}
	valid := Axes(runs)
	return &Error{Code: EINVALID, Field: field, Message: field + ": unknown axis " + strconv.Quote(axis) + "; valid axes: " + strings.Join(valid, ", "),
		Details: map[string]any{"valid": valid}}
}

// SortAxisValues sorts values of axis in natural order.
func SortAxisValues(axis string, values []string) {
	slices.SortFunc(values, func(a, b string) int { return CompareAxisValues(axis, a, b) })
}
