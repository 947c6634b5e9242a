package main

import (
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/mlexp-dev/mlexp/web"
)

// serveConfig is the resolved configuration of `mlexp serve`.
type serveConfig struct {
	addr            string
	logFormat       string // auto, json or text
	logLevel        slog.Level
	shutdownTimeout time.Duration
	ingestWait      time.Duration
	mlflowUI        string
	trainingURL     string // where full-training requests go; "" turns them off
	mlmdDB          string // the ML Metadata store lineage reads; "" turns lineage off
	mlflowDB        string // MLflow's database, read by the run index; "": REST only
	auth            *web.Auth
	allowedHosts    string // validated, comma-separated; see hostsToServe
	sessionSecret   string // "": the database's
	store           storeConfig
}

// serveOptions lists the flags of `mlexp serve`.
func serveOptions(getenv func(string) string) []option {
	return append([]option{
		{name: "addr", arg: "HOST:PORT", env: "MLEXP_ADDR", def: "127.0.0.1:8080",
			usage: "address to listen on; port 0 picks a free port (the log line \"listening\" says which)"},
		{name: "log-format", arg: "FORMAT", env: "MLEXP_LOG_FORMAT", def: "auto",
			usage: "log format: json, text, or auto (text when stdout is a terminal, JSON otherwise)"},
		{name: "log-level", arg: "LEVEL", env: "MLEXP_LOG_LEVEL", def: "info",
			usage: "least important level logged: debug, info, warn or error"},
		{name: "shutdown-timeout", arg: "DURATION", env: "MLEXP_SHUTDOWN_TIMEOUT", def: "15s",
			usage: "on SIGINT or SIGTERM, how long in-flight requests may take to finish (e.g. 15s, 1m)"},
		{name: "ingest-wait", arg: "DURATION", env: "MLEXP_INGEST_WAIT", def: "2s",
			usage: "how long an ingest request waits for MLflow before answering 202 with a status URL"},
		{name: "mlflow-ui-url", arg: "URL", env: "MLEXP_MLFLOW_UI_URL",
			usage: "base URL of MLflow's UI for links, when users reach it at another address (default: the tracking URI)"},
		{name: "training-url", arg: "URL", env: "MLEXP_TRAINING_URL",
			usage: "URL of the training service that full-training requests are POSTed to as JSON (default: none; the Run Full Training button is disabled)"},
		mlmdOption(),
		mlflowDBOption(),
		{name: "auth", arg: "MODE", env: "MLEXP_AUTH", def: web.AuthNone,
			usage: "who may use mlexp: none (only on a loopback address), token (bearer tokens from --auth-tokens-file) or proxy (identity from --auth-proxy-header)"},
		{name: "auth-tokens-file", arg: "PATH", env: "MLEXP_AUTH_TOKENS_FILE",
			usage: "token auth: a file of \"user token\" or \"user sha256:HEX\" lines"},
		{name: "auth-proxy-header", arg: "HEADER", env: "MLEXP_AUTH_PROXY_HEADER", def: "X-Forwarded-User",
			usage: "proxy auth: the header in which the authenticating proxy puts the user (e.g. X-Goog-Authenticated-User-Email)"},
		{name: "allowed-hosts", arg: "HOSTS", env: "MLEXP_ALLOWED_HOSTS",
			usage: "comma-separated host names (any port) or name:port pairs that browsers may reach mlexp by; other Host headers are answered 421. " +
				"With --auth none, 127.0.0.1, localhost and [::1] at the listening port are always allowed and others refused; with token or proxy auth, any Host is served unless this is set"},
	}, append(sessionOptions(), storeOptions(getenv)...)...)
}

// serveHelp writes the help of `mlexp serve`.
func serveHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp serve [flags]

Serves the web dashboard, the JSON API (documented at /api/openapi.json), /healthz (the
process is alive), /readyz (MLflow and the database answer) and /metrics (Prometheus), and
delivers the ingest outbox to MLflow. It starts even
when MLflow is down, answers /readyz with 503 until MLflow is back, and stops gracefully on
SIGINT or SIGTERM: in-flight requests and deliveries finish.

`)
	writeOptions(w, serveOptions(e.getenv))
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

// mlflowEnvHelp describes the environment of MLflow's own clients, which mlexp honours.
const mlflowEnvHelp = `MLflow connection, from the same environment variables as MLflow's own clients:
  MLFLOW_TRACKING_URI               URL of the tracking server (--mlflow-tracking-uri wins)
  MLFLOW_TRACKING_TOKEN             bearer token sent with every request to MLflow
  MLFLOW_TRACKING_USERNAME          user name for HTTP basic authentication
  MLFLOW_TRACKING_PASSWORD          password for HTTP basic authentication
  MLFLOW_TRACKING_INSECURE_TLS      true to skip verifying MLflow's TLS certificate
  MLFLOW_TRACKING_SERVER_CERT_PATH  PEM file of the CA that signed MLflow's certificate
