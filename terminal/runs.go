package terminal

import (
	"fmt"
	"io"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// Limits of the runs table's name column, in columns.
const (
	termRunNameMax   = 40
	termRunNameLeast = 16
)

// Runs writes one page of the runs table: name (● on the deployed run), type,
// Recall@100, Recall@50, duration, date, status when some run did not finish, and the run
// id that `mlexp compare` takes.
func Runs(w io.Writer, p mlexp.RunsPage, o Options) error {
	t := newTermWriter(w)
	t.section(o, "RUNS TABLE")
	if len(p.Runs) == 0 {
		if p.Total > 0 {
			t.line(fmt.Sprintf("Page %d is past the end: %s in %s.", p.Page, termCount(p.Total, "run"), termCount(p.Pages, "page")))
		} else {
			t.line("No runs match.")
		}
		return t.flush()
	}
	status := false
	for _, r := range p.Runs {
		status = status || r.Status != mlexp.RunFinished
	}
	head := []string{"Run Name", "Type", mlexp.MetricShortLabel(mlexp.MetricRecallAt100), mlexp.MetricShortLabel(mlexp.MetricRecallAt50), "Duration", "Date"}
	al := []termAlign{termLeft, termLeft, termRight, termRight, termRight, termLeft}
	if status {
		head, al = append(head, "Status"), append(al, termLeft)
	}
	head, al = append(head, "Run ID"), append(al, termLeft)
	tb := &termTable{align: al, maxWidth: []int{termRunNameMax}}
	for _, h := range head {
		tb.head = append(tb.head, []string{h})
	}
	now := o.now()
	deployed := false
	for _, r := range p.Runs {
		deployed = deployed || r.Deployed
	}
	for _, r := range p.Runs {
		// "config-042 Quick Test #3" is "config-042 #3": the type has its own column.
		name := r.Name
		if head, rest := termSplitName(r.Name, r.ConfigName); rest != "" {
			if n, ok := strings.CutPrefix(rest, r.Type.Label()+" "); ok && r.Type != "" {
				name = head + " " + n
			}
		}
		switch {
		case r.Deployed:
			name = o.markers(false, true) + " " + name
		case deployed:
			name = "  " + name
		}
		dur := mlexp.NoValue
		if !r.End.IsZero() && !r.End.Before(r.Start) {
			dur = mlexp.FormatDuration(r.Duration())
		}
		row := [][]string{{name}, {r.Type.ShortLabel()}, {termRunMetric(r, mlexp.MetricRecallAt100)}, {termRunMetric(r, mlexp.MetricRecallAt50)},
			{dur}, {termAgo(r.Start, now)}}
		if status {
			st := mlexp.StatusLabel(r.Status)
			if r.Failed() {
				st = o.paint(st, termBad)
			}
			row = append(row, []string{st})
		}
		row = append(row, []string{r.ID})
		tb.rows = append(tb.rows, row)
	}
	tb.shrink(0, o.width(), termRunNameLeast)
	tb.write(t)
	t.line()
	t.line(fmt.Sprintf("Page %d of %d · %s · %d per page", p.Page, max(p.Pages, 1), termCount(p.Total, "run"), p.PageSize))
	return t.flush()
}

func termRunMetric(r mlexp.Run, metric string) string {
	v, ok := r.Metric(metric)
	if !ok {
		return mlexp.NoValue
	}
	return mlexp.FormatMetric(metric, v)
}
