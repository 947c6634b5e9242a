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
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
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

	// Promotions sent to both replicas at once end with exactly one run deployed in MLflow,
	// the one the shared history recorded last.
	mc, err := mlflow.NewClient(own.URL)
	if err != nil {
		t.Fatal(err)
	}
	lg := tracking.NewLogger(mc, nil)
	var trainings []string
	for i := 1; i <= 6; i++ {
		tr := sample.TrainingRunReport()
		tr.Model, tr.Dataset = base.Model, base.Dataset
		tr.TrainingRun.ID, tr.TrainingRun.History = 100+i, nil
		id, err := lg.LogTrainingRun(context.Background(), tr)
		if err != nil {
			t.Fatal(err)
		}
		trainings = append(trainings, id)
	}
	for i, id := range trainings {
		wg.Add(1)
		go func() {
			defer wg.Done()
			url := []string{a.URL, b.URL}[i%2]
			if status, _, ans := mustAPI(t, http.MethodPost, url+"/api/experiments/runs/"+id+"/deploy/", map[string]string{"note": fmt.Sprint("replica ", i%2)}); status != http.StatusOK {
				t.Errorf("promote %s on replica %d: %d %+v", id, i%2, status, ans.Error)
			}
		}()
	}
	wg.Wait()
	h, err := store.Deployments(context.Background(), base.Model.ID, 0)
	if err != nil || len(h) != len(trainings) {
		t.Fatalf("history of %d promotions, want %d (%v)", len(h), len(trainings), err)
	}
	var deployed []string
	exp, err := mc.GetExperimentByName(context.Background(), mlexp.ExperimentName(base.Model, base.Dataset))
	if err != nil {
		t.Fatal(err)
	}
	all, err := mc.SearchRuns(context.Background(), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp.ID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		if v, _ := r.Data.Tag(tracking.TagDeployed); v == "true" {
			deployed = append(deployed, r.Info.RunID)
		}
	}
	if len(deployed) != 1 || deployed[0] != h[0].RunID {
		t.Errorf("MLflow shows %v deployed; the last recorded promotion is %s", deployed, h[0].RunID)
	}
}
