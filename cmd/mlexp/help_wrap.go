package main

import (
	"bytes"
	"io"
	"strings"

	"github.com/mlexp-dev/mlexp/terminal"
)

// printHelp writes the help of a command with every line fitted to helpWidth columns: a
// paragraph of prose (lines that start at the margin, between blank lines) wider than that
// is joined and wrapped again; a wider indented line, such as a flag's or an environment
// variable's, is wrapped under its own text.
func printHelp(w io.Writer, help func(io.Writer, env), e env) {
	var b bytes.Buffer
	help(&b, e)
	io.WriteString(w, reflowHelp(b.String(), helpWidth))
}

// reflowHelp fits text to width columns, as printHelp says.
func reflowHelp(text string, width int) string {
	var out strings.Builder
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i := 0; i < len(lines); {
		j := i // the paragraph: lines i to j-1 at the margin
		for j < len(lines) && lines[j] != "" && !strings.HasPrefix(lines[j], " ") {
			j++
		}
		if j == i { // a blank or indented line, with the lines that continue its text
			h, k := helpHang(lines[i]), i+1
			for h > 0 && k < len(lines) && helpIndent(lines[k]) == h {
				k++
			}
			if block := lines[i:k]; helpWidest(block) > width {
				out.WriteString(reflowIndented(strings.Join(block, " "), width))
			} else {
				out.WriteString(strings.Join(block, "\n") + "\n")
			}
			i = k
			continue
		}
		para := lines[i:j]
		if helpWidest(para) > width {
			writeWrapped(&out, "", strings.Join(para, " "))
		} else {
			out.WriteString(strings.Join(para, "\n") + "\n")
		}
		i = j
	}
	return out.String()
}

// reflowIndented wraps an indented line wider than width under its text: after the first
// gap of two spaces or more (a two-column line), else under its own indent and 2 more.
func reflowIndented(line string, width int) string {
	if terminal.StringWidth(line) <= width {
		return line + "\n"
	}
	body := strings.TrimLeft(line, " ")
	lead := len(line) - len(body)
	hang := lead + 2
	if h := helpHang(line); h > 0 {
		rest := strings.TrimLeft(line[h:], " ")
		{
			var b strings.Builder
			b.WriteString(line[:h])
			first := true
			for _, l := range helpWrapLines(rest, width-h) {
				if !first {
					b.WriteString(strings.Repeat(" ", h))
				}
				b.WriteString(l + "\n")
				first = false
			}
			return b.String()
		}
	}
	var b strings.Builder
	for i, l := range helpWrapLines(body, width-hang) {
		if i == 0 {
			b.WriteString(strings.Repeat(" ", lead) + l + "\n")
		} else {
			b.WriteString(strings.Repeat(" ", hang) + l + "\n")
		}
	}
	return b.String()
}

// helpWrapLines breaks text at spaces into lines of at most w columns; a longer word stays
// whole.
func helpWrapLines(text string, w int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && terminal.StringWidth(line+" "+word) > w {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}

// helpIndent is how many spaces line starts with.
func helpIndent(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

// helpHang is the column of the second column of an indented two-column line (the text
// after the first gap of two spaces or more, within the first half of the help's width),
// or 0.
func helpHang(line string) int {
	lead := helpIndent(line)
	if lead == 0 {
		return 0
	}
	k := strings.Index(line[lead:], "  ")
	if k <= 0 {
		return 0
	}
	h := len(line) - len(strings.TrimLeft(line[lead+k:], " "))
	if h >= helpWidth/2 || h >= len(line) {
		return 0
	}
	return h
}

// helpWidest is the width of the widest of lines.
func helpWidest(lines []string) int {
	w := 0
	for _, l := range lines {
		w = max(w, terminal.StringWidth(l))
	}
	return w
}
