package mlexp

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Marks of a configuration diff entry: how a run's value relates to the baseline's.
const (
	MarkSame    = "same"    // equal, or absent from both
	MarkChanged = "changed" // present in both, different
	MarkNew     = "new"     // present in the run, absent from the baseline
	MarkRemoved = "removed" // present in the baseline, absent from the run
)

// Groups of a configuration diff, always all five and in this order.
const (
	GroupQueryTower     = "Query Tower"
	GroupCandidateTower = "Candidate Tower"
	GroupCrossFeatures  = "Cross Features"
	GroupTraining       = "Training"
	GroupOther          = "Other"
)

// DiffGroup is one group of the configuration diff.
type DiffGroup struct {
	Name    string      `json:"name"`
	Entries []DiffEntry `json:"entries"`
}

// DiffEntry is one item of the diff: a feature ("user_id"), a cross ("user_id × city"), a
// training setting or another param. Values are per run ("64d", "5000 buckets", NoValue
// when absent); Marks are per run against the baseline, "" for the baseline itself.
type DiffEntry struct {
	Item    string   `json:"item"`
	Values  []string `json:"values"`
	Marks   []string `json:"marks"`
	Differs bool     `json:"differs"` // some run's mark is not same
}

// DiffSummary counts one run's marks over the whole diff; Text is "3 changed, 1 new",
// "same as baseline" or "baseline".
type DiffSummary struct {
	Changed int    `json:"changed"`
	New     int    `json:"new"`
	Removed int    `json:"removed"`
	Text    string `json:"text"`
}

// trainingParams are the Training group, in display order.
var trainingParams = []string{"run_type", "epochs", "batch_size", "data_sample_percent"}

// bookkeepingParams are shown through other entries or not at all.
var bookkeepingParams = []string{"config_id", "training_run_id", "query_tower", "candidate_tower", "cross_features"}

// cell is one run's raw value of an entry; ok says whether the run has it at all.
type cell struct {
	raw, text string
	ok        bool
}

// diffConfigs builds the configuration diff. Tower membership comes from the query_tower
// and candidate_tower params (the first run that lists a feature decides), then, for the
// features no run places, from the model's tower mapping (nil: none) when some run has
// the feature's embedding dim; the embedding dims of features placed by neither are listed
// under Other by param name rather than guessed. Crosses are compared canonically (the order of crosses and of the features
// in a cross never matters), with bucket counts from any {a}_x_{b}_buckets param in either
// feature order; a run without a cross_features param has the crosses of its bucket params.
func diffConfigs(runs []Run, base int, mapping *TowerMapping) ([]DiffGroup, []DiffSummary) {
	groups := []DiffGroup{{Name: GroupQueryTower}, {Name: GroupCandidateTower}, {Name: GroupCrossFeatures}, {Name: GroupTraining}, {Name: GroupOther}}
	add := func(g int, item string, cells []cell) {
		groups[g].Entries = append(groups[g].Entries, diffEntry(item, cells, base))
	}
	tower := map[string]int{} // feature → group index
	var towerOrder [2][]string
	for _, r := range runs {
		for g, param := range []string{"query_tower", "candidate_tower"} {
			for _, f := range SplitList(r.Params.Get(param)) {
				if _, ok := tower[f]; !ok {
					tower[f] = g
					towerOrder[g] = append(towerOrder[g], f)
				}
			}
		}
	}
	if mapping != nil {
		for g, features := range [][]string{mapping.QueryTower, mapping.CandidateTower} {
			for _, f := range features {
				if _, placed := tower[f]; !placed && slices.ContainsFunc(runs, func(r Run) bool { _, ok := r.Params.Lookup(f + "_embedding_dim"); return ok }) {
					tower[f] = g
					towerOrder[g] = append(towerOrder[g], f)
				}
			}
		}
	}
	for g, features := range towerOrder {
		for _, f := range features {
			add(g, f, perRun(runs, func(r Run) cell {
				if v, ok := r.Params.Lookup(f + "_embedding_dim"); ok {
					return cell{v, v + "d", true}
				}
				if slices.Contains(SplitList(r.Params.Get("query_tower")), f) || slices.Contains(SplitList(r.Params.Get("candidate_tower")), f) {
					return cell{"", "?d", true}
				}
				return cell{}
			}))
		}
	}
	crosses := make([]map[string]cell, len(runs))
	var crossOrder, crossLabels []string
	for i, r := range runs {
		var keys, labels []string
		keys, labels, crosses[i] = runCrosses(r)
		for j, k := range keys {
			if !slices.Contains(crossOrder, k) {
				crossOrder, crossLabels = append(crossOrder, k), append(crossLabels, labels[j])
			}
		}
	}
	for j, k := range crossOrder {
		add(2, crossLabels[j], perRunIndex(runs, func(i int) cell { return crosses[i][k] }))
	}
	for _, p := range trainingParams {
		cells := perRun(runs, func(r Run) cell { return paramCell(r, p) })
		if slices.ContainsFunc(cells, func(c cell) bool { return c.ok }) {
			add(3, p, cells)
		}
	}
	for _, p := range otherParams(runs, tower) {
		add(4, p, perRun(runs, func(r Run) cell { return paramCell(r, p) }))
	}
	for g := range groups {
		if groups[g].Entries == nil {
			groups[g].Entries = []DiffEntry{}
		}
	}
	return groups, summarizeDiff(groups, len(runs), base)
}

