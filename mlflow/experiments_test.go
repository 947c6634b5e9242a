package mlflow_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp/mlflow"
)

func TestExperimentLifecycle(t *testing.T) {
	c := newClient(t)
	name := uniqueName(t)
	tags := []mlflow.Tag{{Key: "ml_model_id", Value: "model-7"}, {Key: "dataset_id", Value: "dataset-001"}}
	id, err := c.CreateExperiment(ctx(t), name, "", tags)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetExperiment(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != name || got.ID != id || got.LifecycleStage != "active" {
		t.Fatalf("GetExperiment = %+v, want name %q id %q active", got, name, id)
	}
	if v, _ := got.Tag("ml_model_id"); v != "model-7" {
		t.Errorf("tag ml_model_id = %q, want model-7", v)
	}
	if !strings.HasPrefix(got.ArtifactLocation, "mlflow-artifacts:") {
		t.Errorf("artifact location %q is not proxied", got.ArtifactLocation)
	}

	byName, err := c.GetExperimentByName(ctx(t), name)
	if err != nil || byName.ID != id {
		t.Fatalf("GetExperimentByName = %+v, %v; want id %s", byName, err, id)
	}

	if err := c.SetExperimentTag(ctx(t), id, mlflow.Tag{Key: "dataset_name", Value: "Q4 2024"}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetExperiment(ctx(t), id)
	if v, _ := got.Tag("dataset_name"); v != "Q4 2024" {
		t.Errorf("after SetExperimentTag, dataset_name = %q", v)
	}

	_, err = c.CreateExperiment(ctx(t), name, "", nil)
	if !errors.Is(err, mlflow.ErrAlreadyExists) {
		t.Errorf("creating %q twice: err = %v, want ErrAlreadyExists", name, err)
	}
	var me *mlflow.Error
	if !errors.As(err, &me) || me.Code != "RESOURCE_ALREADY_EXISTS" || me.HTTPStatus != 400 {
		t.Errorf("error %#v does not keep MLflow's code and status", me)
	}
}

func TestGetExperimentByNameNotFound(t *testing.T) {
	c := newClient(t)
	_, err := c.GetExperimentByName(ctx(t), "no such experiment "+uniqueName(t))
	if !errors.Is(err, mlflow.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if errors.Is(err, mlflow.ErrUnavailable) || errors.Is(err, mlflow.ErrInvalidParameter) {
		t.Errorf("not-found error also matches other kinds: %v", err)
	}
}

func TestSearchExperimentsFilterOrderAndPaging(t *testing.T) {
	c := newClient(t)
	model := uniqueName(t) // a tag value no other test uses
	var ids []string
	for i := 0; i < 5; i++ {
		id, err := c.CreateExperiment(ctx(t), uniqueName(t), "", []mlflow.Tag{{Key: "ml_model_id", Value: model}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	mustExperiment(t, c) // one without the tag, which the filter must leave out
	filter, err := mlflow.And(mlflow.Where(mlflow.Tags, "ml_model_id", "=", model))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.SearchExperiments(ctx(t), mlflow.SearchExperimentsRequest{Filter: filter, OrderBy: []string{"creation_time ASC"}, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ids) {
		t.Fatalf("search found %d experiments over pages of 2, want %d", len(got), len(ids))
	}
	for i, e := range got {
		if e.ID != ids[i] {
			t.Errorf("experiment %d = %s, want %s (creation order)", i, e.ID, ids[i])
		}
	}
}

func TestExperimentValidation(t *testing.T) {
	c := newClient(t)
	_, err := c.CreateExperiment(ctx(t), "", "", nil)
	var ve *mlflow.ValidationError
	if !errors.As(err, &ve) || ve.Field != "name" {
		t.Errorf("empty name: err = %v, want a ValidationError on name", err)
	}
	_, err = c.CreateExperiment(ctx(t), uniqueName(t), "", []mlflow.Tag{{Key: "bad,key", Value: "x"}})
	if !errors.As(err, &ve) || ve.Field != "tags[0].key" {
		t.Errorf("bad tag key: err = %v, want a ValidationError on tags[0].key", err)
	}
}

func TestPingAndHealth(t *testing.T) {
	if err := newClient(t).Ping(ctx(t)); err != nil {
		t.Fatalf("Ping on a running server: %v", err)
	}
	dead, err := mlflow.NewClient("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := dead.Ping(ctx(t)); !errors.Is(err, mlflow.ErrUnavailable) {
		t.Fatalf("Ping of a closed port: err = %v, want ErrUnavailable", err)
	}
}
