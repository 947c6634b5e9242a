package sqlstore_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/sqlstore"
)

// Replicas on one database share one session secret, made once, even when they start
// together; it survives a restart.
func TestSessionSecretIsSharedByReplicas(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			path := dsn(t, backend)
			const replicas = 4
			secrets := make([][]byte, replicas)
			var wg sync.WaitGroup
			for i := range replicas {
				wg.Go(func() {
					db := mustOpen(t, path)
					s, err := db.SessionSecret(context.Background())
					if err != nil {
						t.Errorf("replica %d: %v", i, err)
					}
					secrets[i] = s
				})
			}
			wg.Wait()
			for i, s := range secrets {
				if len(s) != 32 || !bytes.Equal(s, secrets[0]) {
					t.Errorf("replica %d has secret %x, replica 0 %x", i, s, secrets[0])
				}
			}
			again, err := mustOpen(t, path).SessionSecret(context.Background())
			if err != nil || !bytes.Equal(again, secrets[0]) {
				t.Errorf("after a restart: %x, %v", again, err)
			}
		})
	}
}

func TestSessions(t *testing.T) { forEachStore(t, testSessions) }

func testSessions(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	now := time.Now().Truncate(time.Millisecond)
	if err := db.CreateSession(ctx, "h1", "ana", "ref-a", now, now.Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	user, ref, exp, err := db.Session(ctx, "h1")
	if err != nil || user != "ana" || ref != "ref-a" || !exp.Equal(now.Add(12*time.Hour)) {
		t.Fatalf("read back %q %q %v, %v", user, ref, exp, err)
	}
	if _, _, _, err := db.Session(ctx, "h2"); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Errorf("an unknown session: %v", err)
	}
	// Signing out, seen by another connection to the same database at once.
	if err := db.DeleteSession(ctx, "h1"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := db.Session(ctx, "h1"); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Errorf("a session signed out: %v", err)
	}
	if err := db.DeleteSession(ctx, "h1"); err != nil {
		t.Errorf("signing out twice: %v", err)
	}
	// Ended sessions are deleted as new ones come.
	if err := db.CreateSession(ctx, "old", "bob", "ref-b", now.Add(-13*time.Hour), now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSession(ctx, "new", "bob", "ref-b", now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := db.Session(ctx, "old"); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Errorf("an ended session is kept: %v", err)
	}
}
