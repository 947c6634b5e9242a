package tracking_test

import (
	"encoding/json"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/tracking"
)

// logModel logs a tiny pyfunc model into run with MLflow's Python client: kind logged_model
// (mlflow.pyfunc.log_model, an MLflow 3 LoggedModel) or mlmodel_dir (an MLmodel artifact
// directory). It returns the logged model's id ("" for a directory).
func (f *fleet) logModel(run, kind string) string {
	f.t.Helper()
	in, _ := json.Marshal(map[string]string{"run_id": run, "kind": kind, "name": "model"})
	out, err := srv.RunPython("log_model.py", in)
	if err != nil {
		f.t.Fatal(err)
	}
	var got struct {
		ModelID string `json:"model_id"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		f.t.Fatalf("log_model.py printed %s: %v", out, err)
	}
	return got.ModelID
}

func noModelURI(r *mlexp.TrainingRunReport) { r.TrainingRun.ModelURI = "" }

func TestRunModelIsFoundTheWaysMLflowRecordsIt(t *testing.T) {
	f := newFleet(t)
	logged := f.training(1, 0.50, noModelURI)
	loggedID := f.logModel(logged, "logged_model")
	dir := f.training(2, 0.49, noModelURI)
	f.logModel(dir, "mlmodel_dir")
	both := f.training(3, 0.48) // a model/model_uri.txt pointer and a logged model: the logged model wins
	bothID := f.logModel(both, "logged_model")
	pointer := f.training(4, 0.47)
	none := f.training(5, 0.46, noModelURI)

	want := map[string]mlexp.RunModel{
		logged:  {URI: "models:/" + loggedID, Source: mlexp.ModelSourceLoggedModel, LoggedModelID: loggedID, Name: "model"},
		dir:     {URI: "runs:/" + dir + "/model", Source: mlexp.ModelSourceMLmodelDir, Name: "model"},
		both:    {URI: "models:/" + bothID, Source: mlexp.ModelSourceLoggedModel, LoggedModelID: bothID, Name: "model"},
		pointer: {URI: "gs://retail-recs/models/4", Source: mlexp.ModelSourceURIFile},
	}
	for id, w := range want {
		run, err := f.c.GetRun(ctx(t), id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tracking.FindRunModel(ctx(t), f.c, run)
		if err != nil || got == nil || *got != w {
			t.Errorf("model of run %s: %+v, %v; want %+v", id, got, err, w)
		}
	}
	run, _ := f.c.GetRun(ctx(t), none)
	if got, err := tracking.FindRunModel(ctx(t), f.c, run); err != nil || got != nil {
		t.Errorf("model of a run without one: %+v, %v", got, err)
	}

	// Best-model selection takes the logged model, and says where it came from.
	reader := tracking.NewReader(f.c, time.Minute, time.Now, slog.New(slog.DiscardHandler))
	_, ds, err := reader.Experiment(ctx(t), f.report.Model.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	set, err := reader.Runs(ctx(t), ds.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	p := tracking.NewPromoter(f.c, openStore(t, filepath.Join(t.TempDir(), "mlexp.db")), time.Now)
	best, err := p.SelectBest(ctx(t), f.report.Model.ID, set.Runs, mlexp.BestQuery{})
	if err != nil || !best.Eligible || best.Run.RunID != logged || best.Run.ModelURI != "models:/"+loggedID ||
		best.Run.Model == nil || best.Run.Model.Source != mlexp.ModelSourceLoggedModel || best.RunnerUp.RunID != dir ||
		best.RunnerUp.Model.Source != mlexp.ModelSourceMLmodelDir {
		t.Fatalf("best %+v, runner-up %+v, %v", best.Run, best.RunnerUp, err)
	}
	// And a logged model can be promoted.
	if got, err := p.Promote(ctx(t), mlexp.PromoteRequest{RunID: logged, By: "ana"}); err != nil || !got.Changed {
		t.Errorf("promoting the run with a logged model: %+v, %v", got, err)
	}
}
