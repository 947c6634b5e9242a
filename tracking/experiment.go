package tracking

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// A model's experiment on a dataset is the MLflow experiment tagged with the model's id
// (ml_model_id) and the dataset's id (dataset_id); its name is only a readable label
// (design.md §3). Names of different models collide — two models named "recs" on "Q1",
// or ("zz-a", "b") and ("zz", "a-b") — so the experiment is always looked up by its tags,
// and when the readable name is held by another model's experiment a distinct name is
// made. An experiment that carries another model's or dataset's tags is never re-tagged.

// identity is what identifies a model's experiment on a dataset: the two ids.
type identity struct{ model, dataset string }

// experiment returns the id of the experiment of m on d: the one tagged with their ids,
// made under a free name when there is none. Known experiments cost no request.
func (l *Logger) experiment(ctx context.Context, m mlexp.Model, d mlexp.Dataset) (string, error) {
	key := identity{m.ID, d.ID}
	l.mu.Lock()
	id, ok := l.experiments[key]
	l.mu.Unlock()
	if ok {
		return id, nil
	}
	exp, err := l.findTagged(ctx, key)
	if err == nil && exp == nil {
		exp, err = l.createExperiment(ctx, m, d)
	}
	if err != nil {
		return "", err
	}
	if exp.LifecycleStage == "deleted" {
		return "", &mlexp.Error{Code: mlexp.ECONFLICT, Field: "experiment", Message: fmt.Sprintf("MLflow experiment %q (id %s) of model %s on dataset %s is deleted: "+
			"restore it in MLflow (mlflow experiments restore --experiment-id %s) or delete it permanently", exp.Name, exp.ID, m.ID, d.ID, exp.ID)}
	}
	// The readable names may have changed since the experiment was made; it is this
	// model's, so its tags follow them.
	if err := l.setMissingTags(ctx, exp, ExperimentTags(m, d)); err != nil {
		return "", err
	}
	l.remember(key, exp.ID)
	return exp.ID, nil
}

func (l *Logger) remember(key identity, experimentID string) {
	l.mu.Lock()
	l.experiments[key] = experimentID
	l.mu.Unlock()
}

// findTagged returns the experiment tagged with the identity: the oldest active one, else
// a deleted one, else nil. Tags are compared again here, exactly, whatever the collation of
// MLflow's database.
func (l *Logger) findTagged(ctx context.Context, key identity) (*mlflow.Experiment, error) {
	filter, err := mlflow.And(mlflow.Where(mlflow.Tags, TagModelID, "=", key.model), mlflow.Where(mlflow.Tags, TagDatasetID, "=", key.dataset))
	if err != nil {
		return nil, err
	}
	exps, err := l.client.SearchExperiments(ctx, mlflow.SearchExperimentsRequest{Filter: filter, ViewType: mlflow.AllViews,
		OrderBy: []string{"creation_time ASC", "experiment_id ASC"}})
	if err != nil {
		return nil, err
	}
	var deleted *mlflow.Experiment
	for i := range exps {
		e := &exps[i]
		if owner(e) != key {
			continue
		}
		if e.LifecycleStage != "deleted" {
			return e, nil
		}
		if deleted == nil {
			deleted = e
		}
	}
	return deleted, nil
}

// owner is the identity an experiment's tags give it; empty parts are tags it lacks.
func owner(e *mlflow.Experiment) identity {
	m, _ := e.Tag(TagModelID)
	d, _ := e.Tag(TagDatasetID)
	return identity{m, d}
}

// free says whether an experiment may become key's: none of its identity tags names
// another model or dataset. An untagged experiment (made by MLflow's Python client the way
// the spec's MLflowService makes it, or by hand) is free.
func free(e *mlflow.Experiment, key identity) bool {
	o := owner(e)
	return (o.model == "" || o.model == key.model) && (o.dataset == "" || o.dataset == key.dataset)
}

// createExperiment makes the experiment of m on d under the first of experimentNames that
// is free, of MLflow's kind for classic model development (TagExperimentKind). A name held by an experiment with the same tags was made by a process racing
// this one, and is used; an untagged active experiment is adopted; any other holder makes
// the next name the candidate.
func (l *Logger) createExperiment(ctx context.Context, m mlexp.Model, d mlexp.Dataset) (*mlflow.Experiment, error) {
	key, tags := identity{m.ID, d.ID}, ExperimentTags(m, d)
	names := experimentNames(m, d)
	created := append(slices.Clip(tags), mlflow.Tag{Key: TagExperimentKind, Value: KindCustomModel})
	for _, name := range names {
		id, err := l.client.CreateExperiment(ctx, name, "", created)
		if err == nil {
			return &mlflow.Experiment{ID: id, Name: name, LifecycleStage: "active", Tags: created}, nil
		}
		if !errors.Is(err, mlflow.ErrAlreadyExists) {
			return nil, err
		}
		exp, err := l.client.GetExperimentByName(ctx, name)
		if err != nil {
			return nil, err
		}
		switch {
		case owner(exp) == key:
			return exp, nil
		case exp.LifecycleStage == "deleted" || !free(exp, key):
			continue
		}
		if err := l.setMissingTags(ctx, exp, tags); err != nil {
			return nil, err
		}
		// Two models that adopt the same experiment at once both write their tags: the one
		// whose tags are not there when it reads them back leaves it to the other.
		if exp, err = l.client.GetExperiment(ctx, exp.ID); err != nil {
			return nil, err
		}
		if owner(exp) == key {
			return exp, nil
		}
	}
	return nil, &mlexp.Error{Code: mlexp.ECONFLICT, Field: "experiment", Message: fmt.Sprintf(
		"every name mlexp would give the experiment of model %s on dataset %s (%q…) is taken in MLflow by another model's experiment: "+
			"make one and attach it (mlexp attach)", m.ID, d.ID, names[0])}
}

// setMissingTags sets those of tags that exp lacks or has with another value.
func (l *Logger) setMissingTags(ctx context.Context, exp *mlflow.Experiment, tags []mlflow.Tag) error {
	for _, t := range tags {
		if v, ok := exp.Tag(t.Key); ok && v == t.Value {
			continue
		}
		if err := l.client.SetExperimentTag(ctx, exp.ID, t); err != nil {
			return err
		}
	}
	return nil
}

// experimentNames are the names the experiment of m on d may take, in this order: the
// readable "{model name}-{dataset name}" of the spec; the same followed by the two ids
// ("recs-Q1 (model recs-2, dataset q1)"); the readable name, cut to fit, followed by a
// short hash of the ids. Each is a function of the model and dataset alone, so that
// processes racing to make the same experiment try the same names in the same order and
// meet on one experiment.
func experimentNames(m mlexp.Model, d mlexp.Dataset) []string {
	readable := mlexp.ExperimentName(m, d)
	names := []string{readable}
	if withIDs := fmt.Sprintf("%s (model %s, dataset %s)", readable, m.ID, d.ID); utf8.RuneCountInString(withIDs) <= mlflow.MaxExperimentName {
		names = append(names, withIDs)
	}
	sum := sha256.Sum256([]byte(strconv.Itoa(len(m.ID)) + ":" + m.ID + strconv.Itoa(len(d.ID)) + ":" + d.ID))
	suffix := " (mlexp " + hex.EncodeToString(sum[:4]) + ")"
	return append(names, cutRunes(readable, mlflow.MaxExperimentName-len(suffix))+suffix)
}

// cutRunes returns s cut to at most n runes.
func cutRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
