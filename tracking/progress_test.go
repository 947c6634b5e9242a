package tracking_test

import (
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// TestReadWithProgressTellsHowFarItHasGot reads an experiment page by page, as the CLI
// does, and checks that progress rises to every run.
func TestReadWithProgressTellsHowFarItHasGot(t *testing.T) {
	c := client(t, srv.URL, mlflow.WithSearchPageSize(3))
	id, err := c.CreateExperiment(ctx(t), fmt.Sprintf("progress-%d", time.Now().UnixNano()), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		if _, err := c.CreateRun(ctx(t), mlflow.CreateRunRequest{ExperimentID: id, StartTime: time.Now().Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var seen []int
	r := tracking.NewReader(c, time.Minute, time.Now, slog.New(slog.DiscardHandler), tracking.ReadWithProgress(func(read int) {
		mu.Lock()
		seen = append(seen, read)
		mu.Unlock()
	}))
	set, err := r.Runs(ctx(t), id)
	if err != nil || len(set.Runs) != 8 {
		t.Fatalf("read %v, %v", set, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 3 || seen[len(seen)-1] != 8 {
		t.Errorf("progress %v, want it to rise page by page to 8", seen)
	}
}
