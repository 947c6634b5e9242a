package web

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// Auth modes.
const (
	AuthNone  = "none"  // everyone is the local user; only allowed on a loopback address
	AuthToken = "token" // bearer tokens from a file; browsers sign in once and get a cookie
	AuthProxy = "proxy" // the identity comes in a header set by a trusted authenticating proxy
)

// LocalUser is who makes every request when auth is off.
const LocalUser = "local"

// sessionCookie is the name of the browser session cookie in token mode.
const sessionCookie = "mlexp_session"

// sessionLifetime is how long a browser stays signed in.
const sessionLifetime = 12 * time.Hour

// Auth says who a request comes from.
type Auth struct {
	Mode        string
	ProxyHeader string              // proxy mode: e.g. X-Goog-Authenticated-User-Email
	tokens      map[[32]byte]string // token mode: sha256 of the token → user; tokens are never kept
	refs        map[string]string   // token mode: tokenRef of each token → user
}

// NoAuth is the auth of a local, single-user mlexp.
func NoAuth() *Auth { return &Auth{Mode: AuthNone} }

// ProxyAuth trusts the identity in header, set by an authenticating proxy in front of mlexp.
func ProxyAuth(header string) (*Auth, error) {
	if header == "" {
		return nil, fmt.Errorf("proxy auth needs the name of the identity header (e.g. X-Goog-Authenticated-User-Email)")
	}
	return &Auth{Mode: AuthProxy, ProxyHeader: http.CanonicalHeaderKey(header)}, nil
}

// TokenAuth reads a tokens file: one "user token" or "user sha256:HEX" a line, # comments.
// Only hashes are kept in memory. A browser session lasts while its user keeps the token it
// signed in with: removing the user from the file, or changing the user's token, ends it.
func TokenAuth(file io.Reader) (*Auth, error) {
	a := &Auth{Mode: AuthToken, tokens: map[[32]byte]string{}, refs: map[string]string{}}
	sc := bufio.NewScanner(file)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		user, sum, err := parseTokenLine(line)
		if err != nil {
			return nil, fmt.Errorf("tokens file line %d: %w", n, err)
		}
		a.tokens[sum] = user
		a.refs[tokenRef(sum)] = user
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(a.tokens) == 0 {
		return nil, fmt.Errorf("tokens file holds no token")
	}
	return a, nil
}

// parseTokenLine reads "user token" or "user sha256:HEX".
func parseTokenLine(line string) (user string, sum [32]byte, err error) {
	fields := strings.Fields(line)
	if len(fields) != 2 {
		return "", sum, fmt.Errorf("want \"user token\" or \"user sha256:HEX\"")
	}
	user, token := fields[0], fields[1]
	if h, ok := strings.CutPrefix(token, "sha256:"); ok {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != 32 {
			return "", sum, fmt.Errorf("sha256: must be followed by 64 hex digits")
		}
		copy(sum[:], b)
		return user, sum, nil
	}
	if len(token) < 16 {
		return "", sum, fmt.Errorf("a token must be at least 16 characters")
	}
	return user, sha256.Sum256([]byte(token)), nil
}

// tokenRef names a token in the sessions signed in with it, without being usable as one.
func tokenRef(sum [32]byte) string {
	ref := sha256.Sum256(append([]byte("mlexp token ref\n"), sum[:]...))
	return hex.EncodeToString(ref[:16])
}

type userKey struct{}

// UserFrom returns the user of a request ("" when nobody is signed in).
func UserFrom(ctx context.Context) string {
	u, _ := ctx.Value(userKey{}).(string)
	return u
}

// iapPrefix is what Cloud Run's IAP writes before the e-mail address in its identity headers.
const iapPrefix = "accounts.google.com:"