`

// parseServeConfig resolves and checks the configuration of `mlexp serve`. Every error
// names the flag or environment variable to fix.
func parseServeConfig(args []string, e env) (serveConfig, error) {
	s, rest, err := parseOptions("serve", args, serveOptions(e.getenv), serveHelp, e)
	if err != nil {
		return serveConfig{}, err
	}
	if len(rest) > 0 {
		return serveConfig{}, fmt.Errorf("serve: unexpected argument %q: serve takes only flags; see `mlexp serve --help`", rest[0])
	}
	var cfg serveConfig

	addr := s["addr"]
	host, port, err := net.SplitHostPort(addr.value)
	if err != nil {
		return cfg, addr.errorf("not a HOST:PORT address such as 127.0.0.1:8080")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return cfg, addr.errorf("port %q is not a number from 0 to 65535", port)
	}
	cfg.addr = net.JoinHostPort(host, port)

	switch f := s["log-format"]; f.value {
	case "auto", "json", "text":
		cfg.logFormat = f.value
	default:
		return cfg, f.errorf("not a log format: use auto, json or text")
	}

	lvl := s["log-level"]
	if err := cfg.logLevel.UnmarshalText([]byte(lvl.value)); err != nil {
		return cfg, lvl.errorf("not a log level: use debug, info, warn or error")
	}

	st := s["shutdown-timeout"]
	if cfg.shutdownTimeout, err = time.ParseDuration(st.value); err != nil || cfg.shutdownTimeout <= 0 {
		return cfg, st.errorf("not a positive duration such as 15s or 1m")
	}

	iw := s["ingest-wait"]
	if cfg.ingestWait, err = time.ParseDuration(iw.value); err != nil || cfg.ingestWait < 0 {
		return cfg, iw.errorf("not a duration such as 2s (0 answers at once)")
	}

	if cfg.store, err = parseStoreConfig(s); err == nil {
		err = cfg.store.requireMLflow()
	}
	if err != nil {
		return cfg, fmt.Errorf("serve: %w", err)
	}
	cfg.mlflowUI = cmp.Or(s["mlflow-ui-url"].value, cfg.store.trackingURI.value)
	cfg.mlmdDB = s["mlmd-db"].value
	cfg.mlflowDB = s["mlflow-db"].value
	if tu := s["training-url"]; tu.value != "" {
		if u, err := url.Parse(tu.value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return cfg, tu.errorf("not the http:// or https:// URL of a training service")
		}
		cfg.trainingURL = tu.value
	}
	uri := cfg.store.trackingURI
	if u, err := url.Parse(uri.value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, uri.errorf("not the http:// or https:// URL of an MLflow tracking server")
	}
	if cfg.auth, err = parseAuth(s, host); err != nil {
		return cfg, fmt.Errorf("serve: %w", err)
	}
	if cfg.allowedHosts, err = parseAllowedHosts(s["allowed-hosts"]); err != nil {
		return cfg, fmt.Errorf("serve: %w", err)
	}
	if cfg.sessionSecret, err = parseSessionSecret(s); err != nil {
		return cfg, fmt.Errorf("serve: %w", err)
	}
	return cfg, nil
}

// parseAuth builds the auth of the configured mode. No auth is only allowed on a loopback
// address: anything else would open the experiments to the whole network.
func parseAuth(s map[string]setting, host string) (*web.Auth, error) {
	mode := s["auth"]
	switch mode.value {
	case web.AuthNone:
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("%s: without authentication mlexp listens only on a loopback address, and --addr %q is not one; "+
				"use --auth token or --auth proxy, or listen on 127.0.0.1", mode.describe(), host)
		}
		return web.NoAuth(), nil
	case web.AuthToken:
		file := s["auth-tokens-file"]
		if file.value == "" {
			return nil, mode.errorf("token auth needs --auth-tokens-file (MLEXP_AUTH_TOKENS_FILE)")
		}
		f, err := os.Open(file.value)
		if err != nil {
			return nil, file.errorf("%v", err)
		}
		defer f.Close()
		a, err := web.TokenAuth(f)
		if err != nil {
			return nil, file.errorf("%v", err)
		}
		return a, nil
	case web.AuthProxy:
		h := s["auth-proxy-header"]
		a, err := web.ProxyAuth(h.value)
		if err != nil {
			return nil, h.errorf("%v", err)
		}
		return a, nil
	}
	return nil, mode.errorf("not an auth mode: use none, token or proxy")
}
