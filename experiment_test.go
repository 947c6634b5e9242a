package mlexp_test

import (
	"errors"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// TestRunSetDerive checks that a snapshot computes a derived value once per key, keeps no
// error, and that a RunSet made without NewRunSet computes every time.
func TestRunSetDerive(t *testing.T) {
	set := mlexp.NewRunSet("1", nil, time.Now())
	calls := 0
	count := func() (any, error) { calls++; return calls, nil }
	if v, _ := set.Derive("a", count); v != 1 {
		t.Fatalf("first value %v, want 1", v)
	}
	if v, _ := set.Derive("a", count); v != 1 || calls != 1 {
		t.Errorf("second call: %v after %d computations, want the kept 1", v, calls)
	}
	if v, _ := set.Derive("b", count); v != 2 {
		t.Errorf("another key: %v, want 2", v)
	}
	boom := errors.New("boom")
	if _, err := set.Derive("c", func() (any, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("error %v, want boom", err)
	}
	if v, err := set.Derive("c", count); err != nil || v != 3 {
		t.Errorf("after an error: %v, %v; want computed anew", v, err)
	}
	stale := *set // a stale copy of the same runs shares what was derived
	if v, _ := stale.Derive("a", count); v != 1 {
		t.Errorf("a copy of the snapshot: %v, want the kept 1", v)
	}
	bare := &mlexp.RunSet{}
	bare.Derive("a", count)
	if v, _ := bare.Derive("a", count); v != 5 {
		t.Errorf("a RunSet not made by NewRunSet kept %v", v)
	}
	for i := range 100 { // bounded: values past the bound are computed, not kept
		set.Derive(i, count)
	}
	before := calls
	set.Derive(0, count)
	set.Derive(99, count)
	set.Derive(99, count)
	if calls-before != 2 {
		t.Errorf("%d computations for a kept key and twice a key past the bound, want 2", calls-before)
	}
}
