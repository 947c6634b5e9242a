package mlflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// RetryPolicy bounds retries of failed calls. Every wait is also bounded by the context.
type RetryPolicy struct {
	MaxAttempts int           // total tries, default 6; 1 disables retries
	Initial     time.Duration // first backoff, default 200ms
	Max         time.Duration // largest backoff, default 5s
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 6
	}
	if p.Initial <= 0 {
		p.Initial = 200 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 5 * time.Second
	}
	return p
}

// backoff returns the wait before attempt n+1 (n ≥ 1): exponential with "equal jitter",
// so that many clients that failed together do not retry together.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.Initial << (n - 1)
	if d > p.Max || d <= 0 {
		d = p.Max
	}
	half := d / 2
	return half + rand.N(half+1)
}

// request is one logical call to MLflow.
type request struct {
	method     string
	path       string     // escaped, below the tracking URI, e.g. "/api/2.0/mlflow/runs/get"
	endpoint   string     // a short name for errors and metrics
	query      url.Values // for GET
	body       any        // JSON-encoded, for POST
	raw        []byte     // sent as is (artifact upload) when set
	idempotent bool       // safe to repeat after the server may have acted on it
}

// do performs r, retrying where safe, and decodes a successful JSON answer into out (if not
// nil). It returns the raw body when out is nil.
func (c *Client) do(ctx context.Context, r request, out any) ([]byte, error) {
	var payload []byte
	switch {
	case r.raw != nil:
		payload = r.raw
	case r.body != nil:
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return nil, fmt.Errorf("mlflow %s: encoding request: %w", r.endpoint, err)
		}
	}
	target := c.base.String() + r.path // r.path is already escaped
	if r.query != nil {
		target += "?" + r.query.Encode()
	}
	for attempt := 1; ; attempt++ {
		body, retryAfter, err := c.attempt(ctx, r, target, payload, attempt)
		if err == nil {
			if out != nil && len(body) > 0 {
				if err := json.Unmarshal(body, out); err != nil {
					return nil, fmt.Errorf("mlflow %s: decoding answer: %w", r.endpoint, err)
				}
			}
			return body, nil
		}
		if attempt >= c.retry.MaxAttempts || !retryable(err, r.idempotent) {
			return nil, err
		}
		wait := max(c.retry.backoff(attempt), retryAfter)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
}

// attempt sends one HTTP request. It returns the body of a 2xx answer, or an *Error, and the
// server's Retry-After when it gave one.
func (c *Client) attempt(ctx context.Context, r request, u string, payload []byte, n int) ([]byte, time.Duration, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, rd)
	if err != nil {
		return nil, 0, fmt.Errorf("mlflow %s: %w", r.endpoint, err)
	}
	if payload != nil {
		if r.raw != nil {
			req.Header.Set("Content-Type", "application/octet-stream")
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	req.Header.Set("User-Agent", c.userAgent)
	switch {
	case c.token != "":
		req.Header.Set("Authorization", "Bearer "+c.token)
	case c.user != "":
		req.SetBasicAuth(c.user, c.password)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		e := &Error{Endpoint: r.endpoint, Code: "UNREACHABLE", Err: err}
		c.report(r.endpoint, 0, n, start, e)
		if ctx.Err() != nil {
			return nil, 0, errors.Join(e, ctx.Err())
		}
		return nil, 0, e
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e := &Error{Endpoint: r.endpoint, Code: "UNREACHABLE", Err: fmt.Errorf("reading answer: %w", err)}
		c.report(r.endpoint, resp.StatusCode, n, start, e)
		return nil, 0, e
	}
	if resp.StatusCode/100 == 2 {
		c.report(r.endpoint, resp.StatusCode, n, start, nil)
		return body, 0, nil
	}
	e := decodeError(r.endpoint, resp.StatusCode, body)
	c.report(r.endpoint, resp.StatusCode, n, start, e)
	return nil, retryAfter(resp.Header.Get("Retry-After")), e
}

func (c *Client) report(endpoint string, status, attempt int, start time.Time, err error) {
	if c.observe != nil {
		c.observe(Call{Endpoint: endpoint, Status: status, Attempt: attempt, Duration: time.Since(start), Err: err})
	}
}

// decodeError turns a non-2xx answer into an *Error, keeping MLflow's code and message.
func decodeError(endpoint string, status int, body []byte) *Error {
	var wire struct {
		Code    string `json:"error_code"`
		Message string `json:"message"`
	}
	e := &Error{Endpoint: endpoint, HTTPStatus: status}
	if json.Unmarshal(body, &wire) == nil && wire.Code != "" {
		e.Code, e.Message = wire.Code, wire.Message
		return e
	}
	e.Code = codeForStatus(status)
	e.Message = http.StatusText(status)
	if s := string(bytes.TrimSpace(body)); s != "" {
		if len(s) > 300 {
			s = s[:300] + "…"
		}
		e.Message += ": " + s
	}
	return e
}

// retryable says whether a failed attempt may be repeated. A request that surely never
// reached the server (refused connection, 429 from a rate limiter) is always repeatable; one
// that may have been acted on only if it is idempotent.
func retryable(err error, idempotent bool) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	if e.HTTPStatus == 0 {
		var op *net.OpError
		if errors.As(e.Err, &op) && op.Op == "dial" {
			return true
		}
		return idempotent
	}
	switch e.HTTPStatus {
	case http.StatusTooManyRequests:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return idempotent
	}
	return false
}

func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, time.Minute)
	}
	if t, err := http.ParseTime(h); err == nil {
		return min(max(time.Until(t), 0), time.Minute)
	}
	return 0
}
