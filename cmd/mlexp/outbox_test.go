package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// outboxSeed commits quick tests of a model of their own to the store serve uses in
// dataDir: the first failed for good, the second delivered, the third pending. It returns
// their items.
func outboxSeed(t *testing.T, dataDir string) []mlexp.OutboxItem {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(dataDir, "mlexp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	model := apiModel(t)
	var items []mlexp.OutboxItem
	now := time.Now()
	for i := 1; i <= 3; i++ {
		r := sample.QuickTestReport()
		r.Model, r.QuickTest.ID = model, i
		payload, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		it, _, err := db.Enqueue(ctx, mlexp.OutboxItem{Kind: mlexp.KindQuickTest, IdempotencyKey: tracking.QuickTestKey(r),
			Payload: payload, CreatedAt: now.Add(time.Duration(i) * time.Millisecond)})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	for i, settle := range []func(id string) error{
		func(id string) error {
			return db.Fail(ctx, id, "seed", "mlflow runs/log-batch: BAD_REQUEST (HTTP 400): UNIQUE constraint failed: params.key", now)
		},
		func(id string) error { return db.Delivered(ctx, id, "seed", "run-2", now) },
	} {
		got, err := db.Claim(ctx, "seed", now.Add(time.Second), time.Minute)
		if err != nil || got == nil || got.ID != items[i].ID {
			t.Fatalf("claim = %+v, %v", got, err)
		}
		if err := settle(got.ID); err != nil {
			t.Fatal(err)
		}
	}
	return items
}

func TestOutboxHelp(t *testing.T) {
	for _, args := range [][]string{{"help", "outbox"}, {"outbox", "--help"}, {"outbox", "list", "--help"}} {
		out, err := runLog(t, map[string]string{"HOME": "/home/ada"}, nil, args...)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if m := missing(out, "mlexp outbox list", "mlexp outbox retry ID", "--status", "failed|pending|delivered|all", "--json",
			"--db", "MLEXP_DB", "--data-dir", "MLEXP_DATA_DIR"); len(m) > 0 {
			t.Errorf("%q does not mention %q:\n%s", args, m, out)
		}
	}
}

// TestOutboxListAndRetryCommands lists the items of the store serve uses and puts a failed
// one back in the queue: before, no command could, and a failed item stayed failed.
func TestOutboxListAndRetryCommands(t *testing.T) {
	dataDir := t.TempDir()
	items := outboxSeed(t, dataDir)
	failed := items[0]
	vars := map[string]string{"MLEXP_DATA_DIR": dataDir}
	run := func(args ...string) string {
		t.Helper()
		out, err := runLog(t, vars, nil, args...)
		if err != nil {
			t.Fatalf("mlexp %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	out := run("outbox", "list", "--status", "failed")
	if m := missing(out, failed.ID, failed.IdempotencyKey, "failed", "quick_test", "UNIQUE constraint" /* wrapped at 80 columns */, "mlexp outbox retry "+failed.ID); len(m) > 0 {
		t.Errorf("outbox list --status failed lacks %q:\n%s", m, out)
	}
	if strings.Contains(out, items[1].ID) || strings.Contains(out, items[2].ID) {
		t.Errorf("outbox list --status failed lists other items:\n%s", out)
	}
	var listed struct {
		Items  []mlexp.OutboxItem `json:"items"`
		Counts map[string]int     `json:"counts"`
	}
	if err := json.Unmarshal([]byte(run("outbox", "list", "--json")), &listed); err != nil {
		t.Fatal(err)
	}
	if len(listed.Items) != 3 || listed.Items[0].ID != items[2].ID || listed.Counts[mlexp.OutboxFailed] != 1 || listed.Items[2].LastError == "" {
		t.Errorf("outbox list --json = %+v", listed)
	}

	out = run("outbox", "retry", failed.ID)
	if m := missing(out, failed.ID, "pending"); len(m) > 0 {
		t.Errorf("outbox retry says %q, lacking %q", out, m)
	}
	if err := json.Unmarshal([]byte(run("outbox", "list", "--status", "pending", "--json")), &listed); err != nil {
		t.Fatal(err)
	}
	if len(listed.Items) != 2 || listed.Items[1].ID != failed.ID || listed.Items[1].Attempts != 0 || listed.Items[1].NextAttemptAt.After(time.Now()) {
		t.Errorf("after retry, pending items = %+v", listed.Items)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"outbox", "retry", failed.ID}, "has not failed: it is pending"},
		{[]string{"outbox", "retry", items[1].ID}, "has not failed: it is delivered (MLflow run run-2)"},
		{[]string{"outbox", "retry", "nope"}, "no ingest item"},
		{[]string{"outbox", "retry"}, "give the ID"},
		{[]string{"outbox", "list", "--status", "stuck"}, `--status="stuck"`},
		{[]string{"outbox", "list", "--limit", "0"}, `--limit="0"`},
		{[]string{"outbox"}, "list or retry"},
		{[]string{"outbox", "flush"}, `unknown outbox command "flush"`},
	} {
		if out, err := runLog(t, vars, nil, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("mlexp %s: %v (%s), want an error saying %q", strings.Join(tc.args, " "), err, out, tc.want)
		}
	}
	// --db (or MLEXP_DB) names the store as for serve.
	var buf bytes.Buffer
	db := filepath.Join(dataDir, "mlexp.db")
	if err := runWithInput(context.Background(), []string{"mlexp", "outbox", "list", "--db", db}, envOf(nil), nil, &buf, &buf); err != nil || !strings.Contains(buf.String(), failed.ID) {
		t.Errorf("outbox list --db: %v\n%s", err, &buf)
	}
}

// TestOutboxRetriedItemIsDeliveredByServe retries a failed item and checks that serve, on
// the same data directory, delivers it to MLflow.
func TestOutboxRetriedItemIsDeliveredByServe(t *testing.T) {
	dataDir := t.TempDir()
	failed := outboxSeed(t, dataDir)[0]
	vars := map[string]string{"MLEXP_DATA_DIR": dataDir, "MLFLOW_TRACKING_URI": mlflowServer.URL}
	if out, err := runLog(t, vars, nil, "outbox", "retry", failed.ID); err != nil {
		t.Fatalf("outbox retry: %v\n%s", err, out)
	}
	s := MustStartServe(t, vars)
	var item ingestItem
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, body := MustGet(t, s.URL+"/api/experiments/ingest/"+failed.ID)
		var a apiAnswer
		if err := json.Unmarshal([]byte(body), &a); err != nil || json.Unmarshal(a.Data, &item) != nil {
			t.Fatalf("ingest status answer: %v: %s", err, body)
		}
		if item.Status != mlexp.OutboxPending || time.Now().After(deadline) {
			break
		}
	}
	if item.Status != mlexp.OutboxDelivered || item.RunID == "" {
		t.Fatalf("the retried item is %+v, want delivered", item)
	}
	c, _ := mlflow.NewClient(mlflowServer.URL)
	run, err := c.GetRun(context.Background(), item.RunID)
	if err != nil || run.Info.Status != mlflow.StatusFinished {
		t.Fatalf("run %s: %+v, %v", item.RunID, run, err)
	}
}
