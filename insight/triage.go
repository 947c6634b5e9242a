package insight

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// FailureReason is one normalised cause of failure: an error type in a stage.
type FailureReason struct {
	Stage     string `json:"stage"`      // as reported, e.g. "Transform"; "" when none was
	ErrorType string `json:"error_type"` // normalised, e.g. "OOM", "Timeout"
	Label     string `json:"label"`      // "OOM in Transform"
	Count     int    `json:"count"`      // failed runs with this reason
}

// FailureGroup is a set of failed runs that share something: a reason (Kind "reason") or a
// value of a configuration axis (Kind "axis").
//
// For an axis group, Runs counts the completed runs with that value, Failures those of them
// that failed, Rate = Failures / Runs, and OtherRate is the failure rate of the completed runs
// without that value (they have another value or lack the param). For a reason group, Runs
// and Failures are both the number of failed runs with that reason, Rate is their share of all
// failed runs and OtherRate is absent.
type FailureGroup struct {
	Kind      string          `json:"kind"`            // reason or axis
	Axis      string          `json:"axis,omitempty"`  // axis groups: the axis or param
	Value     string          `json:"value,omitempty"` // axis groups: its value
	Label     string          `json:"label"`           // "user:256d", "OOM in Transform"
	Same      []string        `json:"same,omitempty"`  // labels of other axis values with exactly the same runs
	Failures  int             `json:"failures"`
	Runs      int             `json:"runs"`
	Rate      mlexp.Number    `json:"rate"`
	OtherRate *mlexp.Number   `json:"other_rate,omitempty"`
	Reasons   []FailureReason `json:"reasons"`  // the reasons of its failures, most frequent first
	Messages  []string        `json:"messages"` // distinct raw failure messages, at most five
	RunIDs    []string        `json:"run_ids"`  // the failed runs
	Summary   string          `json:"summary"`  // "user:256d fails with OOM in Transform in 3 of 3 runs"
}

// FailureTriage groups the failed runs of an experiment.
type FailureTriage struct {
	Runs    int            `json:"runs"`    // completed runs: finished, failed or killed
	Failed  int            `json:"failed"`  // of which failed or were killed
	Reasons []FailureGroup `json:"reasons"` // by normalised reason, most failures first
	Axes    []FailureGroup `json:"axes"`    // axis values that explain failures, highest rate first
}

// Kinds of failure group.
const (
	GroupReason = "reason"
	GroupAxis   = "axis"
)

// Triage groups the failed runs (status FAILED or KILLED) among runs.
//
// Reason: a failure's reason is its stage (the failure_stage tag, trimmed; written in one
// case it is capitalised, so "transform" and "TRANSFORM" are "Transform") and an error type normalised from the message (failure_reason): OOM (out of
// memory, ResourceExhausted, OutOfMemoryError, "OOM"), Timeout (timed out, deadline
// exceeded), NaN (NaN or Inf loss), Preempted (preempted, evicted, killed), Disk full (no space
// left); any other message is reduced to its first clause (up to ':' or a line end) with
// numbers replaced by N, at most 60 characters. A killed run without a message is "Killed",
// a failed one "Unknown". Reason groups are ranked by count, then label.
//
// Axes: every axis a heatmap can group by (mlexp.Axes: embedding_dims, cross_features,
// epochs, run_type, num_crosses and every param) except config_id and training_run_id, which
// name runs rather than configure them. For each value that at least one failed run has, it
// counts the completed runs (running ones are left out) with that value and those that
// failed. A value explains failures when its failure rate is higher than that of the
// completed runs without it; only those are listed, ranked by rate, then failures, then runs,
// then axis and value in natural order. Values whose runs are exactly the same as those of a
// value listed before it (user_id_embedding_dim=256 and embedding_dims=256/64 when only one
// config has a 256-d user embedding) are folded into it, their labels listed in Same; params
// come before the derived axes, so the simplest explanation is the one shown.
func Triage(runs []mlexp.Run) FailureTriage {
	var done []mlexp.Run
	for _, r := range runs {
		if r.Status == mlexp.RunFinished || r.Failed() {
			done = append(done, r)
		}
	}
	t := FailureTriage{Runs: len(done), Reasons: []FailureGroup{}, Axes: []FailureGroup{}}
	var failed []mlexp.Run
	for _, r := range done {
		if r.Failed() {
			failed = append(failed, r)
		}
	}
	t.Failed = len(failed)
	if len(failed) == 0 {
		return t
	}
	byReason := map[string][]mlexp.Run{}
	var keys []string
	for _, r := range failed {
		k := reasonOf(r).Label
		if byReason[k] == nil {
			keys = append(keys, k)
		}
		byReason[k] = append(byReason[k], r)
	}
	for _, k := range keys {
		g := failureGroup(GroupReason, "", "", k, byReason[k], len(byReason[k]))
		g.Rate = mlexp.Number(float64(len(byReason[k])) / float64(len(failed)))
		g.Summary = fmt.Sprintf("%s: %d of %d failed runs", k, len(byReason[k]), len(failed))
		t.Reasons = append(t.Reasons, g)
	}
	slices.SortStableFunc(t.Reasons, func(a, b FailureGroup) int {
		return cmp.Or(cmp.Compare(b.Failures, a.Failures), cmp.Compare(a.Label, b.Label))
	})
	t.Axes = axisGroups(done, failed)
	return t
}

