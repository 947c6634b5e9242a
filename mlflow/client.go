// Package mlflow is a small, typed client for the REST API of an MLflow tracking server:
// experiments, runs, batched logging, metric history and proxied artifacts.
//
// It honours the environment of MLflow's official clients (MLFLOW_TRACKING_URI,
// MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_USERNAME / _PASSWORD, MLFLOW_TRACKING_INSECURE_TLS,
// MLFLOW_TRACKING_SERVER_CERT_PATH), maps MLflow's {"error_code","message"} errors to *Error,
// retries idempotent calls with exponential backoff and jitter, and checks keys and values
// against MLflow's limits before sending, so nothing is silently truncated by the server.
//
// It knows nothing of mlexp's domain.
package mlflow

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Client talks to one MLflow tracking server. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	http      *http.Client
	token     string
	user      string
	password  string
	userAgent string
	retry     RetryPolicy
	observe   func(Call)
	pageSize  int
}

// Call describes one finished HTTP exchange with MLflow, for metrics and logs.
type Call struct {
	Endpoint string        // e.g. "runs/search" or "mlflow-artifacts"
	Status   int           // HTTP status, 0 when no response arrived
	Attempt  int           // 1 for the first try
	Duration time.Duration // of this attempt
	Err      error         // nil on success
}

// Option configures a Client.
type Option func(*Client) error

// WithHTTPClient sets the HTTP client (its Transport, Timeout, ...).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error { c.http = hc; return nil }
}

// WithToken authenticates every request with "Authorization: Bearer TOKEN".
func WithToken(token string) Option {
	return func(c *Client) error { c.token = token; return nil }
}

// WithBasicAuth authenticates every request with HTTP basic auth.
func WithBasicAuth(user, password string) Option {
	return func(c *Client) error { c.user, c.password = user, password; return nil }
}

// WithRetry sets the retry policy; RetryPolicy{MaxAttempts: 1} disables retries.
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) error { c.retry = p.withDefaults(); return nil }
}

// WithObserver calls fn after every HTTP attempt (for metrics); fn must be fast.
func WithObserver(fn func(Call)) Option {
	return func(c *Client) error { c.observe = fn; return nil }
}

// WithSearchPageSize sets max_results for runs/search pages (default and maximum 50000).
func WithSearchPageSize(n int) Option {
	return func(c *Client) error {
		if n < 1 || n > MaxSearchRunsPageSize {
			return fmt.Errorf("mlflow: search page size %d out of range 1..%d", n, MaxSearchRunsPageSize)
		}
		c.pageSize = n
		return nil
	}
}

// WithTLSConfig sets the TLS configuration of the default transport (custom CA, client
// certificates, or InsecureSkipVerify).
func WithTLSConfig(cfg *tls.Config) Option {
	return func(c *Client) error {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = cfg
		c.http = &http.Client{Transport: tr}
		return nil
	}
}

// NewClient returns a client of the tracking server at trackingURI (http or https, optionally
// with a path prefix).
func NewClient(trackingURI string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(trackingURI, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("mlflow: tracking URI %q must be an http:// or https:// URL of a tracking server", trackingURI)
	}
	c := &Client{
		base:      u,
		http:      &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()},
		userAgent: "mlexp",
		retry:     RetryPolicy{}.withDefaults(),
		pageSize:  MaxSearchRunsPageSize,
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// NewClientFromEnv builds a client from the official MLflow environment variables, read with
// getenv. Options given after them win.
func NewClientFromEnv(getenv func(string) string, opts ...Option) (*Client, error) {
	uri := getenv("MLFLOW_TRACKING_URI")
	if uri == "" {
		return nil, fmt.Errorf("mlflow: MLFLOW_TRACKING_URI is not set: point it at your tracking server, e.g. http://127.0.0.1:5000")
	}
	envOpts, err := envOptions(getenv)
	if err != nil {
		return nil, err
	}
	return NewClient(uri, append(envOpts, opts...)...)
}

func envOptions(getenv func(string) string) ([]Option, error) {
	var opts []Option
	if t := getenv("MLFLOW_TRACKING_TOKEN"); t != "" {
		opts = append(opts, WithToken(t))
	}
	if u := getenv("MLFLOW_TRACKING_USERNAME"); u != "" {
		opts = append(opts, WithBasicAuth(u, getenv("MLFLOW_TRACKING_PASSWORD")))
	}
	insecure := false
	if v := getenv("MLFLOW_TRACKING_INSECURE_TLS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("mlflow: MLFLOW_TRACKING_INSECURE_TLS=%q is not true or false", v)
		}
		insecure = b
	}
	caPath := getenv("MLFLOW_TRACKING_SERVER_CERT_PATH")
	if insecure && caPath != "" {
		return nil, fmt.Errorf("mlflow: MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH cannot both be set")
	}
	if insecure || caPath != "" {
		cfg := &tls.Config{InsecureSkipVerify: insecure} //nolint:gosec // the user asked for it explicitly
		if caPath != "" {
			pem, err := os.ReadFile(caPath)
			if err != nil {
				return nil, fmt.Errorf("mlflow: MLFLOW_TRACKING_SERVER_CERT_PATH: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("mlflow: MLFLOW_TRACKING_SERVER_CERT_PATH %s holds no PEM certificate", caPath)
			}
			cfg.RootCAs = pool
		}
		opts = append(opts, WithTLSConfig(cfg))
	}
	return opts, nil
}

// TrackingURI returns the base URL of the tracking server.
func (c *Client) TrackingURI() string { return c.base.String() }
