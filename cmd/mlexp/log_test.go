package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
)

func quickTestLines(t *testing.T, model string, ids ...int) []byte {
	var buf bytes.Buffer
	for _, id := range ids {
		r := sample.QuickTestReport()
		r.Model = mlexp.Model{ID: model, Name: model}
		r.QuickTest.ID = id
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func runLog(t *testing.T, vars map[string]string, stdin []byte, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := runWithInput(context.Background(), append([]string{"mlexp"}, args...), envOf(vars), bytes.NewReader(stdin), &stdout, &stderr)
	return stdout.String(), err
}

func TestLogQuickTestsFromJSONLines(t *testing.T) {
	model := fmt.Sprintf("cli-model-%d", time.Now().UnixNano())
	vars := map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL, "MLEXP_DATA_DIR": t.TempDir()}
	file := filepath.Join(t.TempDir(), "results.jsonl")
	if err := os.WriteFile(file, quickTestLines(t, model, 1, 2, 3), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runLog(t, vars, nil, "log", "quick-test", "-f", file)
	if err != nil {
		t.Fatalf("log: %v\n%s", err, out)
	}
	if n := strings.Count(out, "  run "); n != 3 {
		t.Errorf("output reports %d runs, want 3:\n%s", n, out)
	}

	c, _ := mlflow.NewClient(mlflowServer.URL)
	exp, err := c.GetExperimentByName(context.Background(), model+"-Q4 2024 Training Data")
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		runs, err := c.SearchRuns(context.Background(), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp.ID}})
		if err != nil {
			t.Fatal(err)
		}
		return len(runs)
	}
	if n := count(); n != 3 {
		t.Fatalf("%d runs in MLflow, want 3", n)
	}

	// The same file again, from standard input and with a fresh database: nothing new.
	vars["MLEXP_DATA_DIR"] = t.TempDir()
	if out, err := runLog(t, vars, quickTestLines(t, model, 1, 2, 3), "log", "quick-test", "-f", "-", "--json", "true"); err != nil {
		t.Fatalf("second log: %v\n%s", err, out)
	}
	if n := count(); n != 3 {
		t.Errorf("logging the same results again made %d runs, want 3", n)
	}
}

func TestLogRefusesABadFileWhole(t *testing.T) {
	model := fmt.Sprintf("cli-bad-%d", time.Now().UnixNano())
	good := quickTestLines(t, model, 1)
	bad := bytes.Replace(quickTestLines(t, model, 2), []byte(`"data_sample_percent":10`), []byte(`"data_sample_percent":150`), 1)
	bad = bytes.Replace(bad, []byte(`"recall_at_10":0.182`), []byte(`"recall_at_10":18.2`), 1) // a second mistake on the line
	typo := bytes.Replace(quickTestLines(t, model, 3), []byte(`"epochs":2`), []byte(`"epochs":"two"`), 1)
	input := append(append(append([]byte{}, good...), bad...), typo...)
	vars := map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL, "MLEXP_DATA_DIR": t.TempDir()}
	_, err := runLog(t, vars, input, "log", "quick-test", "-f", "-")
	if err == nil {
		t.Fatal("a file with bad lines was accepted")
	}
	for _, want := range []string{"nothing was queued", "-:2: quick_test.data_sample_percent", "-:2: quick_test.metrics.recall_at_10", "-:3: quick_test.epochs: must be a whole number"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	c, _ := mlflow.NewClient(mlflowServer.URL)
	if _, err := c.GetExperimentByName(context.Background(), model+"-Q4 2024 Training Data"); err == nil {
		t.Error("the good line of a refused file reached MLflow")
	}
}

func TestLogKeepsResultsQueuedWhenMLflowIsDown(t *testing.T) {
	vars := map[string]string{"MLFLOW_TRACKING_URI": "http://127.0.0.1:1", "MLEXP_DATA_DIR": t.TempDir()}
	_, err := runLog(t, vars, quickTestLines(t, "down-model", 1), "log", "quick-test", "-f", "-", "--wait", "1s")
	if err == nil || !strings.Contains(err.Error(), "1 still queued") {
		t.Fatalf("err = %v, want it to say the result is still queued", err)
	}
}

// TestLogTakesAFileArgumentAndABareJSONFlag: `mlexp log quick-test FILE --json` logs FILE
// and prints the items as JSON, as --json does elsewhere; without FILE the results come
// from standard input.
func TestLogTakesAFileArgumentAndABareJSONFlag(t *testing.T) {
	model := fmt.Sprintf("cli-arg-%d", time.Now().UnixNano())
	vars := map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL, "MLEXP_DATA_DIR": t.TempDir()}
	file := filepath.Join(t.TempDir(), "results.jsonl")
	if err := os.WriteFile(file, quickTestLines(t, model, 1, 2), 0o600); err != nil {
		t.Fatal(err)
	}
	items := func(out string) []mlexp.OutboxItem {
		t.Helper()
		var list []mlexp.OutboxItem
		dec := json.NewDecoder(strings.NewReader(out))
		for dec.More() {
			var it mlexp.OutboxItem
			if err := dec.Decode(&it); err != nil {
				t.Fatalf("output is not JSON items: %v\n%s", err, out)
			}
			list = append(list, it)
		}
		return list
	}
	out, err := runLog(t, vars, nil, "log", "quick-test", file, "--json")
	if err != nil {
		t.Fatalf("log FILE --json: %v\n%s", err, out)
	}
	first := items(out)
	if len(first) != 2 || first[0].Status != mlexp.OutboxDelivered || first[0].RunID == "" {
		t.Fatalf("log FILE --json printed %+v, want 2 delivered items", first)
	}
	out, err = runLog(t, vars, quickTestLines(t, model, 1, 2), "log", "quick-test", "--json")
	if err != nil {
		t.Fatalf("log --json from stdin: %v\n%s", err, out)
	}
	if again := items(out); len(again) != 2 || again[0].RunID != first[0].RunID || again[1].RunID != first[1].RunID {
		t.Errorf("the same results from stdin gave %+v, want the runs %s and %s", again, first[0].RunID, first[1].RunID)
	}
	if _, err := runLog(t, vars, nil, "log", "quick-test", file, "-f", file+".other"); err == nil || !strings.Contains(err.Error(), "give one") {
		t.Errorf("two inputs: err = %v, want a refusal", err)
	}
}
