package mlexp

import (
	"context"
	"time"
)

// SessionStore keeps the browser sessions of token auth where every replica sees them:
// sqlstore.DB does, in the database (web keeps them in memory without one). Sessions are known by the hash of their id only.
type SessionStore interface {
	// SessionSecret returns the secret that signs session cookies, made once.
	SessionSecret(ctx context.Context) ([]byte, error)
	// CreateSession stores a signed-in session.
	CreateSession(ctx context.Context, idHash, user, tokenRef string, created, expires time.Time) error
	// Session returns a session, or an ENOTFOUND error when there is none (signed out).
	Session(ctx context.Context, idHash string) (user, tokenRef string, expires time.Time, err error)
	// DeleteSession ends a session; ending one that does not exist is no error.
	DeleteSession(ctx context.Context, idHash string) error
}
