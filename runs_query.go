package mlexp

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Limits and defaults of a runs listing.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
	maxSearchLength = 500
)

// Run attributes a runs listing can be sorted by, besides any metric or param.
const (
	SortName      = "name"
	SortRunType   = "run_type"
	SortStatus    = "status"
	SortStartTime = "start_time"
	SortEndTime   = "end_time"
	SortDuration  = "duration"
	SortCost      = "cost"
	SortConfig    = "config"
)

var (
	sortAttributes = []string{SortName, SortRunType, SortStatus, SortStartTime, SortEndTime, SortDuration, SortCost, SortConfig}
	runStatuses    = []string{"all", "finished", "failed", "running", "killed"}
	sortOrders     = []string{"asc", "desc"}
)

// RunsQuery filters, sorts and pages the runs table.
type RunsQuery struct {
	Type     string `json:"type"`      // all (default), quick_test or full_training
	Status   string `json:"status"`    // all (default), finished, failed, running or killed; any case
	Search   string `json:"search"`    // case-insensitive substring of name, config, id or param key=value
	Sort     string `json:"sort"`      // an attribute, a metric ("recall_at_100" or "metrics.recall_at_100") or "params.<name>"; default start_time
	Order    string `json:"order"`     // asc or desc (default)
	Page     int    `json:"page"`      // from 1 (default)
	PageSize int    `json:"page_size"` // default DefaultPageSize, at most MaxPageSize
}

// RunsPage is one page of a runs listing.
type RunsPage struct {
	Runs     []Run `json:"runs"`
	Total    int   `json:"total"` // runs that pass the filters, on every page
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
	Pages    int   `json:"pages"`
}

func (q *RunsQuery) defaults() {
	q.Type = strings.ToLower(cmp.Or(q.Type, RunTypeAll))
	q.Status = strings.ToLower(cmp.Or(q.Status, "all"))
	q.Sort = cmp.Or(strings.TrimSpace(q.Sort), SortStartTime)
	q.Order = strings.ToLower(cmp.Or(q.Order, "desc"))
	q.Search = strings.TrimSpace(q.Search)
	if q.Page == 0 {
		q.Page = 1
	}
	if q.PageSize == 0 {
		q.PageSize = DefaultPageSize
	}
}

// Check fills in defaults and validates the query against runs: a bad value is an
// EINVALID error naming the parameter, with the valid values in Details["valid"].
func (q *RunsQuery) Check(runs []Run) error {
	q.defaults()
	if err := checkChoice("type", q.Type, runTypes); err != nil {
		return err
	}
	if err := checkChoice("status", q.Status, runStatuses); err != nil {
		return err
	}
	if err := checkChoice("order", q.Order, sortOrders); err != nil {
		return err
	}
	if len(q.Search) > maxSearchLength {
		return InvalidField("search", "longer than %d characters", maxSearchLength)
	}
	if q.Page < 1 {
		return InvalidField("page", "must be 1 or more, not %d", q.Page)
	}
	if q.PageSize < 1 || q.PageSize > MaxPageSize {
		e := InvalidField("page_size", "must be between 1 and %d, not %d", MaxPageSize, q.PageSize)
		e.Details = map[string]any{"min": 1, "max": MaxPageSize}
		return e
	}
	if _, ok := runsSortKeyOf(q.Sort, runs); !ok {
		return checkChoice("sort", q.Sort, RunsSortFields(runs))
	}
	return nil
}

// RunsSortFields lists what runs can be sorted by: the attributes, every metric, then
// every param as "params.<name>".
func RunsSortFields(runs []Run) []string {
	out := append(slices.Clone(sortAttributes), MetricNames(runs)...)
	for _, p := range runParamNames(runs) {
		out = append(out, "params."+p)
	}
	return out
}

// runParamNames lists the param names of runs in name order.
func runParamNames(runs []Run) []string {
	seen := map[string]bool{}
	var names []string
	for i := range runs {
		for k := range runs[i].Params.All() {
			if !seen[k] {
				seen[k] = true
				names = append(names, k)
			}
		}
	}
	slices.Sort(names)
	return names
}

// runsSortKey says how to read a sort key from a run.
type runsSortKey struct {
	attr   string // one of sortAttributes, or "" for a metric or param
	metric string
	param  string
}

// runsSortKeyOf resolves a sort field: "metrics.x" is always metric x, "params.x" param x,
// a bare name an attribute, else a metric.
func runsSortKeyOf(field string, runs []Run) (runsSortKey, bool) {
	if m, ok := strings.CutPrefix(field, "metrics."); ok {
		return runsSortKey{metric: m}, slices.Contains(MetricNames(runs), m)
	}
	if p, ok := strings.CutPrefix(field, "params."); ok {
		return runsSortKey{param: p}, slices.Contains(runParamNames(runs), p)
	}
	if slices.Contains(sortAttributes, field) {
		return runsSortKey{attr: field}, true
	}
	return runsSortKey{metric: field}, slices.Contains(MetricNames(runs), field)
}

