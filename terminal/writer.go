package terminal

import (
	"bufio"
	"io"
	"strings"
)

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

// box draws lines in a box of outer width w (lines are truncated to fit).
func (t *termWriter) box(w int, lines []string) {
	inner := w - 4
	t.line("┌", strings.Repeat("─", w-2), "┐")
	for _, l := range lines {
		t.line("│ ", termFit(l, inner, termLeft), " │")
	}
	t.line("└", strings.Repeat("─", w-2), "┘")
}
