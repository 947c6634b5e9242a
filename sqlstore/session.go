package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// sessionSecretBytes is the size of the secret that signs session cookies.
const sessionSecretBytes = 32

// SessionSecret returns the secret that signs session cookies. The first caller on this
// database makes it at random; concurrent first callers (replicas starting together) agree
// on one, because only the first insert wins.
func (s *DB) SessionSecret(ctx context.Context) ([]byte, error) {
	secret, err := s.readSessionSecret(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		b := make([]byte, sessionSecretBytes)
		_, _ = rand.Read(b) // never fails (crypto/rand)
		_, err = s.db.ExecContext(ctx, s.rebind(`INSERT INTO session_secret (id, secret, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING`),
			hex.EncodeToString(b), time.Now().UnixMilli())
		if err == nil {
			secret, err = s.readSessionSecret(ctx)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: the session secret: %w", err)
	}
	return secret, nil
}

func (s *DB) readSessionSecret(ctx context.Context) ([]byte, error) {
	var hexed string
	if err := s.db.QueryRowContext(ctx, `SELECT secret FROM session_secret WHERE id = 1`).Scan(&hexed); err != nil {
		return nil, err
	}
	return hex.DecodeString(hexed)
}

// CreateSession stores a signed-in session: the hash of its id, its user, the reference of
// the token it was signed in with, and when it was made and ends. Sessions that ended
// before created are deleted on the way.
func (s *DB) CreateSession(ctx context.Context, idHash, user, tokenRef string, created, expires time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM sessions WHERE expires_at < ?`), created.UnixMilli()); err != nil {
		return fmt.Errorf("sqlstore: deleting ended sessions: %w", err)
	}
	_, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO sessions (id_hash, user_name, token_ref, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
		idHash, user, tokenRef, created.UnixMilli(), expires.UnixMilli())
	if err != nil {
		return fmt.Errorf("sqlstore: storing a session: %w", err)
	}
	return nil
}

// Session returns the user, token reference and end of the session whose id hashes to
// idHash; ENOTFOUND when there is none: never made, signed out, or deleted once ended.
func (s *DB) Session(ctx context.Context, idHash string) (user, tokenRef string, expires time.Time, err error) {
	var ms int64
	err = s.db.QueryRowContext(ctx, s.rebind(`SELECT user_name, token_ref, expires_at FROM sessions WHERE id_hash = ?`), idHash).
		Scan(&user, &tokenRef, &ms)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", time.Time{}, mlexp.Errorf(mlexp.ENOTFOUND, "no such session")
	}
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("sqlstore: reading a session: %w", err)
	}
	return user, tokenRef, time.UnixMilli(ms), nil
}

// DeleteSession ends a session (signing out); ending one that does not exist is no error.
func (s *DB) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM sessions WHERE id_hash = ?`), idHash); err != nil {
		return fmt.Errorf("sqlstore: deleting a session: %w", err)
	}
	return nil
}
