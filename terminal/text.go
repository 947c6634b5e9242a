package terminal

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

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

// termWrapAt breaks a line made of parts joined by sep into lines of at most w columns,
// breaking only at sep.
func termWrapAt(text, sep string, w int) []string {
	var lines []string
	line := ""
	for _, p := range strings.Split(text, sep) {
		switch {
		case line == "":
			line = p
		case StringWidth(line+sep+p) <= w:
			line += sep + p
		default:
			lines = append(lines, line)
			line = p
		}
	}
	return append(lines, line)
}
