package web

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
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
	sessionKey  []byte
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
// Only hashes are kept in memory; the session cookie key is derived from them, so that every
// replica with the same file accepts the same sessions, and changing the file ends them.
func TokenAuth(file io.Reader) (*Auth, error) {
	a := &Auth{Mode: AuthToken, tokens: map[[32]byte]string{}}
	sc := bufio.NewScanner(file)
	mac := sha256.New()
	mac.Write([]byte("mlexp session key\n"))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("tokens file line %d: want \"user token\" or \"user sha256:HEX\"", n)
		}
		user, token := fields[0], fields[1]
		var sum [32]byte
		if h, ok := strings.CutPrefix(token, "sha256:"); ok {
			b, err := hex.DecodeString(h)
			if err != nil || len(b) != 32 {
				return nil, fmt.Errorf("tokens file line %d: sha256: must be followed by 64 hex digits", n)
			}
			copy(sum[:], b)
		} else {
			if len(token) < 16 {
				return nil, fmt.Errorf("tokens file line %d: a token must be at least 16 characters", n)
			}
			sum = sha256.Sum256([]byte(token))
		}
		a.tokens[sum] = user
		mac.Write([]byte(user))
		mac.Write(sum[:])
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(a.tokens) == 0 {
		return nil, fmt.Errorf("tokens file holds no token")
	}
	a.sessionKey = mac.Sum(nil)
	return a, nil
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
		return s.auth.checkSession(c.Value, s.now()), nil
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
	user, ok := s.auth.signIn(token)
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

// signIn checks a token and returns its user.
func (a *Auth) signIn(token string) (string, bool) {
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	for h, user := range a.tokens {
		if subtle.ConstantTimeCompare(h[:], sum[:]) == 1 {
			return user, true
		}
	}
	return "", false
}

// session is "user|expiry|mac", base64url.
func (a *Auth) session(user string, expires time.Time) string {
	payload := url.QueryEscape(user) + "|" + strconv.FormatInt(expires.Unix(), 10)
	m := hmac.New(sha256.New, a.sessionKey)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload + "|" + hex.EncodeToString(m.Sum(nil))))
}

func (a *Auth) checkSession(v string, now time.Time) string {
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return ""
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 {
		return ""
	}
	m := hmac.New(sha256.New, a.sessionKey)
	m.Write([]byte(parts[0] + "|" + parts[1]))
	want := hex.EncodeToString(m.Sum(nil))
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if subtle.ConstantTimeCompare([]byte(want), []byte(parts[2])) != 1 || err != nil || now.Unix() > exp {
		return ""
	}
	user, err := url.QueryUnescape(parts[0])
	if err != nil {
		return ""
	}
	return user
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
