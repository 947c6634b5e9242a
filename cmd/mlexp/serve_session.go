package main

import (
	"fmt"
	"os"
	"strings"
)

// minSessionSecret is the least length of a session secret given by the operator.
const minSessionSecret = 32

// sessionOptions are the flags of the secret that signs browser sessions (token auth).
func sessionOptions() []option {
	return []option{
		{name: "session-secret", arg: "SECRET", env: "MLEXP_SESSION_SECRET",
			usage: "token auth: the secret (at least 32 characters, e.g. from `openssl rand -hex 32`) that signs session cookies; " +
				"unset, mlexp makes one at random once and keeps it in the database, shared by every replica on it. " +
				"Prefer the environment variable or --session-secret-file to the flag, which other users of the machine may see"},
		{name: "session-secret-file", arg: "PATH", env: "MLEXP_SESSION_SECRET_FILE",
			usage: "token auth: a file holding the session secret, instead of --session-secret"},
	}
}

// parseSessionSecret returns the session secret given by the operator, or "" to use the
// database's. Errors name the flag, never the secret.
func parseSessionSecret(s map[string]setting) (string, error) {
	v, f := s["session-secret"], s["session-secret-file"]
	if v.value != "" && f.value != "" {
		return "", fmt.Errorf("%s and %s both give the session secret: give it once", v.source, f.source)
	}
	secret, from := v.value, v.source
	if f.value != "" {
		b, err := os.ReadFile(f.value)
		if err != nil {
			return "", f.errorf("cannot read the session secret: %v", err)
		}
		secret, from = strings.TrimSpace(string(b)), f.source+"="+fmt.Sprintf("%q", f.value)
	}
	if secret != "" && len(secret) < minSessionSecret {
		return "", fmt.Errorf("%s: the session secret must be at least %d characters, e.g. from `openssl rand -hex 32`", from, minSessionSecret)
	}
	return secret, nil
}
