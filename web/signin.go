package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// signinPage is the sign-in form of token mode: small enough to live here, so that it works
// whatever the rest of the templates do.
var signinPage = template.Must(template.New("signin").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · mlexp</title><link rel="icon" href="data:,">
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}
input,button{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;margin:.25rem 0}
button{background:#1f6feb;color:#fff;border:0;border-radius:4px;cursor:pointer}.error{color:#b42318}</style></head>
<body><h1>Sign in to mlexp</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/signin">
<label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="{{.Next}}">
<button type="submit">Sign in</button>
</form>
<p>Tokens are listed in the file given to <code>mlexp serve --auth-tokens-file</code>.</p>
</body></html>`))

// handleSignin shows the sign-in form (token mode) or signs in with a token.
func (s *server) handleSignin(w http.ResponseWriter, r *http.Request) {
	if s.auth.Mode != AuthToken {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	next := safeNext(r.FormValue("next"))
	if r.Method == http.MethodGet {
		s.renderSignin(w, http.StatusOK, next, "")
		return
	}
	client, now := clientKey(r), s.now()
	if wait := s.attempts.wait(client, now); wait > 0 {
		secs := retryAfterSeconds(wait)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.renderSignin(w, http.StatusTooManyRequests, next, fmt.Sprintf("Too many failed attempts from your address: wait %d seconds, then try again.", secs))
		return
	}
	user, ref, ok := s.auth.signIn(r.PostFormValue("token"))
	if !ok {
		s.attempts.fail(client, now)
		s.renderSignin(w, http.StatusUnauthorized, next, "That token is not valid.")
		return
	}
	session, err := s.sessions.start(r.Context(), user, ref, now)
	if err != nil {
		s.logger.WarnContext(r.Context(), "signing in", "err", err)
		s.renderSignin(w, http.StatusServiceUnavailable, next, "Signing in is not possible right now: try again in a moment.")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: session, Path: "/",
		MaxAge: int(sessionLifetime.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https",
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// handleSignout ends the browser session: in the store, so that a copy of the cookie is
// worth nothing on any replica, and in the browser.
func (s *server) handleSignout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && s.auth.Mode == AuthToken {
		if err := s.sessions.end(r.Context(), c.Value); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

func (s *server) renderSignin(w http.ResponseWriter, status int, next, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = signinPage.Execute(w, map[string]string{"Next": next, "Error": msg})
}

// maxNextLength bounds the path that sign-in returns to.
const maxNextLength = 2048

// safeNext keeps a post-sign-in redirect on this site: a clean path, or else "/". Browsers
// are lenient in what they take for a path: Chromium drops tabs and newlines (so that
// "/\t/evil.example" reads "//evil.example", another host) and takes a backslash for a
// slash. So only a plain path passes, checked as given and once percent-decoded.
func safeNext(next string) string {
	if len(next) > maxNextLength || !cleanPath(next) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	if decoded, err := url.PathUnescape(u.EscapedPath()); err != nil || !cleanPath(decoded) {
		return "/"
	}
	return next
}

// cleanPath says whether p starts with a single "/" and holds no "//", backslash, control
// character, whitespace or invalid UTF-8.
func cleanPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.Contains(p, "//") || !utf8.ValidString(p) {
		return false
	}
	return !strings.ContainsFunc(p, func(r rune) bool {
		return r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r)
	})
}
