package main

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/tracking"
)

func TestHelp(t *testing.T) {
	vars := map[string]string{"HOME": "/home/ada"}
	// Everything the help of serve must explain.
	serveHelpMentions := []string{
		"--addr", "MLEXP_ADDR", "127.0.0.1:8080",
		"--mlflow-tracking-uri", "MLFLOW_TRACKING_URI",
		"--log-format", "MLEXP_LOG_FORMAT", "auto", "json", "text",
		"--log-level", "MLEXP_LOG_LEVEL", "info",
		"--shutdown-timeout", "MLEXP_SHUTDOWN_TIMEOUT", "15s",
		"--data-dir", "MLEXP_DATA_DIR", defaultDataDir(envOf(vars)),
		"MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD",
		"MLFLOW_TRACKING_INSECURE_TLS", "MLFLOW_TRACKING_SERVER_CERT_PATH",
	}
	for _, args := range [][]string{
		{"mlexp", "--help"}, {"mlexp", "-h"}, {"mlexp", "help"},
		{"mlexp", "serve", "--help"}, {"mlexp", "serve", "-h"}, {"mlexp", "help", "serve"},
	} {
		var stdout, stderr bytes.Buffer
		if err := run(t.Context(), args, envOf(vars), &stdout, &stderr); err != nil {
			t.Errorf("%q: %v", args, err)
			continue
		}
		wants := append([]string{}, serveHelpMentions...)
		if args[1] != "serve" && len(args) == 2 { // the overview: commands, not flags
			wants = []string{"serve", "version", "help", "MLFLOW_TRACKING_URI", "--json", "--width"}
		}
		if m := missing(stdout.String(), wants...); len(m) > 0 {
			t.Errorf("%q does not mention %q:\n%s", args, m, &stdout)
		}
		if stderr.Len() > 0 {
			t.Errorf("%q wrote to stderr: %s", args, &stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	var stdout bytes.Buffer
	if err := run(t.Context(), []string{"mlexp", "version"}, envOf(nil), &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout.String(), "mlexp ") || !strings.Contains(stdout.String(), "go1.") {
		t.Errorf("version printed %q", &stdout)
	}
}

// TestBadArguments checks that every bad flag, environment variable or command is refused
// with an error naming it, before anything listens.
func TestBadArguments(t *testing.T) {
	uri := map[string]string{"MLFLOW_TRACKING_URI": "http://127.0.0.1:5000"}
	with := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for k, v := range uri {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		args    []string
		vars    map[string]string
		wantErr string
	}{
		{nil, nil, "no command given"},
		{[]string{"frobnicate"}, nil, `unknown command "frobnicate"`},
		{[]string{"serve", "--shutdown-timeout", "soon"}, uri, `--shutdown-timeout="soon": not a positive duration`},
		{[]string{"serve", "--shutdown-timeout", "0s"}, uri, `--shutdown-timeout="0s"`},
		{[]string{"serve"}, with("MLEXP_SHUTDOWN_TIMEOUT", "-1s"), `MLEXP_SHUTDOWN_TIMEOUT="-1s"`},
		{[]string{"serve", "--log-format", "xml"}, uri, `--log-format="xml": not a log format`},
		{[]string{"serve"}, with("MLEXP_LOG_LEVEL", "loud"), `MLEXP_LOG_LEVEL="loud": not a log level`},
		{[]string{"serve", "--addr", "8080"}, uri, `--addr="8080": not a HOST:PORT address`},
		{[]string{"serve"}, with("MLEXP_ADDR", "localhost:http"), `MLEXP_ADDR="localhost:http": port "http"`},
		{[]string{"serve", "--data-dir", ""}, uri, `--data-dir="": must not be empty`},
		{[]string{"serve", "--mlflow-read-parts", "0"}, uri, `--mlflow-read-parts="0": not a number of searches from 1 to 32`},
		{[]string{"serve"}, with("MLEXP_MLFLOW_READ_PARTS", "many"), `MLEXP_MLFLOW_READ_PARTS="many"`},
		{[]string{"serve"}, nil, "set --mlflow-tracking-uri or MLFLOW_TRACKING_URI"},
		{[]string{"serve", "--mlflow-tracking-uri", "ftp://x"}, nil, `--mlflow-tracking-uri="ftp://x": not the http:// or https:// URL`},
		{[]string{"serve"}, map[string]string{"MLFLOW_TRACKING_URI": "127.0.0.1:5000"}, `MLFLOW_TRACKING_URI="127.0.0.1:5000"`},
		{[]string{"serve"}, with("MLFLOW_TRACKING_INSECURE_TLS", "maybe"), "MLFLOW_TRACKING_INSECURE_TLS"},
		{[]string{"serve", "--port", "80"}, uri, "flag provided but not defined: -port; see `mlexp serve --help`"},
		{[]string{"serve", "now"}, uri, `unexpected argument "now"`},
		{[]string{"version", "--short"}, nil, `unexpected argument "--short"`},
	} {
		var stdout bytes.Buffer
		err := run(t.Context(), append([]string{"mlexp"}, tc.args...), envOf(tc.vars), &stdout, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%q with %v: error %v, want one containing %q", tc.args, tc.vars, err, tc.wantErr)
		}
		if strings.Contains(stdout.String(), "listening") {
			t.Errorf("%q: serve started despite the bad configuration", tc.args)
		}
	}
}

// TestServeConfigPrecedence checks that a flag wins over its environment variable, which
// wins over the default.
func TestServeConfigPrecedence(t *testing.T) {
	env := env{getenv: envOf(map[string]string{
		"MLFLOW_TRACKING_URI":    "http://from-env:5000",
		"MLEXP_ADDR":             "0.0.0.0:9000",
		"MLEXP_LOG_LEVEL":        "not-a-level-but-overridden",
		"MLEXP_SHUTDOWN_TIMEOUT": "3s",
		"MLEXP_AUTH":             "proxy", // 0.0.0.0 needs auth
		"XDG_DATA_HOME":          "/xdg",
		"HOME":                   "/home/ada",
	}), stdout: io.Discard, stderr: io.Discard}
	cfg, err := parseServeConfig([]string{"--log-level", "debug", "--mlflow-tracking-uri", "https://flag:443/prefix"}, env)
	if err != nil {
		t.Fatal(err)
	}
	want := serveConfig{
		addr:            "0.0.0.0:9000",
		logFormat:       "auto",
		logLevel:        slog.LevelDebug,
		shutdownTimeout: 3 * time.Second,
		ingestWait:      2 * time.Second,
		mlflowUI:        "https://flag:443/prefix",
		store: storeConfig{
			trackingURI: setting{value: "https://flag:443/prefix", source: "--mlflow-tracking-uri", flag: "--mlflow-tracking-uri"},
			dataDir:     defaultDataDir(env.getenv), // $XDG_DATA_HOME/mlexp on Linux
			db:          filepath.Join(defaultDataDir(env.getenv), "mlexp.db"),
			workers:     4,
			lease:       30 * time.Second,
			cacheTTL:    30 * time.Second,
			readParts:   defaultReadParts,
			sync: tracking.SyncConfig{PageSize: tracking.DefaultSyncConfig.PageSize, PageTimeout: tracking.DefaultSyncConfig.PageTimeout,
				DeletionsEvery: tracking.DefaultSyncConfig.DeletionsEvery, ReconcileEvery: tracking.DefaultSyncConfig.ReconcileEvery},
			registry: tracking.RegistryConfig{Alias: tracking.DefaultAlias, Names: map[string]string{}},
		},
	}
	if cfg.auth == nil || cfg.auth.Mode != "proxy" || cfg.auth.ProxyHeader != "X-Forwarded-User" {
		t.Errorf("auth %+v, want proxy with the default header", cfg.auth)
	}
	cfg.auth = nil
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("config %+v\nwant   %+v", cfg, want)
	}
}

func TestNewLogger(t *testing.T) {
	for _, tc := range []struct{ format, want string }{
		{"auto", `"msg":"hello"`}, // a buffer is not a terminal
		{"json", `"msg":"hello"`},
		{"text", "msg=hello"},
	} {
		var buf bytes.Buffer
		newLogger(&buf, tc.format, slog.LevelInfo).Info("hello")
		newLogger(&buf, tc.format, slog.LevelInfo).Debug("hidden")
		if !strings.Contains(buf.String(), tc.want) || strings.Contains(buf.String(), "hidden") {
			t.Errorf("format %s wrote %q", tc.format, &buf)
		}
	}
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file counts as a terminal")
	}
}
