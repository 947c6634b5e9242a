package terminal

import (
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// Limits of the summary cards' inner width, in columns.
const (
	termCardMin = 12
	termCardMax = 20
)

// Summary writes the top of the dashboard: the count, best and deployed cards,
// then a card for each recent run (time ago, duration, cost, config summary, failure).
func Summary(w io.Writer, s *mlexp.Summary, o Options) error {
	t := newTermWriter(w)
	t.section(o, "SUMMARY")
	short := mlexp.MetricShortLabel(s.Metric)
	cards := [][]string{
		{"Quick Tests", strconv.Itoa(s.QuickTests)},
		{"Full Trains", strconv.Itoa(s.FullTrainings)},
		append([]string{"Best " + short}, termSummaryCard(o, s.Best, true)...),
		append([]string{"Currently", "Deployed"}, termSummaryCard(o, s.Deployed, false)...),
	}
	termCards(t, o, cards)
	t.line()
	counts := fmt.Sprintf("%s: %s, %s", mlexp.Plural(s.Total, "run", "runs"), mlexp.Plural(s.QuickTests, "quick test", "quick tests"), mlexp.Plural(s.FullTrainings, "full training", "full trainings"))
	if other := s.Total - s.QuickTests - s.FullTrainings; other > 0 {
		counts += fmt.Sprintf(", %d of another type", other)
	}
	if s.Failed > 0 {
		counts += fmt.Sprintf("; %d failed", s.Failed)
	}
	if s.Running > 0 {
		counts += fmt.Sprintf("; %d running", s.Running)
	}
	for _, l := range termWrap(counts, o.width()) {
		t.line(l)
	}
	t.line()

	t.section(o, "RECENT EXPERIMENTS")
	if len(s.Recent) == 0 {
		t.line("No runs yet.")
		return t.flush()
	}
	for i, r := range s.Recent {
		if i > 0 {
			t.line()
		}
		termRecent(t, o, r, short)
	}
	if s.Total > len(s.Recent) {
		t.line()
		t.line(fmt.Sprintf("The %d most recent of %s.", len(s.Recent), mlexp.Plural(s.Total, "run", "runs")))
	}
	return t.flush()
}

// termSummaryCard is the value and config lines of the best or deployed card.
func termSummaryCard(o Options, r *mlexp.SummaryRun, best bool) []string {
	if r == nil {
		if best {
			return []string{mlexp.NoValue, "no value yet"}
		}
		return []string{mlexp.NoValue, "none"}
	}
	mark := o.markers(r.IsBest, r.IsDeployed)
	if mark != "" {
		mark += " "
	}
	return []string{mark + r.ValueText, cmp.Or(r.ConfigName, cmp.Or(r.ConfigID, r.RunName))}
}

// termCards draws the cards side by side, as many to a row as the width takes.
func termCards(t *termWriter, o Options, cards [][]string) {
	inner, height := termCardMin, 0
	for _, c := range cards {
		height = max(height, len(c))
		for _, l := range c {
			inner = max(inner, min(StringWidth(l), termCardMax))
		}
	}
	outer := inner + 4
	const gap = "  "
	perRow := max(1, min(len(cards), (o.width()+len(gap))/(outer+len(gap))))
	for start := 0; start < len(cards); start += perRow {
		row := cards[start:min(start+perRow, len(cards))]
		draw := func(f func(c []string) string) {
			parts := make([]string, len(row))
			for i, c := range row {
				parts[i] = f(c)
			}
			t.line(strings.Join(parts, gap))
		}
		draw(func([]string) string { return "┌" + strings.Repeat("─", outer-2) + "┐" })
		for i := range height {
			draw(func(c []string) string {
				l := ""
				if i < len(c) {
					l = c[i]
				}
				return "│ " + termFit(l, inner, termCenter) + " │"
			})
		}
		draw(func([]string) string { return "└" + strings.Repeat("─", outer-2) + "┘" })
	}
}

// termRecent draws the card of one recent run.
func termRecent(t *termWriter, o Options, r mlexp.RecentRun, metric string) {
	w := o.width()
	inner := w - 4
	head, rest := termSplitName(r.RunName, r.ConfigName)
	title := head
	if rest != "" {
		title += " • " + rest
	} else if r.RunTypeLabel != "" && r.RunType != "" {
		title += " • " + r.RunTypeLabel
	}
	right := r.ValueText
	switch {
	case r.Failed:
		right = o.paint(r.ValueText, termBad)
	case r.Value != nil:
		right = r.ValueText + " " + metric
	case r.Status == mlexp.RunRunning:
		right = "Running"
	}
	if m := o.markers(r.IsBest, r.IsDeployed); m != "" {
		right = m + " " + right
	}
	right = termTruncate(right, inner/2)
	line1 := termFit(title, inner-StringWidth(right)-2, termLeft) + "  " + right

	var parts []string
	parts = append(parts, r.TimeAgo)
	if r.Duration != mlexp.NoValue {
		parts = append(parts, r.Duration)
	}
	if r.Cost != mlexp.NoValue {
		parts = append(parts, r.Cost)
	}
	if r.Failed || r.FailureReason != "" {
		why := r.FailureReason
		if why == "" && r.FailureStage != "" {
			why = "failed during " + r.FailureStage
		}
		if why != "" {
			parts = append(parts, why)
		}
	}
	if r.Note != "" {
		parts = append(parts, r.Note)
	} else if r.ConfigSummary != "" {
		parts = append(parts, r.ConfigSummary)
	}
	// What does not fit goes from the end, a whole part at a time.
	for len(parts) > 2 && StringWidth(strings.Join(parts, " | ")) > inner {
		parts = parts[:len(parts)-1]
	}
	t.box(w, []string{line1, strings.Join(parts, " | ")})
}
