package terminal

import "io"

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
