package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// sessionIDBytes is the size of a session id: unguessable.
const sessionIDBytes = 32

// sessions signs browsers in and out. A cookie is "ID.MAC": a random id and its HMAC under
// the secret, so that a cookie that mlexp did not make is refused without asking the store;
// the store then says whether the session still runs (signing out deletes it), whose it is
// and when it ends. Nothing in the cookie is trusted beyond the id.
type sessions struct {
	store mlexp.SessionStore
	mu    sync.Mutex
	key   []byte // the secret: given, or the store's, read once
}

func newSessions(store mlexp.SessionStore, secret []byte) *sessions {
	if store == nil {
		store = newMemorySessions()
	}
	if len(secret) == 0 {
		secret = nil // the store's: never an empty key
	}
	return &sessions{store: store, key: secret}
}

// secret returns the key that signs cookies, reading it from the store the first time.
func (m *sessions) secret(ctx context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.key == nil {
		key, err := m.store.SessionSecret(ctx)
		if err != nil {
			return nil, mlexp.Unavailable(mlexp.DependencyDatabase, err, "sessions cannot be checked right now: the database does not answer")
		}
		m.key = key
	}
	return m.key, nil
}

// mac is the signature of session id under key.
func mac(key, id []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("mlexp session v1\n"))
	h.Write(id)
	return h.Sum(nil)
}

// hashID is how the store knows a session: a copy of the store signs nobody in.
func hashID(id []byte) string {
	sum := sha256.Sum256(id)
	return hex.EncodeToString(sum[:])
}

// start stores a new session of user, signed in with the token of tokenRef, and returns its
// cookie value.
func (m *sessions) start(ctx context.Context, user, tokenRef string, now time.Time) (string, error) {
	key, err := m.secret(ctx)
	if err != nil {
		return "", err
	}
	id := make([]byte, sessionIDBytes)
	_, _ = rand.Read(id) // never fails (crypto/rand)
	if err := m.store.CreateSession(ctx, hashID(id), user, tokenRef, now, now.Add(sessionLifetime)); err != nil {
		return "", mlexp.Unavailable(mlexp.DependencyDatabase, err, "signing in is not possible right now: the database does not answer")
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(id) + "." + enc.EncodeToString(mac(key, id)), nil
}

// id returns the session id of a cookie value that mlexp signed, or nil.
func (m *sessions) id(ctx context.Context, cookie string) ([]byte, error) {
	enc := base64.RawURLEncoding
	idPart, macPart, ok := strings.Cut(cookie, ".")
	id, err1 := enc.DecodeString(idPart)
	sig, err2 := enc.DecodeString(macPart)
	if !ok || err1 != nil || err2 != nil || len(id) != sessionIDBytes {
		return nil, nil
	}
	key, err := m.secret(ctx)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(sig, mac(key, id)) {
		return nil, nil
	}
	return id, nil
}

// user returns the user and token reference of the session of cookie, or "" when it is not
// a session that runs at now.
func (m *sessions) user(ctx context.Context, cookie string, now time.Time) (user, tokenRef string, err error) {
	id, err := m.id(ctx, cookie)
	if id == nil || err != nil {
		return "", "", err
	}
	user, tokenRef, expires, err := m.store.Session(ctx, hashID(id))
	switch {
	case mlexp.ErrorCode(err) == mlexp.ENOTFOUND:
		return "", "", nil
	case err != nil:
		return "", "", mlexp.Unavailable(mlexp.DependencyDatabase, err, "sessions cannot be checked right now: the database does not answer")
	case !now.Before(expires):
		return "", "", nil
	}
	return user, tokenRef, nil
}

// end ends the session of cookie, if it is one.
func (m *sessions) end(ctx context.Context, cookie string) error {
	id, err := m.id(ctx, cookie)
	if id == nil || err != nil {
		return err
	}
	if err := m.store.DeleteSession(ctx, hashID(id)); err != nil {
		return mlexp.Unavailable(mlexp.DependencyDatabase, err, "signing out is not possible right now: the database does not answer")
	}
	return nil
}
