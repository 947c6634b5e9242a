package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlmdtest"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// lineageRuns are MLflow runs with an ML Metadata store that links them: ext by its run id
// (an execution's external_id), tagged by its mlmd.execution_id tag (logged through the
// report's lineage ids), uri by its model URI; none has no link.
type lineageRuns struct {
	model, store            string
	written                 map[string]mlmdtest.Written
	ext, tagged, uri, plain string
}

func seedLineage(t *testing.T) lineageRuns {
	t.Helper()
	client, err := mlflow.NewClient(mlflowServer.URL)
	if err != nil {
		t.Fatal(err)
	}
	logger := tracking.NewLogger(client, nil)
	model := fmt.Sprintf("lineage-model-%d", time.Now().UnixNano())
	id := 0
	logRun := func(uri string, lineage *mlexp.LineageIDs) string {
		r := sample.TrainingRunReport()
		r.Model = mlexp.Model{ID: model, Name: "Lineage Model"}
		id++
		r.TrainingRun.ID, r.TrainingRun.ModelURI, r.TrainingRun.Lineage = id, uri, lineage
		run, err := logger.LogTrainingRun(t.Context(), r)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	l := lineageRuns{model: model}
	l.ext = logRun("gs://lineage/"+model+"/ext", nil)
	l.uri = logRun("gs://lineage/"+model+"/uri", nil)
	l.plain = logRun("gs://lineage/"+model+"/plain", nil)
	l.store, l.written = mlmdtest.WriteSQLite(t, mlmdtest.Spec{Trainings: []mlmdtest.Training{
		{Key: "ext", RunID: l.ext, Link: "external_id", Span: 3, Blessed: true, Pushed: true},
		{Key: "uri", RunID: l.uri, Link: "uri", ModelURI: "gs://lineage/" + model + "/uri"},
		{Key: "tagged", Link: "none", Base: "ext"},
	}})
	l.tagged = logRun("", &mlexp.LineageIDs{ExecutionID: l.written["tagged"].ExecutionID})
	return l
}

// TestLineageCommandAndAPI: `mlexp lineage RUN --json` and the API answer the graph the
// ml-metadata library wrote, found each way; a run with no link says so; without a store,
// or with a store of another schema version, lineage says why it is off and the rest works.
func TestLineageCommandAndAPI(t *testing.T) {
	l := seedLineage(t)
	for _, c := range []struct{ run, key, by string }{
		{l.ext, "ext", mlexp.LinkExternalID},
		{l.uri, "uri", mlexp.LinkModelURI},
		{l.tagged, "tagged", mlexp.LinkExecutionTag},
	} {
		var got mlexp.Lineage
		if err := json.Unmarshal([]byte(mustQuery(t, "lineage", c.run, "--json", "--mlmd-db", l.store)), &got); err != nil {
			t.Fatal(err)
		}
		if got.LinkedBy != c.by || len(got.Nodes) != len(l.written[c.key].Nodes) || len(got.Edges) != len(l.written[c.key].Edges) {
			t.Errorf("lineage of %s: linked by %q with %d nodes, %d edges; want %q, %d, %d", c.key, got.LinkedBy, len(got.Nodes), len(got.Edges),
				c.by, len(l.written[c.key].Nodes), len(l.written[c.key].Edges))
		}
	}
	text := mustQuery(t, "lineage", l.ext, "--mlmd-db", l.store, "--color", "never", "--width", "200")
	for _, want := range []string{"found by an execution whose external_id is the run id", "Trainer  trainer-ext", "[this run's model]", "span=3", "PushedModel  pushed-ext"} {
		if !strings.Contains(text, want) {
			t.Errorf("lineage text lacks %q:\n%s", want, text)
		}
	}
	if text := mustQuery(t, "lineage", l.plain, "--mlmd-db", l.store); !strings.Contains(text, "has no lineage in ML Metadata") {
		t.Errorf("a run with no link:\n%s", text)
	}
	if _, stderr, err := runQuery(t, "lineage", l.ext); err == nil || !strings.Contains(err.Error()+stderr, "--mlmd-db") {
		t.Errorf("lineage without a store: %v\n%s", err, stderr)
	}
	checkLineageCompare(t, l)
	checkBlessingGate(t, l)
	checkLineageAPI(t, l)
}

// checkBlessingGate: with --require-blessing only the blessed run (ext) may be picked, and
// the answer carries its blessing and push; without a store the gate is refused.
func checkBlessingGate(t *testing.T, l lineageRuns) {
	var ans struct {
		Eligible bool `json:"eligible"`
		Run      struct {
			RunID string `json:"run_id"`
		} `json:"run"`
		MLMD struct {
			RequireBlessing bool                `json:"require_blessing"`
			Run             *mlexp.ModelRecords `json:"run"`
		} `json:"mlmd"`
	}
	out := mustQuery(t, "best", l.model, "--require-blessing", "true", "--mlmd-db", l.store, "--json")
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatal(err)
	}
	if !ans.Eligible || ans.Run.RunID != l.ext || !ans.MLMD.RequireBlessing || ans.MLMD.Run == nil || !ans.MLMD.Run.Blessed || len(ans.MLMD.Run.Pushes) != 1 {
		t.Errorf("best with the blessing gate: %s", out)
	}
	text := mustQuery(t, "best", l.model, "--require-blessing", "true", "--mlmd-db", l.store)
	if !strings.Contains(text, "ML Metadata, picked run: blessed, 1 push(es)") || !strings.Contains(text, "pushed gs://serving/ext") {
		t.Errorf("best text lacks the ML Metadata records:\n%s", text)
	}
	if _, _, err := runQuery(t, "best", l.model, "--require-blessing", "true"); err == nil || !strings.Contains(err.Error(), "--mlmd-db") {
		t.Errorf("the blessing gate without a store: %v", err)
	}
}

