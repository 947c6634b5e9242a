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

// termConfigDiff draws the configuration diff in a box, group by group: each entry with
// the baseline's value, the other runs' values and how they differ. Items, values and marks
// are aligned in columns over the whole diff when that fits the width; otherwise within
// each group, with narrower gaps, and at last not at all.
func termConfigDiff(t *termWriter, c *mlexp.Comparison, base int, titles []string, o Options) {
	d := termConfigDiffer{c: c, o: o, titles: titles, order: []int{base}} // baseline first
	for i := range c.Runs {
		if i != base {
			d.order = append(d.order, i)
		}
	}
	var lines []string
	for _, l := range termDiffLayouts(len(c.Runs)) {
		if lines = d.lines(l); termWidest(lines)+4 <= o.width() {
			break
		}
	}
	if len(lines) == 0 {
		lines = []string{"No configuration parameters to compare."}
	}
	t.box(max(o.width(), min(termWidest(lines)+4, o.width()*2)), lines)
}

// termDiffLayout is one way of aligning the configuration diff.
type termDiffLayout struct {
	scope    int    // 0: over the whole diff, 1: within each group, 2: none
	sep, gap string // between values, before the marks
}

// termDiffLayouts are the layouts to try for n runs, widest first. Two runs read
// "baseline → other", as in the mock-up; more runs get a head row.
func termDiffLayouts(n int) []termDiffLayout {
	if n > 2 {
		return []termDiffLayout{{0, "   ", "   "}, {0, "  ", "  "}}
	}
	return []termDiffLayout{{0, "  →  ", "   "}, {0, " → ", "  "}, {1, " → ", "  "}, {2, " → ", "  "}}
}

// termConfigDiffer writes the lines of the configuration diff of a comparison.
type termConfigDiffer struct {
	c      *mlexp.Comparison
	o      Options
	order  []int    // the runs in the order of their columns, baseline first
	titles []string // the runs' names in the head row and the marks
}

// measure is the width of the items (with their colon, at most 32) and of each run's values
// in groups; with more than two runs, the values are at least as wide as the head row.
func (d termConfigDiffer) measure(groups []mlexp.DiffGroup) (int, []int) {
	n := len(d.c.Runs)
	itemW, valW := 0, make([]int, n)
	for _, g := range groups {
		for _, e := range g.Entries {
			itemW = max(itemW, StringWidth(e.Item)+1)
			for i, v := range e.Values {
				valW[i] = max(valW[i], StringWidth(v))
			}
		}
	}
	if n > 2 {
		for _, i := range d.order {
			valW[i] = max(valW[i], min(StringWidth(d.titles[i]), 16), len("(baseline)"))
		}
	}
	return min(itemW, 32), valW
}

// lines lays the diff out in layout l: the head row when there are more than two runs,
// then each group's name and entries.
func (d termConfigDiffer) lines(l termDiffLayout) []string {
	n := len(d.c.Runs)
	itemW, valW := d.measure(d.c.ConfigDiff)
	var lines []string
	if n > 2 {
		lines = append(lines, d.head(l, itemW, valW)...)
	}
	for _, g := range d.c.ConfigDiff {
		if len(g.Entries) == 0 {
			continue
		}
		switch l.scope {
		case 1:
			itemW, valW = d.measure([]mlexp.DiffGroup{g})
		case 2:
			itemW, valW = 0, make([]int, n)
		}
		if len(lines) > 0 && lines[len(lines)-1] != "" {
			lines = append(lines, "")
		}
		lines = append(lines, d.o.paint(g.Name, termBold))
		for _, e := range g.Entries {
			lines = append(lines, d.entry(l, e, itemW, valW))
		}
	}
	return lines
}

// head is the head row over the values of more than two runs: their titles, "(baseline)"
// under the first, and an empty line.
func (d termConfigDiffer) head(l termDiffLayout, itemW int, valW []int) []string {
	var h1, h2 strings.Builder
	h1.WriteString("  " + strings.Repeat(" ", itemW) + "  ")
	h2.WriteString("  " + strings.Repeat(" ", itemW) + "  ")
	for k, i := range d.order {
		if k > 0 {
			h1.WriteString(l.sep)
			h2.WriteString(l.sep)
		}
		h1.WriteString(termFit(d.titles[i], valW[i], termLeft))
		role := ""
		if k == 0 {
			role = "(baseline)"
		}
		h2.WriteString(termFit(role, valW[i], termLeft))
	}
	return []string{strings.TrimRight(h1.String(), " "), strings.TrimRight(h2.String(), " "), ""}
}

// entry is the line of one entry: its sign, item, each run's value and its marks.
func (d termConfigDiffer) entry(l termDiffLayout, e mlexp.DiffEntry, itemW int, valW []int) string {
	var b strings.Builder
	b.WriteString(termDiffSign(e) + " ")
	b.WriteString(termFit(e.Item+":", max(itemW, StringWidth(e.Item+":")), termLeft) + "  ")
	for k, i := range d.order {
		if k > 0 {
			b.WriteString(l.sep)
		}
		b.WriteString(termFit(e.Values[i], max(valW[i], StringWidth(e.Values[i])), termLeft))
	}
	b.WriteString(l.gap + termDiffMarks(d.o, e, d.order, d.titles))
	return b.String()
}

// termDiffSign is the mark at the start of an entry: + something new, - something removed,
// ~ something changed, space when every run has the baseline's value.
func termDiffSign(e mlexp.DiffEntry) string {
	has := func(mark string) bool {
		for _, m := range e.Marks {
			if m == mark {
				return true
			}
		}
		return false
	}
	switch {
	case has(mlexp.MarkNew) && !has(mlexp.MarkRemoved) && !has(mlexp.MarkChanged):
		return "+"
	case has(mlexp.MarkRemoved) && !has(mlexp.MarkNew) && !has(mlexp.MarkChanged):
		return "-"
	case e.Differs:
		return "~"
	}
	return " "
}

// termDiffMarks says how an entry differs: "(same)", "← NEW in config-042", "← changed",
// "← changed in config-031, config-042; NEW in config-045".
func termDiffMarks(o Options, e mlexp.DiffEntry, order []int, titles []string) string {
	var parts []string
	for _, k := range []struct{ mark, word, sgr string }{
		{mlexp.MarkNew, "NEW", termGood}, {mlexp.MarkRemoved, "REMOVED", termBad}, {mlexp.MarkChanged, "changed", termWarn},
	} {
		var in []string
		for _, i := range order[1:] {
			if e.Marks[i] == k.mark {
				in = append(in, titles[i])
			}
		}
		switch {
		case len(in) == 0:
		case len(order) == 2 && k.mark == mlexp.MarkChanged:
			parts = append(parts, o.paint(k.word, k.sgr))
		default:
			parts = append(parts, o.paint(k.word, k.sgr)+" in "+strings.Join(in, ", "))
		}
	}
	if len(parts) == 0 {
		return o.paint("(same)", termDim)
	}
	return "← " + strings.Join(parts, "; ")
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
