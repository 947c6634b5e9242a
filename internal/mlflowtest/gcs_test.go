package mlflowtest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/internal/pgtest"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// TestSpecTopologyPostgreSQLAndGCS runs MLflow as the spec does — a PostgreSQL backend store
// and a gs:// artifact root, here a GCS emulator — logs a full training through mlexp and a
// pyfunc model through MLflow's Python client, and checks with the Python client that
// training_curves.png and the model artifacts land in the bucket and read back; then that
// mlexp finds the logged model and promotes it, moving the champion alias.
func TestSpecTopologyPostgreSQLAndGCS(t *testing.T) {
	dir := t.TempDir()
	srv, gcs := startTopology(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	client, err := mlflow.NewClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	tr := sample.TrainingRunReport()
	tr.Model = mlexp.Model{ID: "model-gcs", Name: "retail-recs-gcs"}
	runID, err := tracking.NewLogger(client, chart.TrainingCurves).LogTrainingRun(ctx, tr)
	if err != nil {
		t.Fatalf("logging a full training: %v", err)
	}
	// Not named "model": MLflow 3's clients read runs:/<run>/model/… from the logged model of
	// that name, which would hide mlexp's model/model_uri.txt from them.
	out, err := srv.RunPython("log_model.py", []byte(`{"run_id":"`+runID+`","kind":"logged_model","name":"tiny_model"}`))
	if err != nil {
		t.Fatal(err)
	}
	var logged struct {
		ModelID  string `json:"model_id"`
		ModelURI string `json:"model_uri"`
	}
	if err := json.Unmarshal(out, &logged); err != nil {
		t.Fatal(err)
	}

	checkBucket(ctx, t, srv, client, gcs.Bucket, runID, logged.ModelID, logged.ModelURI, tr.TrainingRun.ModelURI)

	// mlexp finds the logged model first, and promotes it: the alias names its version.
	run, err := client.GetRun(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := tracking.FindRunModel(ctx, client, run); err != nil || m == nil || m.Source != mlexp.ModelSourceLoggedModel || m.LoggedModelID != logged.ModelID {
		t.Errorf("the run's model: %+v, %v", m, err)
	}
	store, err := sqlstore.Open(ctx, filepath.Join(dir, "mlexp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	p, err := tracking.NewPromoter(client, store, time.Now).Promote(ctx, mlexp.PromoteRequest{RunID: runID, By: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := client.GetModelVersionByAlias(ctx, tr.Model.Name, "champion"); err != nil || v == nil || v.Version != p.Deployment.Version || v.RunID != runID {
		t.Errorf("models:/%s@champion is %+v (%v), want version %s of the run", tr.Model.Name, v, err, p.Deployment.Version)
	}
}

// startTopology starts PostgreSQL, the GCS emulator and MLflow on both, with their data in
// dir, for the test's duration.
func startTopology(t *testing.T, dir string) (*mlflowtest.Server, *mlflowtest.Emulator) {
	t.Helper()
	root, err := mlflowtest.ProjectRoot()
	if err != nil {
		t.Fatal(err)
	}
	venv := mlflowtest.GCSVenv(root)
	gcs, err := mlflowtest.StartEmulator(venv, dir, "mlexp-artifacts")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gcs.Stop)
	pg, err := pgtest.Start()
	if err != nil {
		t.Fatalf("PostgreSQL: %v", err)
	}
	t.Cleanup(pg.Stop)
	// scripts/mlflow.sh reads the topology from the server's environment; MLflow's GCS client
	// finds the emulator through STORAGE_EMULATOR_HOST.
	t.Setenv("MLEXP_VENV", venv)
	t.Setenv("MLEXP_MLFLOW_REQUIREMENTS", mlflowtest.GCSRequirements(root))
	t.Setenv("MLEXP_MLFLOW_BACKEND_URI", mlflowtest.SQLAlchemyURL(pg.NewDatabase(t)))
	t.Setenv("MLEXP_MLFLOW_ARTIFACTS_DESTINATION", "gs://"+gcs.Bucket+"/mlflow")
	t.Setenv("STORAGE_EMULATOR_HOST", gcs.URL)
	srv, err := mlflowtest.Start(filepath.Join(dir, "mlflow"), 0)
	if err != nil {
		t.Fatalf("MLflow on PostgreSQL and GCS: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })

	return srv, gcs
}

// checkBucket checks with MLflow's Python client that the run's training_curves.png and
// model/model_uri.txt, and the logged model's files, are in the bucket and read back as
// mlexp logged them.
func checkBucket(ctx context.Context, t *testing.T, srv *mlflowtest.Server, client *mlflow.Client, bucket, runID, modelID, modelURI, pointer string) {
	t.Helper()
	// What the Python client reads back is what mlexp logged, and it is in the bucket.
	out, err := srv.RunPython("gcs_check.py", nil, bucket, runID, modelURI)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Blobs       []string `json:"blobs"`
		CurvesSHA   string   `json:"curves_sha256"`
		ModelURITxt string   `json:"model_uri_txt"`
		ModelFiles  []string `json:"model_files"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("gcs_check.py printed %s: %v", out, err)
	}
	reader := tracking.NewReader(client, time.Minute, time.Now, slog.New(slog.DiscardHandler))
	png, err := reader.TrainingCurves(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(png)
	if !strings.HasPrefix(string(png), "\x89PNG") || got.CurvesSHA != hex.EncodeToString(sum[:]) {
		t.Errorf("training_curves.png read back by the Python client has SHA-256 %s, mlexp's %x", got.CurvesSHA, sum)
	}
	if strings.TrimSpace(got.ModelURITxt) != pointer || !slices.Contains(got.ModelFiles, "MLmodel") || !slices.Contains(got.ModelFiles, "python_model.pkl") {
		t.Errorf("read back: model/model_uri.txt %q, logged model files %v", got.ModelURITxt, got.ModelFiles)
	}
	for _, want := range []string{runID + "/artifacts/training_curves.png", runID + "/artifacts/model/model_uri.txt", "models/" + modelID + "/artifacts/MLmodel"} {
		if !slices.ContainsFunc(got.Blobs, func(b string) bool { return strings.HasPrefix(b, "mlflow/") && strings.HasSuffix(b, want) }) {
			t.Errorf("the bucket has no object ending in %s: %v", want, got.Blobs)
		}
	}

}