// checkLineageCompare: runs trained on different spans are not compared like for like; a
// run with no lineage does not count as different.
func checkLineageCompare(t *testing.T, l lineageRuns) {
	var c mlexp.Comparison
	if err := json.Unmarshal([]byte(mustQuery(t, "compare", l.ext, l.tagged, "--json", "--mlmd-db", l.store)), &c); err != nil {
		t.Fatal(err)
	}
	if c.Lineage == nil || c.Lineage.LikeForLike || len(c.Lineage.Differences) != 1 || c.Lineage.Differences[0].What != "data span" ||
		c.Lineage.Differences[0].Values[l.ext] != "3" || c.Lineage.Differences[0].Values[l.tagged] != "1" {
		t.Errorf("compare of spans 3 and 1: lineage %+v", c.Lineage)
	}
	text := mustQuery(t, "compare", l.ext, l.tagged, "--mlmd-db", l.store, "--color", "never", "--width", "200")
	if !strings.Contains(text, "Not a like-for-like comparison: the runs were trained on different data span (3 vs 1).") {
		t.Errorf("compare text lacks the lineage warning:\n%s", text)
	}
	if err := json.Unmarshal([]byte(mustQuery(t, "compare", l.ext, l.plain, "--json", "--mlmd-db", l.store)), &c); err != nil {
		t.Fatal(err)
	}
	if c.Lineage == nil || !c.Lineage.LikeForLike || len(c.Lineage.Unlinked) != 1 || c.Lineage.Unlinked[0] != l.plain {
		t.Errorf("compare with a run with no lineage: %+v", c.Lineage)
	}
}

func checkLineageAPI(t *testing.T, l lineageRuns) {
	srv := MustStartServe(t, map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL, "MLEXP_MLMD_DB": l.store})
	status, body := MustGet(t, srv.URL+"/api/experiments/runs/"+l.ext+"/lineage/")
	if status != 200 || !strings.Contains(body, `"linked_by":"execution_external_id"`) {
		t.Errorf("GET lineage: %d %s", status, body)
	}
	// The run page draws the graph, or says there is none.
	if status, body := MustGet(t, srv.URL+"/runs/"+l.ext+"/"); status != 200 || !strings.Contains(body, `class="mlexp-lineage"`) || !strings.Contains(body, "trainer-ext") {
		t.Errorf("the run page has no lineage graph: %d\n%s", status, body)
	}
	if _, body := MustGet(t, srv.URL+"/runs/"+l.plain+"/"); !strings.Contains(body, "This run has no lineage in ML Metadata") {
		t.Errorf("the page of a run with no link does not say so:\n%s", body)
	}
	if _, body := MustGet(t, srv.URL+"/compare/?run_ids="+l.ext+","+l.tagged); !strings.Contains(body, "Not a like-for-like comparison") {
		t.Errorf("the comparison page lacks the lineage warning:\n%s", body)
	}
	// The deployments page shows the deployed run's blessing and push.
	resp, err := http.Post(srv.URL+"/api/experiments/runs/"+l.ext+"/deploy/", "application/json", strings.NewReader(`{}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("deploy: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, body := MustGet(t, srv.URL+"/models/"+l.model+"/deployments/"); !strings.Contains(body, "ML Metadata: ✓ blessed") ||
		!strings.Contains(body, "pushed to <code>gs://serving/ext</code>") {
		t.Errorf("the deployments page lacks the deployed run's ML Metadata records:\n%s", body)
	}
	// A store of another schema version: lineage is off, with the reason, and nothing else is.
	db, err := sql.Open("sqlite", l.store)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE MLMDEnv SET schema_version = 9`); err != nil {
		t.Fatal(err)
	}
	old := MustStartServe(t, map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL, "MLEXP_MLMD_DB": l.store})
	status, body = MustGet(t, old.URL+"/api/experiments/runs/"+l.ext+"/lineage")
	if status != 503 || !strings.Contains(body, "schema version 9") {
		t.Errorf("GET lineage with a store of schema 9: %d %s", status, body)
	}
	if status, body := MustGet(t, old.URL+"/runs/"+l.ext+"/"); status != 200 || !strings.Contains(body, "Lineage is not available") || !strings.Contains(body, "schema version 9") {
		t.Errorf("the run page with lineage off: %d %s", status, body)
	}
	if !strings.Contains(old.logs.String(), "lineage is off") {
		t.Errorf("serve did not log why lineage is off:\n%s", old.logs)
	}
}