// axisGroups finds the axis values that explain failures.
func axisGroups(done, failed []mlexp.Run) []FailureGroup {
	axes := triageAxes(done)
	seen := map[string]int{} // the ids of a group's runs → its index in out
	var out []FailureGroup
	for _, axis := range axes {
		// One pass over the runs: which runs have each value, and which values failed.
		byValue := map[string][]int{} // value → indexes into done
		for i := range done {
			v := mlexp.AxisValue(done[i], axis)
			byValue[v] = append(byValue[v], i)
		}
		var sorted []string
		for v, idx := range byValue {
			if v != mlexp.Missing && slices.ContainsFunc(idx, func(i int) bool { return done[i].Failed() }) {
				sorted = append(sorted, v)
			}
		}
		mlexp.SortAxisValues(axis, sorted)
		for _, v := range sorted {
			idx := byValue[v]
			nFailed := 0
			for _, i := range idx {
				if done[i].Failed() {
					nFailed++
				}
			}
			rate := float64(nFailed) / float64(len(idx))
			others := len(done) - len(idx)
			if others == 0 {
				continue // every run has it: it tells nothing apart
			}
			otherRate := float64(len(failed)-nFailed) / float64(others)
			if rate <= otherRate {
				continue
			}
			withFailed := make([]mlexp.Run, 0, nFailed)
			ids := make([]string, len(idx))
			for k, i := range idx {
				ids[k] = done[i].ID
				if done[i].Failed() {
					withFailed = append(withFailed, done[i])
				}
			}
			label := triageLabel(axis, v)
			key := strings.Join(ids, "\x00")
			if i, ok := seen[key]; ok {
				out[i].Same = append(out[i].Same, label)
				continue
			}
			g := failureGroup(GroupAxis, axis, v, label, withFailed, len(idx))
			g.Rate, g.OtherRate = mlexp.Number(rate), new(mlexp.Number(otherRate))
			g.Summary = fmt.Sprintf("%s fails %s in %d of %d runs", label, withReasons(g.Reasons), nFailed, len(idx))
			seen[key] = len(out)
			out = append(out, g)
		}
	}
	slices.SortStableFunc(out, func(a, b FailureGroup) int {
		return cmp.Or(cmp.Compare(float64(b.Rate), float64(a.Rate)), cmp.Compare(b.Failures, a.Failures), cmp.Compare(b.Runs, a.Runs))
	})
	return out
}

// triageAxes are the axes failures are explained by: params first (in name order), then
// the derived axes.
func triageAxes(runs []mlexp.Run) []string {
	var params, derived []string
	builtin := map[string]bool{mlexp.AxisEmbeddingDims: true, mlexp.AxisCrossFeatures: true, mlexp.AxisEpochs: true, mlexp.AxisRunType: true, mlexp.AxisNumCrosses: true}
	for _, a := range mlexp.Axes(runs) {
		switch {
		case a == "config_id" || a == "training_run_id":
		case a == mlexp.AxisEpochs || a == mlexp.AxisCrossFeatures:
			params = append(params, a) // params themselves, read canonically by AxisValue
		case builtin[a]:
			derived = append(derived, a)
		default:
			params = append(params, a)
		}
	}
	slices.Sort(params)
	return append(params, derived...)
}

