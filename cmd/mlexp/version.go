package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version prints the version of mlexp.
func version(_ context.Context, args []string, e env) error {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
			fmt.Fprintln(e.stdout, "Usage: mlexp version\n\nPrints the version of mlexp, its commit when known, and the Go version it was\nbuilt with.")
			return nil
		}
		return fmt.Errorf("version: unexpected argument %q", args[0])
	}
	fmt.Fprintf(e.stdout, "mlexp %s (%s)\n", buildVersion(), runtime.Version())
	return nil
}

// buildVersion is the module version of the binary (set by `go install …@vX`), followed by
// the commit it was built from when the build recorded one.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " commit " + rev + modified
	}
	return v
}
