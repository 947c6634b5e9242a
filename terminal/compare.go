package terminal

import (
	"cmp"
	"io"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// termCompareColumnMax limits the width of a run's column in the metrics table.
const termCompareColumnMax = 24

// Comparison writes a comparison: the runs compared, the metrics table with diffs
// against the baseline (percentage points for recall), the notes, the configuration diff
// by group with NEW / REMOVED / changed marks, and the recommendation.
func Comparison(w io.Writer, c *mlexp.Comparison, o Options) error {
	t := newTermWriter(w)
	base := 0
	titles := make([]string, len(c.Runs))
	selected := make([]string, len(c.Runs))
	for i, r := range c.Runs {
		if r.Baseline {
			base = i
		}
		titles[i] = termRunTitle(r)
		head, rest := termSplitName(r.Name, r.ConfigName)
		if rest == "" {
			rest = r.TypeLabel
		}
		selected[i] = head + " (" + rest + ")"
	}
	// Runs of one config are told apart by their full names.
	for i := range titles {
		for j := range titles {
			if i != j && titles[i] == titles[j] {
				titles[i] = cmp.Or(c.Runs[i].Name, c.Runs[i].ID)
			}
		}
	}
	for _, l := range termWrap("Selected: "+strings.Join(selected, " vs "), o.width()) {
		t.line(l)
	}
	for i, r := range c.Runs { // what each full training would deploy
		if m := r.Model; m != nil {
			for _, l := range termWrap("Model of "+titles[i]+": "+m.URI+" ("+mlexp.ModelSourceLabel(m.Source)+")", o.width()) {
				t.line(l)
			}
		}
	}
	baseWhy := map[string]string{mlexp.BaselineChosen: "chosen", mlexp.BaselineDeployed: "the deployed run", mlexp.BaselineFirst: "the first run"}[c.BaselineReason]
	if baseWhy != "" {
		baseWhy = ", " + baseWhy
	}
	for _, l := range termWrap("Baseline: "+selected[base]+baseWhy, o.width()) {
		t.line(l)
	}
	t.line()

	t.section(o, "METRICS COMPARISON")
	termMetricsTable(t, c, base, o)
	t.line()
	termNotes(t, c, o)

	t.section(o, "CONFIGURATION DIFF")
	termConfigDiff(t, c, base, titles, o)
	t.line()

	t.section(o, "RECOMMENDATION")
	first := true
	for _, sentence := range termSentences(c.Recommendation.Message) {
		for _, l := range termWrap(sentence, o.width()-3) {
			if first {
				t.line("💡 ", l)
				first = false
			} else {
				t.line("   ", l)
			}
		}
	}
	return t.flush()
}

// termRunTitle names a compared run by its config, as the mock-up's column heads do.
func termRunTitle(r mlexp.ComparedRun) string {
	return cmp.Or(r.ConfigName, cmp.Or(r.ConfigID, cmp.Or(r.Name, r.ID)))
}

// termMetricsTable draws the metrics, duration and cost of every run. With two runs the
// diff has its own column, as in the mock-up; with more, each run's diff follows its value.
func termMetricsTable(t *termWriter, c *mlexp.Comparison, base int, o Options) {
	n := len(c.Runs)
	two := n == 2
	other := 1 - base // the other run, when there are two
	al := []termAlign{termLeft}
	maxW := []int{20}
	head := [][]string{{"Metric"}}
	for i, r := range c.Runs {
		top, rest := termSplitName(r.Name, r.ConfigName)
		if top == r.Name && r.ConfigName != "" && r.ConfigName != r.Name {
			top = r.ConfigName
		}
		if rest == "" {
			rest = r.TypeLabel
		}
		lines := []string{top, "(" + rest + ")"}
		var role []string
		if i == base {
			role = append(role, "baseline")
		}
		if r.Deployed {
			role = append(role, o.markers(false, true)+" deployed")
		}
		if r.Status == mlexp.RunFailed || r.Status == mlexp.RunKilled {
			role = append(role, o.paint(strings.ToLower(r.Status), termBad))
		}
		if len(role) > 0 {
			lines = append(lines, strings.Join(role, ", "))
		}
		head = append(head, lines)
		al, maxW = append(al, termLeft), append(maxW, termCompareColumnMax)
	}
	if two {
		head = append(head, []string{"Diff", "(vs baseline)"})
		al, maxW = append(al, termLeft), append(maxW, termCompareColumnMax)
	}
	tb := &termTable{align: al, maxWidth: maxW, head: head}
	rows := append(append([]mlexp.MetricRow{}, c.Metrics...), c.Duration, c.Cost)
	for _, m := range rows {
		row := [][]string{{m.Label}}
		for i := range n {
			v := m.Texts[i]
			if i == m.Best {
				v = o.markers(true, false) + v
			}
			if !two && i != base && m.DiffTexts[i] != mlexp.NoValue && m.DiffTexts[i] != "" {
				v += "  " + termDiff(o, m, i)
			}
			row = append(row, []string{v})
		}
		if two {
			row = append(row, []string{termDiff(o, m, other)})
		}
		tb.rows = append(tb.rows, row)
	}
	tb.shrink(0, o.width(), 10)
	tb.write(t)
}

// termDiff writes the diff of run i, coloured by whether it is better than the baseline.
func termDiff(o Options, m mlexp.MetricRow, i int) string {
	s := m.DiffTexts[i]
	if s == "" {
		return mlexp.NoValue
	}
	d := m.Diffs[i]
	if d == nil || *d == 0 || m.Metric == mlexp.MetricDuration || m.Metric == mlexp.MetricCostUSD {
		return s
	}
	if (*d > 0) == (m.Direction == "max") {
		return o.paint(s, termGood)
	}
	return o.paint(s, termBad)
}

// termSentences splits a message after each ". " so that each sentence starts a line, as in
// the mock-up's recommendation.
func termSentences(msg string) []string {
	var out []string
	for {
		i := strings.Index(msg, ". ")
		if i < 0 {
			break
		}
		out = append(out, msg[:i+1])
		msg = strings.TrimSpace(msg[i+2:])
	}
	if msg != "" {
		out = append(out, msg)
	}
	return out
}

// termWidest is the width of the widest line.
func termWidest(lines []string) int {
	w := 0
	for _, l := range lines {
		w = max(w, StringWidth(l))
	}
	return w
}

// termNotes writes the comparison's notes, then the lineage warning when its runs were not
// trained alike, each with a ⚠.
func termNotes(t *termWriter, c *mlexp.Comparison, o Options) {
	for _, n := range c.Notes {
		for i, l := range termWrap("Note: "+n, o.width()-2) {
			if i == 0 {
				t.line(o.paint("⚠", termWarn), " ", l)
			} else {
				t.line("  ", l)
			}
		}
	}
	for i, w := range c.LineageWarning() {
		for j, l := range termWrap(w, o.width()-4) {
			switch {
			case i == 0 && j == 0:
				t.line(o.paint("⚠", termWarn), " ", o.paint(l, termBold))
			case i == 0 || j > 0:
				t.line("    ", l)
			default:
				t.line("  • ", l)
			}
		}
	}
	if len(c.Notes) > 0 || c.LineageWarning() != nil {
		t.line()
	}
}
