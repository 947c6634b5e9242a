package main

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/terminal"
)

// printDeployments writes the model's promotions and rollbacks, newest first, each as a
// record that fits the width of o: its number, time, action and run id (whole: deploy takes
// it) on the first line, then the run's name, what it replaced, who, the version and the
// note, wrapped under it.
func printDeployments(w io.Writer, modelID string, h []mlexp.Deployment, o terminal.Options) error {
	if len(h) == 0 {
		_, err := fmt.Fprintf(w, "model %s: no promotion is recorded yet\n", modelID)
		return err
	}
	for _, d := range h {
		from := "none"
		if d.PreviousRunID != "" {
			from = d.PreviousRunID + " (" + d.PreviousRunName + ")"
		}
		rest := fmt.Sprintf("%s · from %s · by %s", d.RunName, from, d.PromotedBy)
		if d.Version != "" {
			rest += " · version " + d.Version
		}
		if d.Note != "" {
			rest += " · " + strconv.Quote(d.Note)
		}
		if _, err := fmt.Fprintln(w, terminal.Truncate(o, fmt.Sprintf("#%d  %s  %-8s  %s", d.Seq, d.PromotedAt.Format(time.RFC3339), d.Action, d.RunID))); err != nil {
			return err
		}
		if err := terminal.Paragraph(w, o, "    ", rest); err != nil {
			return err
		}
	}
	return nil
}
