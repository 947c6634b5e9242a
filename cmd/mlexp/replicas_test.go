package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/internal/pgtest"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/sqlstore"
)

// TestTwoReplicasShareOnePostgres runs two `mlexp serve` processes on one PostgreSQL
// database and one MLflow: results posted to either are delivered exactly once, and
// comparisons saved on one are seen, and guarded, on the other.
func TestTwoReplicasShareOnePostgres(t *testing.T) {
	pg, err := pgtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Stop)
	db := pg.NewDatabase(t)
	own, err := mlflowtest.Start(filepath.Join(t.TempDir(), "mlflow"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = own.Stop() })
	vars := map[string]string{"MLFLOW_TRACKING_URI": own.URL, "MLEXP_DB": db, "MLEXP_INGEST_WAIT": "0s", "MLEXP_DATA_DIR": t.TempDir()}
	a, b := startChild(t, vars), startChild(t, vars)

	const n = 100
	base := sample.QuickTestReport()
	base.Model = mlexp.Model{ID: "replica-model", Name: "replica-model"}
	var wg sync.WaitGroup
	for w, url := range []string{a.URL, b.URL, a.URL, b.URL} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w + 1; i <= n; i += 4 {
				r := base
				r.QuickTest.ID = i
				body, _ := json.Marshal(r)
				resp, err := http.Post(url+"/api/experiments/quick-tests/", "application/json", bytes.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusCreated {
					t.Errorf("quick test %d: HTTP %d", i, resp.StatusCode)
				}
			}
		}()
	}
	wg.Wait()

	store, err := sqlstore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	waitFor(t, store, func(c map[string]int) bool { return c[mlexp.OutboxPending] == 0 })
	if c, _ := store.OutboxCounts(context.Background()); c[mlexp.OutboxDelivered] != n {
		t.Fatalf("outbox %v, want %d delivered", c, n)
	}
	runs := mustHoldEachResultOnce(t, own.URL, mlexp.ExperimentName(base.Model, base.Dataset), n)

	// Comparisons saved on either replica, concurrently, all visible on both.
	var created sync.Map
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			url := []string{a.URL, b.URL}[i%2]
			status, _, ans := mustAPI(t, http.MethodPost, url+"/api/experiments/comparisons/", map[string]any{
				"name": fmt.Sprintf("comparison %d", i), "model_id": base.Model.ID, "run_ids": []string{runs[i].Info.RunID, runs[i+1].Info.RunID}})
			var saved struct{ ID string }
			if status != http.StatusCreated || json.Unmarshal(ans.Data, &saved) != nil {
				t.Errorf("save on replica %d: %d %+v", i%2, status, ans.Error)
				return
			}
			created.Store(saved.ID, true)
		}(i)
	}
	wg.Wait()
	for _, url := range []string{a.URL, b.URL} {
		var list struct {
			Comparisons []struct{ ID string }
		}
		_, _, ans := mustAPI(t, http.MethodGet, url+"/api/experiments/comparisons/?model_id="+base.Model.ID, nil)
		if err := json.Unmarshal(ans.Data, &list); err != nil || len(list.Comparisons) != 20 {
			t.Errorf("replica %s lists %d comparisons, want 20", url, len(list.Comparisons))
		}
	}
}
