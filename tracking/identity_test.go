package tracking_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// The tags, never the name, identify a model's experiment (design.md §3): these tests log
// results of models whose readable experiment names collide and check that each lands in
// an experiment tagged with its own model and dataset, and that no experiment of another
// model is ever re-tagged.

// identityReport is the sample quick test for model (id, name) on dataset (id, name); ids
// and names get a suffix unique to the test run so that the shared server stays clean.
func identityReport(uniq, modelID, modelName, datasetID, datasetName string) mlexp.QuickTestReport {
	r := sample.QuickTestReport()
	r.Model = mlexp.Model{ID: modelID + uniq, Name: modelName + uniq}
	r.Dataset = mlexp.Dataset{ID: datasetID, Name: datasetName}
	return r
}

func identityUniq() string { return fmt.Sprintf("-%d-%d", time.Now().UnixNano(), seq.Add(1)) }

// mustExperimentOf logs r and returns the experiment its run landed in.
func mustExperimentOf(t *testing.T, l *tracking.Logger, r mlexp.QuickTestReport) *mlflow.Experiment {
	t.Helper()
	runID, err := l.LogQuickTest(ctx(t), r)
	if err != nil {
		t.Fatalf("logging %s on %s: %v", r.Model.ID, r.Dataset.ID, err)
	}
	c := client(t, srv.URL)
	run, err := c.GetRun(ctx(t), runID)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := c.GetExperiment(ctx(t), run.Info.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	return exp
}

// checkIdentityTags fails unless exp carries the tags of r's model and dataset.
func checkIdentityTags(t *testing.T, exp *mlflow.Experiment, r mlexp.QuickTestReport) {
	t.Helper()
	for k, want := range map[string]string{tracking.TagModelID: r.Model.ID, tracking.TagModelName: r.Model.Name,
		tracking.TagDatasetID: r.Dataset.ID, tracking.TagDatasetName: r.Dataset.Name} {
		if v, _ := exp.Tag(k); v != want {
			t.Errorf("experiment %s (%q): tag %s = %q, want %q", exp.ID, exp.Name, k, v, want)
		}
	}
}

func TestModelsNamedAlikeGetExperimentsOfTheirOwn(t *testing.T) {
	uniq := identityUniq()
	a := identityReport(uniq, "recs-a", "recs", "Q1", "Q1")
	b := identityReport(uniq, "recs-b", "recs", "Q1", "Q1")
	for _, tc := range []struct {
		name   string
		second func() *tracking.Logger
	}{
		{"one process", nil},
		{"a cold process", func() *tracking.Logger { return newLogger(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := a, b
			a.Model.ID += "-" + tc.name[:5]
			b.Model.ID += "-" + tc.name[:5]
			a.Model.Name += tc.name[:5]
			b.Model.Name += tc.name[:5]
			first := newLogger(t)
			second := first
			if tc.second != nil {
				second = tc.second()
			}
			expA := mustExperimentOf(t, first, a)
			expB := mustExperimentOf(t, second, b)
			if expA.ID == expB.ID {
				t.Fatalf("models %s and %s share experiment %s (%q)", a.Model.ID, b.Model.ID, expA.ID, expA.Name)
			}
			if expA.Name != mlexp.ExperimentName(a.Model, a.Dataset) {
				t.Errorf("the first model's experiment is %q, want the readable %q", expA.Name, mlexp.ExperimentName(a.Model, a.Dataset))
			}
			// The first experiment keeps its tags: the second model never re-tagged it.
			expA, err := client(t, srv.URL).GetExperiment(ctx(t), expA.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkIdentityTags(t, expA, a)
			checkIdentityTags(t, expB, b)
			// Both models answer, each with its own run.
			reader := tracking.NewReader(client(t, srv.URL), time.Minute, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
			for _, r := range []mlexp.QuickTestReport{a, b} {
				_, d, err := reader.Experiment(ctx(t), r.Model.ID, r.Dataset.ID)
				if err != nil {
					t.Fatalf("model %s: %v", r.Model.ID, err)
				}
				set, err := reader.Runs(ctx(t), d.ExperimentID)
				if err != nil || len(set.Runs) != 1 {
					t.Errorf("model %s reads %d runs, %v; want its one run", r.Model.ID, len(set.Runs), err)
				}
			}
			// Logging again finds each model's experiment by its tags.
			a2, b2 := a, b
			a2.QuickTest.ID, b2.QuickTest.ID = 9, 9
			if again := mustExperimentOf(t, newLogger(t), b2); again.ID != expB.ID {
				t.Errorf("a cold logger put model %s's next run in %s, want %s", b.Model.ID, again.ID, expB.ID)
			}
			if again := mustExperimentOf(t, second, a2); again.ID != expA.ID {
				t.Errorf("model %s's next run went to %s, want %s", a.Model.ID, again.ID, expA.ID)
			}
		})
	}
}

func TestNamesThatCollideAcrossTheHyphenAreTwoExperiments(t *testing.T) {
	uniq := identityUniq()
	// ("zz-a", "b") and ("zz", "a-b") both read "zz-a-b".
	r1 := sample.QuickTestReport()
	r1.Model, r1.Dataset = mlexp.Model{ID: "zz-a" + uniq, Name: "zz" + uniq + "-a"}, mlexp.Dataset{ID: "b", Name: "b"}
	r2 := sample.QuickTestReport()
	r2.Model, r2.Dataset = mlexp.Model{ID: "zz" + uniq, Name: "zz" + uniq}, mlexp.Dataset{ID: "a-b", Name: "a-b"}
	if mlexp.ExperimentName(r1.Model, r1.Dataset) != mlexp.ExperimentName(r2.Model, r2.Dataset) {
		t.Fatal("the test's names do not collide")
	}
	e1 := mustExperimentOf(t, newLogger(t), r1)
	e2 := mustExperimentOf(t, newLogger(t), r2)
	if e1.ID == e2.ID {
		t.Fatalf("(%s, %s) and (%s, %s) share experiment %q", r1.Model.Name, r1.Dataset.Name, r2.Model.Name, r2.Dataset.Name, e1.Name)
	}
	e1, _ = client(t, srv.URL).GetExperiment(ctx(t), e1.ID)
	checkIdentityTags(t, e1, r1)
	checkIdentityTags(t, e2, r2)
}

// Experiments made before names were made distinct — named "{model}-{dataset}" and tagged —
// and experiments attached by hand under any name are found by their tags.
func TestExperimentsAreFoundByTheirTagsWhateverTheirName(t *testing.T) {
	uniq := identityUniq()
	r := identityReport(uniq, "tagged", "tagged", "ds", "ds")
	c := client(t, srv.URL)
	id, err := c.CreateExperiment(ctx(t), "named by hand"+uniq, "", tracking.ExperimentTags(r.Model, r.Dataset))
	if err != nil {
		t.Fatal(err)
	}
	if exp := mustExperimentOf(t, newLogger(t), r); exp.ID != id {
		t.Errorf("run went to experiment %s (%q), want the tagged %s", exp.ID, exp.Name, id)
	}
	if _, err := c.GetExperimentByName(ctx(t), mlexp.ExperimentName(r.Model, r.Dataset)); err == nil {
		t.Error("the logger made a second experiment under the readable name")
	}

	// An untagged experiment under the readable name (made by MLflow's Python client as the
	// spec's MLflowService does) is adopted: it is nobody's yet.
	r2 := identityReport(uniq, "python", "python", "ds", "ds")
	id2, err := c.CreateExperiment(ctx(t), mlexp.ExperimentName(r2.Model, r2.Dataset), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	exp := mustExperimentOf(t, newLogger(t), r2)
	if exp.ID != id2 {
		t.Errorf("run went to experiment %s, want the untagged %s of the same name", exp.ID, id2)
	}
	checkIdentityTags(t, exp, r2)
}

// Processes that log the first results of two models named alike at the same time each end
// in their model's experiment, and those of one model share one experiment.
func TestConcurrentFirstResultsPickTheSameExperiments(t *testing.T) {
	uniq := identityUniq()
	reports := []mlexp.QuickTestReport{
		identityReport(uniq, "race-a", "race", "ds", "ds"), identityReport(uniq, "race-b", "race", "ds", "ds"),
		identityReport(uniq, "race-a", "race", "ds", "ds"), identityReport(uniq, "race-b", "race", "ds", "ds"),
	}
	runIDs := make([]string, len(reports))
	errs := make([]error, len(reports))
	var wg sync.WaitGroup
	for i := range reports {
		reports[i].QuickTest.ID = i + 1
		l := newLogger(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			runIDs[i], errs[i] = l.LogQuickTest(ctx(t), reports[i])
		}()
	}
	wg.Wait()
	c := client(t, srv.URL)
	exps := make([]*mlflow.Experiment, len(reports))
	for i, runID := range runIDs {
		if errs[i] != nil {
			t.Fatalf("logging %s: %v", reports[i].Model.ID, errs[i])
		}
		run, err := c.GetRun(ctx(t), runID)
		if err != nil {
			t.Fatal(err)
		}
		if exps[i], err = c.GetExperiment(ctx(t), run.Info.ExperimentID); err != nil {
			t.Fatal(err)
		}
	}
	if exps[0].ID != exps[2].ID || exps[1].ID != exps[3].ID || exps[0].ID == exps[1].ID {
		t.Errorf("experiments %s %s %s %s, want a a b b", exps[0].ID, exps[1].ID, exps[2].ID, exps[3].ID)
	}
	for i, r := range reports {
		checkIdentityTags(t, exps[i], r)
	}
}

func TestAttachRefusesAnExperimentOfAnotherModel(t *testing.T) {
	uniq := identityUniq()
	a := identityReport(uniq, "owner", "owner", "ds", "ds")
	l := newLogger(t)
	exp := mustExperimentOf(t, l, a)
	for _, tc := range []struct {
		name string
		m    mlexp.Model
		d    mlexp.Dataset
	}{
		{"another model", mlexp.Model{ID: "thief" + uniq, Name: "thief"}, a.Dataset},
		{"another dataset", a.Model, mlexp.Dataset{ID: "other-ds", Name: "other"}},
	} {
		_, err := l.Attach(ctx(t), exp.ID, tc.m, tc.d)
		var e *mlexp.Error
		if mlexp.ErrorCode(err) != mlexp.ECONFLICT || !errors.As(err, &e) || e.Field != "experiment" {
			t.Errorf("%s: attaching %s's experiment = %v, want a conflict on experiment", tc.name, a.Model.ID, err)
		}
	}
	got, _ := client(t, srv.URL).GetExperiment(ctx(t), exp.ID)
	checkIdentityTags(t, got, a)
	// Attaching it again to its own model and dataset is harmless.
	if _, err := l.Attach(ctx(t), exp.Name, a.Model, a.Dataset); err != nil {
		t.Errorf("re-attaching an experiment to its own model: %v", err)
	}
	// A second experiment for a model and dataset that have one is refused too: the tags
	// would no longer say which experiment is the model's.
	other, err := client(t, srv.URL).CreateExperiment(ctx(t), "second"+uniq, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Attach(ctx(t), other, a.Model, a.Dataset); mlexp.ErrorCode(err) != mlexp.ECONFLICT {
		t.Errorf("attaching a second experiment to (%s, %s) = %v, want a conflict", a.Model.ID, a.Dataset.ID, err)
	}
}

// TestCreatedExperimentsAreOfCustomModelKind: an experiment mlexp creates carries MLflow 3's
// kind for classic model development, so that MLflow's UI opens it on its runs rather than
// on the GenAI overview.
func TestCreatedExperimentsAreOfCustomModelKind(t *testing.T) {
	r := identityReport(identityUniq(), "kind", "kind", "Q1", "Q1")
	exp := mustExperimentOf(t, newLogger(t), r)
	if v, _ := exp.Tag(tracking.TagExperimentKind); v != "custom_model_development" {
		t.Errorf("experiment %s: tag mlflow.experimentKind = %q, want custom_model_development", exp.ID, v)
	}
}
