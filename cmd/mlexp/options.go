package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
)

// option is a flag with an environment equivalent. The flag wins over the environment
// variable, which wins over the default.
type option struct {
	name  string // the flag without dashes, e.g. "addr"
	arg   string // what the value is, for help, e.g. "HOST:PORT"
	env   string // e.g. "MLEXP_ADDR"; empty when there is none
	def   string // the default value
	usage string // one sentence
}

// setting is the value an option resolved to and where it came from, so that an error can
// name exactly what the user has to fix.
type setting struct {
	value  string
	source string // "--addr", "MLEXP_ADDR" or "the default"
	flag   string // "--addr", whatever the source
}

// fromDefault is the source of a setting that nobody set.
const fromDefault = "the default"

// errorf returns an error naming the setting's source and value: `--addr="x": …`,
// `MLEXP_ADDR="x": …` or `--addr="x" (the default): …`.
func (s setting) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s", s.named("="), fmt.Sprintf(format, args...))
}

// describe is the setting in words for the start of a sentence: `--auth is "none" (the
// default)`, `MLEXP_AUTH is "none"`.
func (s setting) describe() string { return s.named(" is ") }

func (s setting) named(sep string) string {
	if s.source == fromDefault || s.source == "" {
		return fmt.Sprintf("%s%s%q (the default)", s.flag, sep, s.value)
	}
	return fmt.Sprintf("%s%s%q", s.source, sep, s.value)
}

// parseOptions parses the flags of command name from args and resolves every option. On
// -h/--help it writes help to e.stdout and returns flag.ErrHelp.
func parseOptions(name string, args []string, opts []option, help func(io.Writer, env), e env) (map[string]setting, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, help is written below
	for _, o := range opts {
		fs.String(o.name, "", o.usage)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp(e.stdout, help, e)
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("%s: %v; see `mlexp %s --help`", name, err, name)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	settings := make(map[string]setting, len(opts))
	for _, o := range opts {
		switch {
		case given[o.name]:
			settings[o.name] = setting{fs.Lookup(o.name).Value.String(), "--" + o.name, "--" + o.name}
		case o.env != "" && e.getenv(o.env) != "":
			settings[o.name] = setting{e.getenv(o.env), o.env, "--" + o.name}
		default:
			settings[o.name] = setting{o.def, fromDefault, "--" + o.name}
		}
	}
	return settings, fs.Args(), nil
}

// writeOptions writes the help of opts.
func writeOptions(w io.Writer, opts []option) {
	fmt.Fprintf(w, "Flags (a flag wins over its environment variable, which wins over the default):\n")
	for _, o := range opts {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  --%s %s", o.name, o.arg), " "))
		writeWrapped(w, "        ", o.usage)
		def := o.def
		if def == "" {
			def = "none"
		}
		if o.env != "" {
			writeWrapped(w, "        ", fmt.Sprintf("environment: %s; default: %s", o.env, def))
		} else {
			writeWrapped(w, "        ", "default: "+def)
		}
	}
}

// defaultDataDir is the per-user directory for mlexp's own data, following the platform's
// convention (XDG on Linux and other Unixes).
func defaultDataDir(getenv func(string) string) string {
	switch runtime.GOOS {
	case "windows":
		if d := getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "mlexp")
		}
	case "darwin":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Application Support", "mlexp")
		}
	default:
		if d := getenv("XDG_DATA_HOME"); d != "" {
			return filepath.Join(d, "mlexp")
		}
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, ".local", "share", "mlexp")
		}
	}
	return "mlexp-data" // no home at all (a bare container): the working directory
}
