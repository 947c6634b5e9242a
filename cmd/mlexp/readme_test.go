package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
)

// readmeCommands are the mlexp command lines of the README's "From the terminal" section,
// split into arguments, without those that need values the reader fills in (RUN_ID), an
// MLflow experiment of their own (attach), or an earlier promotion (rollback, reconcile).
func readmeCommands(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "### From the terminal")
	if !ok {
		t.Fatal("README.md has no section \"From the terminal\"")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	placeholder := regexp.MustCompile(`^[A-Z][A-Z_]+$`)
	var cmds [][]string
	for line := range strings.SplitSeq(section, "\n") {
		line, _, _ = strings.Cut(line, "  #")
		if !strings.HasPrefix(line, "mlexp ") {
			continue
		}
		args := splitShellWords(strings.TrimPrefix(line, "mlexp "))
		if c := args[0]; c == "attach" || c == "rollback" || c == "reconcile" || c == "outbox" {
			continue
		}
		skip := false
		for i, a := range args {
			skip = skip || placeholder.MatchString(a)
			if strings.HasPrefix(a, "docs/") {
				args[i] = filepath.Join("..", "..", a)
			}
		}
		if !skip {
			cmds = append(cmds, args)
		}
	}
	return cmds
}

// splitShellWords splits a command line at spaces, keeping "double-quoted words" whole.
func splitShellWords(s string) []string {
	var words []string
	var w strings.Builder
	quoted, started := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, started = !quoted, true
		case r == ' ' && !quoted:
			if started {
				words = append(words, w.String())
				w.Reset()
				started = false
			}
		default:
			w.WriteRune(r)
			started = true
		}
	}
	if started {
		words = append(words, w.String())
	}
	return words
}

// TestREADMECommandsRun runs the README's terminal examples, in order, against a real MLflow
// of their own: logging the example files, then asking about their model, works as written.
func TestREADMECommandsRun(t *testing.T) {
	own, err := mlflowtest.Start(filepath.Join(t.TempDir(), "mlflow"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = own.Stop() })
	vars := map[string]string{"MLFLOW_TRACKING_URI": own.URL, "MLEXP_DATA_DIR": t.TempDir()}
	cmds := readmeCommands(t)
	var names []string
	for _, args := range cmds {
		names = append(names, args[0])
		out, err := runLog(t, vars, nil, args...)
		if err != nil {
			t.Errorf("mlexp %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	got := strings.Join(names, " ")
	for _, want := range []string{"log", "summary", "heatmap", "runs", "models", "best", "deployments"} {
		if !strings.Contains(got, want) {
			t.Errorf("the README's examples ran %q, which lacks %s", got, want)
		}
	}
}