// value reads the key of r: a number or a text, or neither when the run has no value.
func (k runsSortKey) value(r *Run) (f float64, s string, ok bool) {
	switch k.attr {
	case SortName:
		return 0, strings.ToLower(r.Name), r.Name != ""
	case SortRunType:
		return float64(runTypeRank(string(r.Type))), string(r.Type), r.Type != ""
	case SortStatus:
		return 0, strings.ToUpper(r.Status), r.Status != ""
	case SortConfig:
		c := cmp.Or(r.ConfigName, r.ConfigID)
		return 0, strings.ToLower(c), c != ""
	case SortStartTime:
		return float64(r.Start.UnixNano()), "", !r.Start.IsZero()
	case SortEndTime:
		return float64(r.End.UnixNano()), "", !r.End.IsZero()
	case SortDuration:
		return float64(r.Duration()), "", !r.End.IsZero() && !r.End.Before(r.Start)
	case SortCost:
		if r.CostUSD == nil {
			return 0, "", false
		}
		return *r.CostUSD, "", !math.IsNaN(*r.CostUSD)
	}
	if k.param != "" {
		v, ok := r.Params.Lookup(k.param)
		if n, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && !math.IsNaN(n) {
			return n, v, ok
		}
		return math.NaN(), v, ok && strings.TrimSpace(v) != ""
	}
	v, ok := r.Metric(k.metric)
	return v, "", ok
}

// FilterRuns returns every run that passes the filters of q, sorted by q, without paging:
// what a CSV export writes. Missing and NaN values sort last in either order; ties go to
// the most recent run, then by id.
func FilterRuns(runs []Run, q RunsQuery) []Run {
	q.defaults()
	needle := strings.ToLower(q.Search)
	out := []Run{}
	for i := range runs {
		r := &runs[i]
		if (q.Type != RunTypeAll && string(r.Type) != q.Type) ||
			(q.Status != "all" && !strings.EqualFold(r.Status, q.Status)) ||
			(needle != "" && !runMatches(r, needle)) {
			continue
		}
		out = append(out, *r)
	}
	key, _ := runsSortKeyOf(q.Sort, runs)
	type keyed struct {
		run *Run
		f   float64
		s   string
		ok  bool
	}
	keys := make([]keyed, len(out))
	for i := range out {
		f, s, ok := key.value(&out[i])
		keys[i] = keyed{&out[i], f, s, ok}
	}
	desc := q.Order == "desc"
	slices.SortStableFunc(keys, func(a, b keyed) int {
		if a.ok != b.ok {
			if a.ok {
				return -1
			}
			return 1
		}
		c := 0
		if a.ok {
			c = compareSortValues(a.f, a.s, b.f, b.s)
		}
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return newerRun(a.run, b.run)
	})
	sorted := make([]Run, len(keys))
	for i, k := range keys {
		sorted[i] = *k.run
	}
	return sorted
}

// compareSortValues compares numbers numerically when both are numbers, texts naturally.
func compareSortValues(fa float64, sa string, fb float64, sb string) int {
	na, nb := !math.IsNaN(fa), !math.IsNaN(fb)
	switch {
	case na && nb:
		if c := cmp.Compare(fa, fb); c != 0 {
			return c
		}
	case na != nb: // a number and a text: numbers first
		if na {
			return -1
		}
		return 1
	}
	return NaturalCompare(sa, sb)
}

// runMatches reports whether the lower-case needle occurs in the run's name, config, id or
// any of its params written key=value.
func runMatches(r *Run, needle string) bool {
	for _, s := range []string{r.Name, r.ConfigID, r.ConfigName, r.ID} {
		if strings.Contains(strings.ToLower(s), needle) {
			return true
		}
	}
	for k, v := range r.Params.All() {
		if strings.Contains(strings.ToLower(k+"="+v), needle) {
			return true
		}
	}
	return false
}

// QueryRuns filters and sorts runs by q (checked with Check) and returns the page it asks
// for. A page past the end is empty, with Total and Pages still counting every match.
func QueryRuns(runs []Run, q RunsQuery) RunsPage {
	q.defaults()
	all := FilterRuns(runs, q)
	size := min(max(q.PageSize, 1), MaxPageSize)
	page := RunsPage{Total: len(all), Page: max(q.Page, 1), PageSize: size, Pages: (len(all) + size - 1) / size}
	lo := len(all)
	if page.Page <= page.Pages {
		lo = (page.Page - 1) * size
	}
	page.Runs = slices.Clone(all[lo:min(lo+size, len(all))])
	if page.Runs == nil {
		page.Runs = []Run{}
	}
	return page
}
