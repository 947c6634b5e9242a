package terminal

import (
	"fmt"
	"io"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// Lineage writes the ML Metadata lineage of a run's model, stage by stage from the dataset
// to the pushed model: each execution, then the artifacts it output, with their type, name,
// URI, key properties and time.
func Lineage(w io.Writer, l *mlexp.Lineage, o Options) error {
	t := newTermWriter(w)
	if l.LinkedBy == mlexp.LinkNone {
		termParagraph(t, o, "", "Run "+l.RunID+" has no lineage in ML Metadata: no execution or artifact matches its mlmd.* tags, its run id or its model URI (see docs/lineage.md).")
		return t.flush()
	}
	termParagraph(t, o, "", fmt.Sprintf("Run %s, found by %s: %s", l.RunID, mlexp.LinkLabel(l.LinkedBy), mlexp.Plural(len(l.Nodes), "node", "nodes")))
	if l.Truncated {
		termParagraph(t, o, o.paint("⚠", termWarn), "cut: the graph reached its bound on nodes, and lacks the oldest ancestors")
	}
	for i, column := range l.LineageStages() {
		for _, s := range column {
			t.line()
			if s.Execution != nil {
				termLineageLines(t, o, fmt.Sprintf("%d. ", i+1), lineageNodeLine(s.Execution, l), termBold)
			} else {
				t.line(o.paint(fmt.Sprintf("%d. (no producer recorded)", i+1), termBold))
			}
			for _, a := range s.Outputs {
				termLineageLines(t, o, "   → ", lineageNodeLine(a, l), "")
				if a.URI != "" {
					t.line(termTruncate("     "+a.URI, o.width()))
				}
			}
		}
	}
	return t.flush()
}

// termLineageLines writes a node's line after lead, wrapped at the width between its parts
// (each part is truncated to fit), the lines after the first indented under the first part.
func termLineageLines(t *termWriter, o Options, lead, text, sgr string) {
	indent := strings.Repeat(" ", StringWidth(lead)+2)
	for i, part := range termWrapAt(text, "  ", o.width()-StringWidth(indent)) {
		if i == 0 {
			t.line(o.paint(termTruncate(lead+part, o.width()), sgr))
		} else {
			t.line(o.paint(termTruncate(indent+part, o.width()), sgr))
		}
	}
}

func lineageNodeLine(n *mlexp.LineageNode, l *mlexp.Lineage) string {
	parts := []string{n.Type, n.Name, "#" + strings.SplitN(n.ID, ":", 2)[1]}
	switch n.ID {
	case l.TrainerID:
		parts = append(parts, "[this run's trainer]")
	case l.ModelID:
		parts = append(parts, "[this run's model]")
	}
	if p := n.KeyProperties(4); len(p) > 0 {
		parts = append(parts, strings.Join(p, " "))
	}
	if !n.Created.IsZero() {
		parts = append(parts, n.Created.UTC().Format("2006-01-02 15:04"))
	}
	return strings.Join(parts, "  ")
}
