package main

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
)

// TestServeReadsMLflowDatabase: with --mlflow-db, the run index reads the experiment from
// MLflow's database (the dashboard and /metrics say so, /readyz notes it); a database at a
// schema revision mlexp does not read is noted on /readyz and logged, and the same page is
// served through MLflow's API.
func TestServeReadsMLflowDatabase(t *testing.T) {
	q := sample.QuickTestReport()
	q.Model = mlexp.Model{ID: "db-path-model", Name: "db-path-model"}
	vars := map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL, "MLEXP_INGEST_WAIT": "10s", "MLEXP_MLFLOW_DB": mlflowServer.SQLitePath()}
	s := MustStartServe(t, vars)
	if status, _, ans := mustAPI(t, http.MethodPost, s.URL+"/api/experiments/quick-tests/", q); status != http.StatusCreated {
		t.Fatalf("logging a quick test: %d %+v", status, ans.Error)
	}
	page := "/models/" + q.Model.ID + "/?dataset_id=" + q.Dataset.ID
	if body := waitForStatus(t, s.URL+page, http.StatusOK, 30*time.Second); !strings.Contains(body, "read from MLflow's database") {
		t.Errorf("the dashboard does not say its runs were read from MLflow's database:\n%s", footer(body))
	}
	if r := readyNote(t, s.URL); r != "in use (SQLite)" {
		t.Errorf("/readyz note on MLflow's database = %q", r)
	}
	if db, rest := indexReads(t, s.URL); db == 0 || rest != 0 {
		t.Errorf("/metrics: %d reads from the database, %d through REST; want only the database", db, rest)
	}
	if !strings.Contains(s.logs.String(), "reads MLflow's database") {
		t.Errorf("no log line says MLflow's database is read:\n%s", s.logs)
	}
	_ = s.stop(t)

	// The same store at a schema revision mlexp does not read: REST serves.
	old := filepath.Join(t.TempDir(), "mlflow.db")
	b, err := os.ReadFile(mlflowServer.SQLitePath())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, b, 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := sql.Open("sqlite", old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`UPDATE alembic_version SET version_num = 'f00dfeed1234'`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	vars["MLEXP_MLFLOW_DB"] = old
	s = MustStartServe(t, vars)
	if body := waitForStatus(t, s.URL+page, http.StatusOK, 30*time.Second); strings.Contains(body, "MLflow's database") || !strings.Contains(body, q.Model.Name) {
		t.Errorf("the dashboard served through REST says otherwise:\n%s", footer(body))
	}
	if r := readyNote(t, s.URL); !strings.HasPrefix(r, "off: schema revision f00dfeed1234 is not one mlexp reads") {
		t.Errorf("/readyz note on MLflow's database = %q", r)
	}
	if db, rest := indexReads(t, s.URL); db != 0 || rest == 0 {
		t.Errorf("/metrics: %d reads from the database, %d through REST; want only REST", db, rest)
	}
	if l := s.logs.String(); !strings.Contains(l, "f00dfeed1234") || !strings.Contains(l, "read through MLflow's API") {
		t.Errorf("no log line says why MLflow's database is not read:\n%s", l)
	}
}

func footer(page string) string {
	if i := strings.Index(page, "<footer"); i >= 0 {
		return page[i:]
	}
	return page
}

func readyNote(t *testing.T, base string) string {
	t.Helper()
	_, body := MustGet(t, base+"/readyz")
	var a struct {
		Data struct{ Notes map[string]string }
	}
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("/readyz: %v: %s", err, body)
	}
	return a.Data.Notes[mlflowDBNote]
}

var indexReadLine = regexp.MustCompile(`(?m)^mlexp_index_reads_total\{path="(database|rest)"\} (\d+)`)

// indexReads are the counts of mlexp_index_reads_total by path.
func indexReads(t *testing.T, base string) (db, rest int) {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, m := range indexReadLine.FindAllStringSubmatch(string(b), -1) {
		n, _ := strconv.Atoi(m[2])
		if m[1] == "database" {
			db = n
		} else {
			rest = n
		}
	}
	return db, rest
}
