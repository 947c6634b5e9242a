package terminal

import (
	"strings"
)

// termTable is a table drawn with box-drawing characters. Cells have several lines; column
// widths come from the content, within minWidth and maxWidth (0: no limit), and cells are padded
// with one space on each side.
type termTable struct {
	align    []termAlign
	maxWidth []int
	minWidth []int
	head     [][]string   // head[col]: lines
	rows     [][][]string // rows[r][col]: lines
	rules    bool         // a rule between body rows, not only under the head
}

func (b *termTable) widths() []int {
	ws := make([]int, len(b.align))
	measure := func(cells [][]string) {
		for c, lines := range cells {
			for _, l := range lines {
				ws[c] = max(ws[c], StringWidth(l))
			}
		}
	}
	measure(b.head)
	for _, r := range b.rows {
		measure(r)
	}
	for c := range ws {
		if c < len(b.maxWidth) && b.maxWidth[c] > 0 {
			ws[c] = min(ws[c], b.maxWidth[c])
		}
		if c < len(b.minWidth) {
			ws[c] = max(ws[c], b.minWidth[c])
		}
		ws[c] = max(ws[c], 1)
	}
	return ws
}

// shrink lowers maxWidth of column c (down to least) so that the table fits in total
// columns.
func (b *termTable) shrink(c, total, least int) {
	ws := b.widths()
	sum := 1
	for _, w := range ws {
		sum += w + 3
	}
	if over := sum - total; over > 0 {
		for len(b.maxWidth) <= c {
			b.maxWidth = append(b.maxWidth, 0)
		}
		b.maxWidth[c] = max(least, ws[c]-over)
	}
}

// total is the width of the table as drawn, borders included.
func (b *termTable) total() int {
	sum := 1
	for _, w := range b.widths() {
		sum += w + 3
	}
	return sum
}

// drop removes column c.
func (b *termTable) drop(c int) {
	cut := func(s [][]string) [][]string {
		if c < len(s) {
			return append(s[:c:c], s[c+1:]...)
		}
		return s
	}
	cutInts := func(s []int) []int {
		if c < len(s) {
			return append(s[:c:c], s[c+1:]...)
		}
		return s
	}
	b.align = append(b.align[:c:c], b.align[c+1:]...)
	b.maxWidth, b.minWidth = cutInts(b.maxWidth), cutInts(b.minWidth)
	b.head = cut(b.head)
	for i := range b.rows {
		b.rows[i] = cut(b.rows[i])
	}
}

func (b *termTable) rule(ws []int, left, mid, right string) string {
	var s strings.Builder
	s.WriteString(left)
	for c, w := range ws {
		if c > 0 {
			s.WriteString(mid)
		}
		s.WriteString(strings.Repeat("─", w+2))
	}
	s.WriteString(right)
	return s.String()
}

func (b *termTable) writeRow(t *termWriter, ws []int, cells [][]string) {
	n := 1
	for _, lines := range cells {
		n = max(n, len(lines))
	}
	for i := range n {
		var s strings.Builder
		s.WriteString("│")
		for c, w := range ws {
			l := ""
			if c < len(cells) && i < len(cells[c]) {
				l = cells[c][i]
			}
			s.WriteString(" " + termFit(l, w, b.align[c]) + " │")
		}
		t.line(s.String())
	}
}

func (b *termTable) write(t *termWriter) {
	ws := b.widths()
	t.line(b.rule(ws, "┌", "┬", "┐"))
	if b.head != nil {
		b.writeRow(t, ws, b.head)
		t.line(b.rule(ws, "├", "┼", "┤"))
	}
	for i, r := range b.rows {
		if i > 0 && b.rules {
			t.line(b.rule(ws, "├", "┼", "┤"))
		}
		b.writeRow(t, ws, r)
	}
	t.line(b.rule(ws, "└", "┴", "┘"))
}
