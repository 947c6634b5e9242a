package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/mlexp-dev/mlexp/terminal"
)

// writeHelp writes the overview of mlexp, one screen: the commands by group with one line
// each, and the settings most commands share. `mlexp help COMMAND` has the details.
func writeHelp(w io.Writer, cmds []command) {
	fmt.Fprintf(w, "mlexp explores MLflow runs of recommender-model experiments.\n\n")
	fmt.Fprintf(w, "Usage: mlexp COMMAND [flags]; mlexp help COMMAND (or COMMAND -h) for its flags\n")
	group := ""
	for _, c := range cmds {
		if c.group != group {
			group = c.group
			fmt.Fprintf(w, "\n%s:\n", group)
		}
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Common settings (a flag wins over its environment variable):
  MLFLOW_TRACKING_URI (--mlflow-tracking-uri)  the MLflow tracking server
  MLEXP_DATA_DIR (--data-dir), MLEXP_DB (--db)  mlexp's database (log, deploy…)
  --json  print the data the JSON API answers, as JSON
  --color auto|always|never (or NO_COLOR); --width N (or COLUMNS; default 80)
`)
}

// helpWidth is the width help text is wrapped at.
const helpWidth = 80

// writeWrapped writes text wrapped at helpWidth columns at spaces, each line after indent.
// A word longer than a line stays whole.
func writeWrapped(w io.Writer, indent, text string) {
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && terminal.StringWidth(indent+line+" "+word) > helpWidth {
			fmt.Fprintf(w, "%s%s\n", indent, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		fmt.Fprintf(w, "%s%s\n", indent, line)
	}
}