// identify returns the user of r, or "" when nobody is signed in. An error refuses the
// request whatever its path: credentials that must not be trusted, or a client that must
// wait.
func (s *server) identify(r *http.Request) (string, error) {
	switch s.auth.Mode {
	case AuthNone:
		return LocalUser, nil
	case AuthProxy:
		return s.auth.proxyUser(r)
	}
	if tok, ok := bearerToken(r); ok {
		return s.checkToken(r, tok)
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		user, ref, err := s.sessions.user(r.Context(), c.Value, s.now())
		if err != nil || !s.auth.sessionUser(user, ref) {
			return "", err
		}
		return user, nil
	}
	return "", nil
}

// checkToken returns the user of token, or "" counting a failed attempt of the client. A
// client with too many failed attempts is refused before its token is looked at.
func (s *server) checkToken(r *http.Request, token string) (string, error) {
	client, now := clientKey(r), s.now()
	if wait := s.attempts.wait(client, now); wait > 0 {
		return "", tooManyAttempts(wait)
	}
	user, _, ok := s.auth.signIn(token)
	if !ok {
		s.attempts.fail(client, now)
	}
	return user, nil
}

// proxyUser is the user in the proxy's identity header. A request with the header more than
// once is refused: a proxy that appends to a header the client sent, or a second proxy,
// would otherwise let the client choose whom it is. Only IAP's own prefix is stripped, so
// that "evil.example:ana@example.com" is that whole, unknown, user.
func (a *Auth) proxyUser(r *http.Request) (string, error) {
	values := r.Header.Values(a.ProxyHeader)
	if len(values) > 1 {
		return "", mlexp.Errorf(mlexp.EUNAUTHORIZED, "the %s header came %d times: mlexp trusts only one identity from its proxy", a.ProxyHeader, len(values))
	}
	if len(values) == 0 {
		return "", nil
	}
	v := strings.TrimSpace(values[0])
	if user, ok := strings.CutPrefix(v, iapPrefix); ok && user != "" {
		return user, nil
	}
	return v, nil
}

// bearerToken is the token of an Authorization header of the Bearer scheme, whose name is
// case-insensitive (RFC 7235).
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// signIn checks a token and returns its user and tokenRef, comparing it with every token
// in constant time.
func (a *Auth) signIn(token string) (user, ref string, ok bool) {
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	for h, u := range a.tokens {
		if subtle.ConstantTimeCompare(h[:], sum[:]) == 1 {
			user, ref, ok = u, tokenRef(h), true
		}
	}
	return user, ref, ok
}

// sessionUser says whether a session of user, signed in with the token of ref, still holds:
// the tokens file still gives that token to that user.
func (a *Auth) sessionUser(user, ref string) bool {
	u, ok := a.refs[ref]
	return ok && u == user
}

// publicPath says whether path is served to anybody: probes, metrics, sign-in, static
// assets and the API document.
func publicPath(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics", "/signin", "/signout", "/api/openapi.json":
		return true
	}
	return strings.HasPrefix(path, "/static/")
}

// authenticate puts the user of each request in its context, and turns away requests to
// anything but public paths when nobody is signed in: 401 for the API, the sign-in page for
// a browser.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, err := s.identify(r)
		if err != nil {
			s.respondError(w, r, err)
			return
		}
		if user == "" && !publicPath(r.URL.Path) {
			// Only token mode has a sign-in page; behind a proxy, a missing identity is the
			// proxy's misconfiguration and a redirect would loop.
			if strings.HasPrefix(r.URL.Path, "/api/") || r.Method != http.MethodGet || s.auth.Mode != AuthToken {
				if s.auth.Mode == AuthToken {
					w.Header().Set("WWW-Authenticate", `Bearer realm="mlexp"`)
				}
				s.respondError(w, r, mlexp.Errorf(mlexp.EUNAUTHORIZED, "sign in first: %s", s.authHint()))
				return
			}
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, user)))
	})
}

func (s *server) authHint() string {
	if s.auth.Mode == AuthProxy {
		return "mlexp expects the identity in the " + s.auth.ProxyHeader + " header from its authenticating proxy"
	}
	return "send Authorization: Bearer TOKEN (a token from the tokens file), or sign in at /signin"
}
