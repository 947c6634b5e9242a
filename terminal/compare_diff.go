package terminal

import (
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// The configuration diff of the comparison screen, grouped by tower.

// termConfigDiff draws the configuration diff in a box, group by group: each entry with
// the baseline's value, the other runs' values and how they differ. Items, values and marks
// are aligned in columns over the whole diff when that fits the width; otherwise within
// each group, with narrower gaps, and at last not at all. The box is as wide as the width:
// marks that do not fit beside the values go on the lines below them.
func termConfigDiff(t *termWriter, c *mlexp.Comparison, base int, titles []string, o Options) {
	d := termConfigDiffer{c: c, o: o, titles: titles, order: []int{base}} // baseline first
	for i := range c.Runs {
		if i != base {
			d.order = append(d.order, i)
		}
	}
	var lines []string
	layouts := termDiffLayouts(len(c.Runs))
	for _, l := range layouts {
		if lines = d.lines(l); termWidest(lines)+4 <= o.width() {
			break
		}
	}
	if termWidest(lines)+4 > o.width() { // the narrowest layout, with its marks wrapped
		d.wrap = true
		lines = d.lines(layouts[len(layouts)-1])
	}
	if len(lines) == 0 {
		lines = []string{"No configuration parameters to compare."}
	}
	t.box(o.width(), lines)
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
	wrap   bool     // marks wider than the width go on the lines below their entry
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
			lines = append(lines, d.entry(l, e, itemW, valW)...)
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

// entry is the line of one entry: its sign, item, each run's value and its marks; when the
// marks do not fit the width beside the values, they are wrapped on the lines below.
func (d termConfigDiffer) entry(l termDiffLayout, e mlexp.DiffEntry, itemW int, valW []int) []string {
	var b strings.Builder
	b.WriteString(termDiffSign(e) + " ")
	b.WriteString(termFit(e.Item+":", max(itemW, StringWidth(e.Item+":")), termLeft) + "  ")
	for k, i := range d.order {
		if k > 0 {
			b.WriteString(l.sep)
		}
		b.WriteString(termFit(e.Values[i], max(valW[i], StringWidth(e.Values[i])), termLeft))
	}
	marks := termDiffMarks(d.o, e, d.order, d.titles)
	inner := d.o.width() - 4 // the box's borders and padding
	if !d.wrap || StringWidth(b.String()+l.gap+marks) <= inner {
		return []string{b.String() + l.gap + marks}
	}
	lines := []string{strings.TrimRight(b.String(), " ")}
	for _, m := range termWrap(marks, inner-4) {
		lines = append(lines, "    "+m)
	}
	return lines
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
