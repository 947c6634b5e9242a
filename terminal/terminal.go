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

import "time"

// Options tune every screen of the package: Title, Summary, Heatmap, Runs, Comparison,
// Models and Insights.
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