func failureGroup(kind, axis, value, label string, failed []mlexp.Run, runs int) FailureGroup {
	g := FailureGroup{Kind: kind, Axis: axis, Value: value, Label: label, Failures: len(failed), Runs: runs,
		Reasons: []FailureReason{}, Messages: []string{}, RunIDs: []string{}}
	counts := map[string]int{}
	for _, r := range failed {
		g.RunIDs = append(g.RunIDs, r.ID)
		fr := reasonOf(r)
		if counts[fr.Label] == 0 {
			g.Reasons = append(g.Reasons, fr)
		}
		counts[fr.Label]++
		if r.Failure != nil && r.Failure.Reason != "" && len(g.Messages) < 5 && !slices.Contains(g.Messages, r.Failure.Reason) {
			g.Messages = append(g.Messages, r.Failure.Reason)
		}
	}
	for i := range g.Reasons {
		g.Reasons[i].Count = counts[g.Reasons[i].Label]
	}
	slices.SortStableFunc(g.Reasons, func(a, b FailureReason) int { return cmp.Compare(b.Count, a.Count) })
	return g
}

// withReasons says how runs failed: "with OOM in Transform", or "(OOM in Transform ×2,
// Timeout in Train ×1)" when the reasons differ.
func withReasons(rs []FailureReason) string {
	if len(rs) == 1 {
		return "with " + rs[0].Label
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%s ×%d", r.Label, r.Count)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// triageLabel names an axis value the way people say it: "user:256d" for an embedding dim,
// the heatmap's label for derived axes, "param=value" otherwise.
func triageLabel(axis, v string) string {
	if f, ok := strings.CutSuffix(axis, "_embedding_dim"); ok {
		return mlexp.ShortFeatureName(f) + ":" + v + "d"
	}
	switch axis {
	case mlexp.AxisEmbeddingDims, mlexp.AxisCrossFeatures, mlexp.AxisRunType, mlexp.AxisEpochs:
		return mlexp.AxisLabel(axis, v)
	}
	return axis + "=" + v
}

var (
	numbers       = regexp.MustCompile(`[0-9]+(\.[0-9]+)?`)
	errorPatterns = []struct {
		re   *regexp.Regexp
		name string
	}{
		{regexp.MustCompile(`(?i)\boom\b|out of memory|outofmemory|resource_?exhausted|memoryerror`), "OOM"},
		{regexp.MustCompile(`(?i)timed? ?out|deadline exceeded`), "Timeout"},
		{regexp.MustCompile(`(?i)\bnan\b|\binf\b|not a number`), "NaN"},
		{regexp.MustCompile(`(?i)no space left|disk full|quota exceeded`), "Disk full"},
		{regexp.MustCompile(`(?i)preempt|evicted|\bkilled\b`), "Preempted"},
	}
)

// reasonOf normalises the failure of run r; see Triage.
func reasonOf(r mlexp.Run) FailureReason {
	var stage, msg string
	if r.Failure != nil {
		stage, msg = strings.TrimSpace(r.Failure.Stage), strings.TrimSpace(r.Failure.Reason)
	}
	typ := ""
	for _, p := range errorPatterns {
		if p.re.MatchString(msg) {
			typ = p.name
			break
		}
	}
	if typ == "" && msg != "" {
		first, _, _ := strings.Cut(strings.SplitN(msg, "\n", 2)[0], ":")
		typ = numbers.ReplaceAllString(strings.Join(strings.Fields(first), " "), "N")
		if len([]rune(typ)) > 60 {
			typ = string([]rune(typ)[:60]) + "…"
		}
	}
	if typ == "" {
		typ = "Unknown"
		if r.Status == mlexp.RunKilled {
			typ = "Killed"
		}
	}
	label := typ
	if stage != "" {
		stage = canonicalStage(stage)
		label += " in " + stage
	}
	return FailureReason{Stage: stage, ErrorType: typ, Label: label}
}

// canonicalStage writes a stage written in one case with a capital first letter and the
// rest in lower case, so that "transform", "TRANSFORM" and "Transform" are one stage;
// mixed-case names such as "SchemaGen" are kept.
func canonicalStage(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s != strings.ToLower(s) && s != strings.ToUpper(s) {
		return s
	}
	r := []rune(strings.ToLower(s))
	return strings.ToUpper(string(r[:1])) + string(r[1:])
}
