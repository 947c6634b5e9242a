package web

import (
	"context"
	"crypto/rand"
	"sync"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// memorySessions is the mlexp.SessionStore of a server given none: sessions in this process's
// memory, under a secret of its own, so that they end with it and are not shared with
// other replicas. mlexp serve always gives its database.
type memorySessions struct {
	mu       sync.Mutex
	secret   []byte
	sessions map[string]memorySession
}

type memorySession struct {
	user, tokenRef string
	expires        time.Time
}

func newMemorySessions() *memorySessions {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret) // never fails (crypto/rand)
	return &memorySessions{secret: secret, sessions: map[string]memorySession{}}
}

func (m *memorySessions) SessionSecret(context.Context) ([]byte, error) { return m.secret, nil }

func (m *memorySessions) CreateSession(_ context.Context, idHash, user, tokenRef string, created, expires time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for h, s := range m.sessions {
		if s.expires.Before(created) {
			delete(m.sessions, h)
		}
	}
	m.sessions[idHash] = memorySession{user, tokenRef, expires}
	return nil
}

func (m *memorySessions) Session(_ context.Context, idHash string) (string, string, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[idHash]
	if !ok {
		return "", "", time.Time{}, mlexp.Errorf(mlexp.ENOTFOUND, "no such session")
	}
	return s.user, s.tokenRef, s.expires, nil
}

func (m *memorySessions) DeleteSession(_ context.Context, idHash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, idHash)
	return nil
}
