package mlflow_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/mlexp-dev/mlexp/mlflow"
)

func TestLoggedModelsAndRegistry(t *testing.T) {
	c := newClient(t)
	exp := mustExperiment(t, c)
	run := mustRun(t, c, exp, "trainer")
	other := mustRun(t, c, exp, "other")
	out, err := srv.RunPython("log_model.py", []byte(`{"run_id":"`+run.Info.RunID+`","kind":"logged_model","name":"model"}`))
	if err != nil {
		t.Fatal(err)
	}
	var logged struct {
		ModelID string `json:"model_id"`
	}
	if err := json.Unmarshal(out, &logged); err != nil {
		t.Fatal(err)
	}
	models, err := c.SearchLoggedModels(ctx(t), []string{exp}, run.Info.RunID)
	if err != nil || len(models) != 1 || models[0].Info.ModelID != logged.ModelID || models[0].Info.SourceRunID != run.Info.RunID ||
		models[0].Info.Status != mlflow.LoggedModelReady || models[0].Info.URI() != "models:/"+logged.ModelID {
		t.Fatalf("logged models of the run: %+v, %v", models, err)
	}
	if none, err := c.SearchLoggedModels(ctx(t), []string{exp}, other.Info.RunID); err != nil || len(none) != 0 {
		t.Errorf("logged models of a run without: %+v, %v", none, err)
	}

	name := uniqueName(t)
	if err := c.EnsureRegisteredModel(ctx(t), name); err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureRegisteredModel(ctx(t), name); err != nil {
		t.Errorf("ensuring an existing registered model: %v", err)
	}
	if _, err := c.CreateRegisteredModel(ctx(t), name); !errors.Is(err, mlflow.ErrAlreadyExists) {
		t.Errorf("creating it again: %v", err)
	}
	v1, err := c.CreateModelVersion(ctx(t), mlflow.CreateModelVersionRequest{Name: name, Source: models[0].Info.URI(), RunID: run.Info.RunID, ModelID: logged.ModelID})
	if err != nil || v1.Version != "1" {
		t.Fatalf("version 1: %+v, %v", v1, err)
	}
	v2, err := c.CreateModelVersion(ctx(t), mlflow.CreateModelVersionRequest{Name: name, Source: "gs://bucket/models/2", RunID: other.Info.RunID})
	if err != nil || v2.Version != "2" {
		t.Fatalf("version 2: %+v, %v", v2, err)
	}
	if vs, err := c.SearchModelVersions(ctx(t), name, run.Info.RunID); err != nil || len(vs) != 1 || vs[0].Version != "1" {
		t.Errorf("versions of the run: %+v, %v", vs, err)
	}
	if mv, err := c.GetModelVersionByAlias(ctx(t), name, "champion"); err != nil || mv != nil {
		t.Errorf("alias before it is set: %+v, %v", mv, err)
	}
	if mv, err := c.GetModelVersionByAlias(ctx(t), name+"-missing", "champion"); err != nil || mv != nil {
		t.Errorf("alias of a missing registered model: %+v, %v", mv, err)
	}
	if err := c.SetRegisteredModelAlias(ctx(t), name, "champion", "2"); err != nil {
		t.Fatal(err)
	}
	if mv, err := c.GetModelVersionByAlias(ctx(t), name, "champion"); err != nil || mv == nil || mv.Version != "2" || mv.RunID != other.Info.RunID {
		t.Errorf("alias after it is set: %+v, %v", mv, err)
	}
	if err := c.DeleteRegisteredModelAlias(ctx(t), name, "champion"); err != nil {
		t.Fatal(err)
	}
	if mv, err := c.GetModelVersionByAlias(ctx(t), name, "champion"); err != nil || mv != nil {
		t.Errorf("alias after it is deleted: %+v, %v", mv, err)
	}
}
