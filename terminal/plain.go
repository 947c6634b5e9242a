package terminal

import (
	"io"
	"strings"
)

// Paragraph writes text to w wrapped at the width of o (80 when unset) for the CLI's plain
// screens: first before its first line, as many spaces before the others. A word wider than
// the line is truncated with "…".
func Paragraph(w io.Writer, o Options, first, text string) error {
	t := newTermWriter(w)
	indent := strings.Repeat(" ", StringWidth(first))
	for i, l := range termWrap(text, o.width()-StringWidth(first)) {
		if i == 0 {
			t.line(first, l)
		} else {
			t.line(indent, l)
		}
	}
	return t.flush()
}

// Truncate shortens s to the width of o, ending it with "…" when it cuts.
func Truncate(o Options, s string) string { return termTruncate(s, o.width()) }