func perRun(runs []Run, f func(Run) cell) []cell {
	return perRunIndex(runs, func(i int) cell { return f(runs[i]) })
}

func perRunIndex(runs []Run, f func(int) cell) []cell {
	cells := make([]cell, len(runs))
	for i := range runs {
		cells[i] = f(i)
	}
	return cells
}

// paramCell is a param as shown: run_type by its label, data_sample_percent with "%",
// embedding dims with "d".
func paramCell(r Run, p string) cell {
	v, ok := r.Params.Lookup(p)
	if p == "run_type" && !ok && r.Type != "" {
		v, ok = string(r.Type), true
	}
	if !ok {
		return cell{}
	}
	switch {
	case p == "run_type":
		return cell{v, RunType(v).Label(), true}
	case p == "data_sample_percent":
		return cell{v, v + "%", true}
	case strings.HasSuffix(p, "_embedding_dim"):
		return cell{v, v + "d", true}
	}
	return cell{v, v, true}
}

// runCrosses reads a run's crosses: canonical keys and labels in logged order, and each
// one's cell ("5000 buckets", or "? buckets" without a bucket param).
func runCrosses(r Run) (keys, labels []string, cells map[string]cell) {
	buckets := map[string]string{}
	var bucketKeys []string
	for p, v := range r.Params.All() {
		if k, ok := crossBucketParam(p); ok {
			buckets[k] = v
			bucketKeys = append(bucketKeys, p)
		}
	}
	var logged []string
	if v, ok := r.Params.Lookup("cross_features"); ok {
		logged = SplitList(v)
	} else {
		slices.Sort(bucketKeys)
		for _, p := range bucketKeys {
			logged = append(logged, strings.TrimSuffix(p, "_buckets"))
		}
	}
	cells = map[string]cell{}
	for _, c := range logged {
		if strings.EqualFold(c, "none") {
			continue
		}
		k := CanonicalCrosses(c)
		if _, dup := cells[k]; dup {
			continue
		}
		keys, labels = append(keys, k), append(labels, strings.Join(strings.Split(c, "_x_"), " × "))
		if b, ok := buckets[k]; ok {
			cells[k] = cell{b, b + " buckets", true}
		} else {
			cells[k] = cell{"", "? buckets", true}
		}
	}
	return keys, labels, cells
}

// crossBucketParam reports whether p is the bucket count of a cross, and the cross's
// canonical key: "subcategory_x_category_buckets" → "category_x_subcategory".
func crossBucketParam(p string) (string, bool) {
	c, ok := strings.CutSuffix(p, "_buckets")
	if !ok || !strings.Contains(c, "_x_") {
		return "", false
	}
	return CanonicalCrosses(c), true
}

// otherParams are every param not shown elsewhere, in natural order.
func otherParams(runs []Run, tower map[string]int) []string {
	seen := map[string]bool{}
	for _, r := range runs {
		for p := range r.Params.All() {
			f, dim := strings.CutSuffix(p, "_embedding_dim")
			_, inTower := tower[f]
			_, isCross := crossBucketParam(p)
			if !(dim && inTower) && !isCross && !slices.Contains(bookkeepingParams, p) && !slices.Contains(trainingParams, p) {
				seen[p] = true
			}
		}
	}
	return slices.SortedFunc(maps.Keys(seen), NaturalCompare)
}

func diffEntry(item string, cells []cell, base int) DiffEntry {
	e := DiffEntry{Item: item, Values: make([]string, len(cells)), Marks: make([]string, len(cells))}
	b := cells[base]
	for i, c := range cells {
		e.Values[i] = NoValue
		if c.ok {
			e.Values[i] = c.text
		}
		if i == base {
			continue
		}
		switch {
		case c.ok == b.ok && (!c.ok || sameParam(c.raw, b.raw)):
			e.Marks[i] = MarkSame
		case !b.ok:
			e.Marks[i] = MarkNew
		case !c.ok:
			e.Marks[i] = MarkRemoved
		default:
			e.Marks[i] = MarkChanged
		}
		e.Differs = e.Differs || e.Marks[i] != MarkSame
	}
	return e
}

// sameParam compares param values, numbers numerically ("64" = "64.0").
func sameParam(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == b {
		return true
	}
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	return errA == nil && errB == nil && fa == fb
}

func summarizeDiff(groups []DiffGroup, n, base int) []DiffSummary {
	out := make([]DiffSummary, n)
	for _, g := range groups {
		for _, e := range g.Entries {
			for i, m := range e.Marks {
				switch m {
				case MarkChanged:
					out[i].Changed++
				case MarkNew:
					out[i].New++
				case MarkRemoved:
					out[i].Removed++
				}
			}
		}
	}
	for i := range out {
		s := &out[i]
		var parts []string
		for _, p := range []struct {
			n    int
			word string
		}{{s.Changed, "changed"}, {s.New, "new"}, {s.Removed, "removed"}} {
			if p.n > 0 {
				parts = append(parts, strconv.Itoa(p.n)+" "+p.word)
			}
		}
		switch {
		case i == base:
			s.Text = "baseline"
		case len(parts) == 0:
			s.Text = "same as baseline"
		default:
			s.Text = strings.Join(parts, ", ")
		}
	}
	return out
}

// SplitList splits a comma-separated param (a tower, the cross features), dropping blanks.
func SplitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
