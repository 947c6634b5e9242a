package main

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/golden"
	"github.com/mlexp-dev/mlexp/terminal"
)

func mustHelp(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), append([]string{"mlexp"}, args...), envOf(map[string]string{"HOME": "/home/ada"}), &stdout, &stderr); err != nil {
		t.Fatalf("mlexp %q: %v", args, err)
	}
	if stderr.Len() > 0 {
		t.Errorf("mlexp %q wrote to stderr: %s", args, &stderr)
	}
	return stdout.String()
}

// TestHelpOverviewFitsOneScreen: `mlexp help` lists every command on one screen of 80
// columns and 40 lines; the details are under `mlexp help COMMAND`, which `COMMAND -h`
// also prints.
func TestHelpOverviewFitsOneScreen(t *testing.T) {
	out := mustHelp(t, "help")
	golden.Check(t, "help.txt", []byte(out))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) > 40 {
		t.Errorf("mlexp help prints %d lines, want at most 40", len(lines))
	}
	for i, l := range lines {
		if w := terminal.StringWidth(l); w > 80 {
			t.Errorf("line %d is %d columns wide: %q", i+1, w, l)
		}
	}
	for _, c := range commands() {
		if !strings.Contains(out, "\n  "+c.name+" ") {
			t.Errorf("the overview does not list %s", c.name)
		}
		if c.help == nil {
			continue
		}
		detail := mustHelp(t, "help", c.name)
		if !strings.HasPrefix(detail, "Usage: mlexp "+c.name) {
			t.Errorf("mlexp help %s starts %q", c.name, strings.SplitN(detail, "\n", 2)[0])
		}
		if dash := mustHelp(t, c.name, "-h"); dash != detail {
			t.Errorf("mlexp %s -h differs from mlexp help %s", c.name, c.name)
		}
	}
}

// TestHelpLogDescribesTheJSON: `mlexp help log` lists the fields of the JSON it reads, as
// the decode types have them, and an example that is valid.
func TestHelpLogDescribesTheJSON(t *testing.T) {
	out := mustHelp(t, "help", "log")
	golden.Check(t, "help_log.txt", []byte(out))
	for _, want := range []string{"* model", "* embedding_dim", "integer", "data_sample_percent", "batch_size", "history[]", "started_at", "time", "RFC 3339"} {
		if !strings.Contains(out, want) {
			t.Errorf("help log does not mention %q", want)
		}
	}
	var r mlexp.QuickTestReport
	if err := mlexp.UnmarshalStrict([]byte(logExample), &r); err != nil {
		t.Fatalf("the example does not decode: %v", err)
	}
	if err := r.Validate(); err != nil {
		t.Errorf("the example is not valid: %v", err)
	}
}

// TestLogFieldDocsMatchTheDecodeTypes: every field of the reports is documented, and
// every documented field exists, so that a field added to the types shows in the help.
func TestLogFieldDocsMatchTheDecodeTypes(t *testing.T) {
	fields := map[string]bool{}
	for _, typ := range []reflect.Type{reflect.TypeFor[mlexp.QuickTestReport](), reflect.TypeFor[mlexp.TrainingRunReport]()} {
		for _, f := range reportFields(typ) {
			if _, ok := fieldDoc(f.path); !ok {
				t.Errorf("field %s (%s) is not documented in reportFieldDocs", f.path, f.kind)
			}
			p := f.path
			for _, part := range []string{"quick_test", "training_run"} {
				if rest, ok := strings.CutPrefix(p, part); ok {
					p = "@" + rest
				}
			}
			fields[p] = true
		}
	}
	for p := range reportFieldDocs() {
		if !fields[p] {
			t.Errorf("reportFieldDocs documents %s, which the reports do not have", p)
		}
	}
	// Spot checks of what the walk derives from the types.
	got := map[string]jsonField{}
	for _, f := range reportFields(reflect.TypeFor[mlexp.TrainingRunReport]()) {
		got[f.path] = f
	}
	for path, want := range map[string]jsonField{
		"training_run.started_at":                     {kind: "time", required: true},
		"training_run.cost_usd":                       {kind: "number"},
		"training_run.history[].recall_at_100":        {kind: "number"},
		"feature_config.cross_features[].features":    {kind: "[]string", required: true},
		"feature_config.query_tower[].embedding_dim":  {kind: "integer", required: true},
		"dataset.version":                             {kind: "string"},
		"training_run.lineage.mlmd_model_artifact_id": {kind: "integer"},
	} {
		if f, ok := got[path]; !ok || f.kind != want.kind || f.required != want.required {
			t.Errorf("%s: got %+v (found %v), want kind %s required %v", path, f, ok, want.kind, want.required)
		}
	}
	if paths := slices.Collect(func(yield func(string) bool) {
		for p := range got {
			if strings.Contains(p, "Timing") || strings.Contains(p, "Metrics") {
				yield(p)
			}
		}
	}); len(paths) > 0 {
		t.Errorf("embedded structs show under their Go names: %v", paths)
	}
}

// TestHelpOfEveryCommandFits80Columns: `mlexp help COMMAND` wraps its prose, its flags and its
// two-column lists at 80 columns, and keeps every word of them.
func TestHelpOfEveryCommandFits80Columns(t *testing.T) {
	for _, c := range commands() {
		out := mustHelp(t, "help", c.name)
		for i, l := range strings.Split(out, "\n") {
			if w := terminal.StringWidth(l); w > 80 {
				t.Errorf("mlexp help %s: line %d is %d columns wide: %q", c.name, i+1, w, l)
			}
		}
		if c.help == nil {
			continue
		}
		var raw bytes.Buffer
		c.help(&raw, env{getenv: envOf(map[string]string{"HOME": "/home/ada"}), stdout: &raw})
		if got, want := strings.Fields(out), strings.Fields(raw.String()); !slices.Equal(got, want) {
			t.Errorf("mlexp help %s lost or changed words in wrapping", c.name)
		}
	}
}

func TestReflowHelpKeepsShortLinesAndHangs(t *testing.T) {
	in := "Usage: x\n\nshort one\nshort two\n  --flag  " + strings.Repeat("word ", 20) + "\n          more of it\n"
	got := reflowHelp(in, 40)
	want := "Usage: x\n\nshort one\nshort two\n  --flag  word word word word word word\n" +
		"          word word word word word word\n          word word word word word word\n" +
		"          word word more of it\n"
	if got != want {
		t.Errorf("reflowHelp:\n%s\nwant:\n%s", got, want)
	}
}
