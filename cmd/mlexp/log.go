package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// logOptions are the flags of `mlexp log`.
func logOptions(getenv func(string) string) []option {
	return append([]option{
		{name: "f", arg: "FILE", usage: "the results, as the FILE argument (kept for scripts that use it)"},
		{name: "wait", arg: "DURATION", env: "MLEXP_LOG_WAIT", def: "2m",
			usage: "how long to wait for MLflow; what is not delivered by then stays queued in the database"},
		{name: "json", arg: "", def: "false", usage: "print the ingest items as JSON"},
	}, storeOptions(getenv)...)
}

func logHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp log quick-test [FILE] [flags]
       mlexp log training-run [FILE] [flags]

Logs quick tests or full trainings into MLflow through the same durable outbox as the
API: each result is committed to mlexp's database first, then delivered. FILE holds one
JSON object, or JSON Lines (one object a line); without FILE, or with -, the results are
read from standard input. The whole input is checked before anything is queued; every
problem is listed with its line and field. Logging the same result again adds nothing.
What MLflow does not take within --wait stays queued and is delivered by 'mlexp serve' or
the next 'mlexp log'. The objects are the bodies of POST /api/experiments/quick-tests/
and /training-runs/.

`)
	writeLogJSONHelp(w)
	fmt.Fprintln(w)
	writeOptions(w, logOptions(e.getenv))
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

// logResults runs `mlexp log quick-test|training-run`.
func logResults(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			printHelp(e.stdout, logHelp, e)
			return nil
		}
		return errors.New("log: say what to log: `mlexp log quick-test FILE` or `mlexp log training-run FILE`; see `mlexp help log`")
	}
	kind := args[0]
	if kind != "quick-test" && kind != "training-run" {
		return fmt.Errorf("log: unknown kind %q: use quick-test or training-run", kind)
	}
	opts := logOptions(e.getenv)
	flags, positional := splitQueryArgs(args[1:], opts) // a bare --json, and FILE anywhere
	s, rest, err := parseOptions("log", flags, opts, logHelp, e)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	wait, err := time.ParseDuration(s["wait"].value)
	if err != nil || wait < 0 {
		return s["wait"].errorf("not a duration such as 2m")
	}
	asJSON, err := boolSetting(s["json"])
	if err != nil {
		return err
	}
	store, err := parseStoreConfig(s)
	if err == nil {
		err = store.requireMLflow()
	}
	if err != nil {
		return fmt.Errorf("log: %w", err)
	}
	name, err := logInputName(s["f"].value, append(positional, rest...))
	if err != nil {
		return err
	}
	input, err := readInput(name, e.stdin)
	if err != nil {
		return fmt.Errorf("log: %w", err)
	}
	submit, n, err := parseReports(kind, name, input)
	if err != nil {
		return err
	}

	b, err := openBackend(ctx, store, e.getenv, newLogger(e.stderr, "text", levelFor(e.getenv)), 0, nil)
	if err != nil {
		return fmt.Errorf("log: %w", err)
	}
	b.startDelivery(ctx)
	defer b.close()
	items := make([]*mlexp.OutboxItem, 0, n)
	for _, fn := range submit {
		item, err := fn(ctx, b)
		if err != nil {
			return fmt.Errorf("log: queuing: %w", err)
		}
		items = append(items, item)
	}
	items = awaitItems(ctx, b, items, wait, progressBar(e.stderr))
	return reportItems(e.stdout, items, asJSON, store.db)
}

// logInputName is where the results are: the FILE argument, -f FILE, or "-" (standard
// input) when neither is given.
func logInputName(f string, args []string) (string, error) {
	switch {
	case len(args) > 1:
		return "", fmt.Errorf("log: one FILE at most, got %q", args)
	case len(args) == 1 && f != "" && f != args[0]:
		return "", fmt.Errorf("log: two inputs, -f %q and %q: give one", f, args[0])
	case len(args) == 1:
		return args[0], nil
	case f != "":
		return f, nil
	}
	return "-", nil
}

// boolSetting is a setting of a bare flag (--json), or --json=true|false.
func boolSetting(v setting) (bool, error) {
	switch strings.ToLower(v.value) {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no", "":
		return false, nil
	}
	return false, v.errorf("not true or false")
}

func readInput(name string, stdin io.Reader) ([]byte, error) {
	if name == "-" {
		if isTerminal(stdin) { // nothing piped: reading would wait for the user to type JSON
			return nil, errors.New("no input: give FILE (or -f FILE), or pipe the JSON on standard input (mlexp help log shows it)")
		}
		return io.ReadAll(stdin)
	}
	return os.ReadFile(name)
}

// submitFunc queues one parsed result.
type submitFunc func(context.Context, *backend) (*mlexp.OutboxItem, error)

// parseReports reads every JSON value of input, checks each, and returns what to submit. Any
// error stops everything, so that a file is queued whole or not at all.
func parseReports(kind, name string, input []byte) ([]submitFunc, int, error) {
	var submit []submitFunc
	var problems []string
	dec := json.NewDecoder(bytes.NewReader(input))
	for {
		start := dec.InputOffset()
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			break
		}
		line := 1 + bytes.Count(input[:start], []byte("\n")) + leadingNewlines(input[start:])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s:%d: not valid JSON: %v", name, line, err))
			break
		}
		var check error
		switch kind {
		case "quick-test":
			var r mlexp.QuickTestReport
			if check = mlexp.UnmarshalStrict(raw, &r); check == nil {
				check = r.Validate()
			}
			submit = append(submit, func(ctx context.Context, b *backend) (*mlexp.OutboxItem, error) {
				return b.ingest.SubmitQuickTest(ctx, r)
			})
		default:
			var r mlexp.TrainingRunReport
			if check = mlexp.UnmarshalStrict(raw, &r); check == nil {
				check = r.Validate()
			}
			submit = append(submit, func(ctx context.Context, b *backend) (*mlexp.OutboxItem, error) {
				return b.ingest.SubmitTrainingRun(ctx, r)
			})
		}
		if fields := mlexp.FieldErrors(check); len(fields) > 0 { // every invalid field, one a line
			for _, f := range fields {
				problems = append(problems, fmt.Sprintf("%s:%d: %s", name, line, f.Message))
			}
		} else if check != nil {
			problems = append(problems, fmt.Sprintf("%s:%d: %s", name, line, mlexp.ErrorMessage(check)))
		}
	}
	switch {
	case len(problems) > 20:
		problems = append(problems[:20], fmt.Sprintf("... and %d more", len(problems)-20))
		fallthrough
	case len(problems) > 0:
		return nil, 0, fmt.Errorf("log: nothing was queued; fix these and run again:\n  %s", strings.Join(problems, "\n  "))
	case len(submit) == 0:
		return nil, 0, fmt.Errorf("log: %s holds no results", name)
	}
	return submit, len(submit), nil
}

func leadingNewlines(b []byte) int {
	n := 0
	for _, c := range b {
		switch c {
		case '\n':
			n++
		case ' ', '\t', '\r':
		default:
			return n
		}
	}
	return n
}
