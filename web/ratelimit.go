package web

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// How many wrong tokens a client may send: a burst of failedAttemptsBurst, then one per
// failedAttemptRefill. At that pace, guessing a token of 16 characters is hopeless, and a
// user who mistypes a few times is not slowed.
const (
	failedAttemptsBurst = 10
	failedAttemptRefill = 6 * time.Second
	// trackedClientsSweep is the number of clients remembered beyond which those that are
	// back to a full burst are forgotten.
	trackedClientsSweep = 10_000
)

// codeTooManyRequests is the error code of a client refused for too many failed attempts
// (429 Too Many Requests, with Retry-After).
const codeTooManyRequests = "too_many_requests"

// failedAttempts limits the failed sign-ins (wrong bearer tokens, wrong tokens at /signin)
// of each client, by a token bucket per client address. A limited client's attempts are
// refused before its token is looked at, so that a right guess cannot be told from a
// wrong one; successful attempts cost nothing. The counts are in memory: each replica
// keeps its own.
type failedAttempts struct {
	mu      sync.Mutex
	clients map[string]*attemptBucket
}

// attemptBucket is the attempts a client has left (up to failedAttemptsBurst) as of at.
type attemptBucket struct {
	left float64
	at   time.Time
}

func newFailedAttempts() *failedAttempts {
	return &failedAttempts{clients: map[string]*attemptBucket{}}
}

// wait returns how long client must wait before its next attempt; 0 when it may try now.
func (l *failedAttempts) wait(client string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[client]
	if b == nil {
		return 0
	}
	b.refill(now)
	if b.left >= 1 {
		return 0
	}
	return time.Duration((1 - b.left) * float64(failedAttemptRefill))
}

// fail records a failed attempt of client.
func (l *failedAttempts) fail(client string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[client]
	if b == nil {
		if len(l.clients) >= trackedClientsSweep {
			l.sweep(now)
		}
		b = &attemptBucket{left: failedAttemptsBurst, at: now}
		l.clients[client] = b
	}
	b.refill(now)
	b.left = max(b.left-1, 0)
}

// sweep forgets the clients that are back to a full burst: remembering them changes nothing.
func (l *failedAttempts) sweep(now time.Time) {
	for c, b := range l.clients {
		if b.refill(now); b.left >= failedAttemptsBurst {
			delete(l.clients, c)
		}
	}
}

func (b *attemptBucket) refill(now time.Time) {
	if now.After(b.at) {
		b.left = min(failedAttemptsBurst, b.left+float64(now.Sub(b.at))/float64(failedAttemptRefill))
		b.at = now
	}
}

// tooManyAttempts is the error of a client that must wait before trying again; its
// retry_after_seconds detail becomes the Retry-After header.
func tooManyAttempts(wait time.Duration) *mlexp.Error {
	secs := retryAfterSeconds(wait)
	return &mlexp.Error{Code: codeTooManyRequests,
		Message: fmt.Sprintf("too many failed sign-in attempts from your address: wait %d seconds before trying again", secs),
		Details: map[string]any{"retry_after_seconds": secs}}
}

// retryAfterSeconds is wait in whole seconds, rounded up: the value of Retry-After.
func retryAfterSeconds(wait time.Duration) int { return int(math.Ceil(wait.Seconds())) }

// clientKey is the address that failed attempts are counted by: the client's IP, or its
// /64 for IPv6, a network that one subscriber gets whole. Behind a reverse proxy every
// client has the proxy's address (see the README).
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}
