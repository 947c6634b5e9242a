// Package terminal renders the screens of the mlexp CLI as text for a terminal: the
// summary cards, the heatmap table, the runs table, the comparison of runs, the models
// and the insights, each under a title. It draws with box-drawing characters, measures
// text in terminal columns (wide characters and ANSI escapes included), wraps and
// truncates to the width asked for, and adds ANSI colours only when asked, so that the
// plain output has no escape byte and reads in pipes and files.
//
// It writes to an io.Writer and reads nothing: the CLI gathers the data (package mlexp's
// summaries, heatmaps, runs and comparisons, package insight's report) and picks the
// width and colours. Images for the web are package chart's.
package terminal

import (
	"bufio"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Options tune the text renderers (Summary, Heatmap, Runs, Comparison).
type Options struct {
	// Color adds ANSI colours: a colour-blind-safe 256-colour scale on heatmap cells and
	// highlighted ★ and ● markers. Without it the output is plain text, without a single
	// escape byte (for NO_COLOR, pipes and files).
	Color bool
	// Width is the width to aim for, in terminal columns (0 means 80): rules and boxes of
	// free text fill it and text wraps at it. A table wider than that shrinks its longest
	// labels (truncated with "…") and grows past Width only as far as its numbers need.
	Width int
	// Now is the time "2 hours ago" counts from; zero means time.Now().
	Now time.Time
}

// DefaultWidth is the width of the renderers when Options.Width is 0.
const DefaultWidth = 80

// termMinWidth keeps boxes readable however narrow the terminal says it is.
const termMinWidth = 40

func (o Options) width() int {
	if o.Width <= 0 {
		return DefaultWidth
	}
	return max(o.Width, termMinWidth)
}

func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// SGR parameters of the few styles the renderers use.
const (
	termBold     = "1"
	termDim      = "2"
	termBest     = "1;38;5;220" // bold gold: ★
	termDeployed = "1;38;5;39"  // bold azure: ●
	termWarn     = "38;5;214"   // orange: notes
	termGood     = "38;5;39"    // azure, not green: readable with red-green colour blindness
	termBad      = "38;5;208"   // orange
)

// paint wraps s in the SGR style when colour is on.
func (o Options) paint(s, sgr string) string {
	if !o.Color || s == "" || sgr == "" {
		return s
	}
	return "\x1b[" + sgr + "m" + s + "\x1b[0m"
}

// markers writes ★ (best) and ● (deployed) before a value, highlighted with colour.
func (o Options) markers(best, deployed bool) string {
	s := ""
	if best {
		s += o.paint("★", termBest)
	}
	if deployed {
		s += o.paint("●", termDeployed)
	}
	return s
}

// termRuneWidth is how many columns r takes in a terminal: 0 for combining marks, variation
// selectors and other format characters, 2 for East Asian wide and fullwidth characters
// (CJK, emoji such as 💡), 1 for everything else, including the ambiguous-width symbols
// the renderers use (× ★ ● █ → ← · — …), which Western terminals draw one column wide.
func termRuneWidth(r rune) int {
	switch {
	case r == 0:
		return 0
	case r < 0x300:
		return 1
	case r == 0x200D, r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF,
		unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// termEscapeLen returns the length of the ANSI escape sequence at the start of s, 0 if there
// is none.
func termEscapeLen(s string) int {
	if len(s) < 2 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s); i++ {
		if c := s[i]; c >= 0x40 && c <= 0x7e {
			return i + 1
		}
	}
	return len(s)
}

// StringWidth is how many terminal columns s takes, ANSI escape sequences excluded.
func StringWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if k := termEscapeLen(s[i:]); k > 0 {
			i += k
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		n += termRuneWidth(r)
		i += size
	}
	return n
}

// termTruncate shortens s to at most w columns, ending it with "…" when it cuts. Escape
// sequences are kept, and a reset is added when a styled string is cut.
func termTruncate(s string, w int) string {
	if StringWidth(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	var b strings.Builder
	n, styled := 0, false
	for i := 0; i < len(s); {
		if k := termEscapeLen(s[i:]); k > 0 {
			b.WriteString(s[i : i+k])
			styled = true
			i += k
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		rw := termRuneWidth(r)
		if n+rw > w-1 {
			break
		}
		b.WriteRune(r)
		n += rw
		i += size
	}
	b.WriteString("…")
	if styled {
		b.WriteString("\x1b[0m")
	}
	return b.String()
}

type termAlign int

const (
	termLeft termAlign = iota
	termCenter
	termRight
)

// termFit truncates s to w columns and pads it to exactly w.
func termFit(s string, w int, a termAlign) string {
	s = termTruncate(s, w)
	gap := w - StringWidth(s)
	switch a {
	case termRight:
		return strings.Repeat(" ", gap) + s
	case termCenter:
		return strings.Repeat(" ", gap/2) + s + strings.Repeat(" ", gap-gap/2)
	}
	return s + strings.Repeat(" ", gap)
}

// termWrap breaks text into lines of at most w columns at spaces; a word longer than w is
// truncated.
func termWrap(text string, w int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case StringWidth(line)+1+StringWidth(word) <= w:
			line += " " + word
		default:
			lines = append(lines, termTruncate(line, w))
			line = word
		}
	}
	if line != "" {
		lines = append(lines, termTruncate(line, w))
	}
	return lines
}

// termWrapLines wraps text at w columns into at most n lines, the last one truncated.
func termWrapLines(text string, w, n int) []string {
	lines := termWrap(text, w)
	if len(lines) > n {
		lines = append(lines[:n-1], termTruncate(strings.Join(lines[n-1:], " "), w))
	}
	return lines
}

// termWriter is a writer for the renderers that remembers the first error.
type termWriter struct {
	w   *bufio.Writer
	err error
}

func newTermWriter(w io.Writer) *termWriter { return &termWriter{w: bufio.NewWriter(w)} }

func (t *termWriter) line(parts ...string) {
	for _, p := range parts {
		t.write(p)
	}
	t.write("\n")
}

func (t *termWriter) write(s string) {
	if t.err == nil {
		_, t.err = t.w.WriteString(s)
	}
}

func (t *termWriter) flush() error {
	if t.err != nil {
		return t.err
	}
	return t.w.Flush()
}

// section writes a heading between two double rules, as the mock-ups do.
func (t *termWriter) section(o Options, title string) {
	rule := strings.Repeat("═", o.width())
	t.line(rule)
	t.line(o.paint(termTruncate(title, o.width()), termBold))
	t.line(rule)
	t.line()
}

// Title writes the title of a screen and lines under it, such as the dataset; a
// line too long for the width breaks at its " · " separators.
func Title(w io.Writer, o Options, title string, lines ...string) error {
	t := newTermWriter(w)
	t.line(o.paint(termTruncate(title, o.width()), termBold))
	for _, l := range lines {
		for _, part := range termWrapAt(l, " · ", o.width()) {
			t.line(termTruncate(part, o.width()))
		}
	}
	t.line()
	return t.flush()
}

// box draws lines in a box of outer width w (lines are truncated to fit).
func (t *termWriter) box(w int, lines []string) {
	inner := w - 4
	t.line("┌", strings.Repeat("─", w-2), "┐")
	for _, l := range lines {
		t.line("│ ", termFit(l, inner, termLeft), " │")
	}
	t.line("└", strings.Repeat("─", w-2), "┘")
}

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

// termShortMetric abbreviates a metric label for narrow places: Recall@100 → R@100.
func termShortMetric(label string) string {
	if k, ok := strings.CutPrefix(label, "Recall@"); ok {
		return "R@" + k
	}
	return label
}

// termSplitName splits "config-042 Quick Test #3" into "config-042" and "Quick Test #3"
// when the run is named after its config; otherwise rest is "".
func termSplitName(name, config string) (head, rest string) {
	if config != "" {
		if r, ok := strings.CutPrefix(name, config+" "); ok && r != "" {
			return config, r
		}
	}
	return name, ""
}
