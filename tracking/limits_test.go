package tracking_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// A result MLflow would refuse is refused before anything is made in MLflow: the probe
// found a 314-character cross key refused by runs/log-batch after runs/create, which left a
// RUNNING run without params behind.
func TestResultsMLflowWouldRefuseMakeNothing(t *testing.T) {
	r := sample.QuickTestReport()
	isolate(t, &r.Model, &r.Dataset)
	long := func(c byte) string { return strings.Repeat(string(c), 100) }
	r.FeatureConfig.CrossFeatures[0].Features = []string{"a" + long('a')[1:], "b" + long('b')[1:], "c" + long('c')[1:]}
	var calls counter
	_, err := newLogger(t, mlflow.WithObserver(calls.observe)).LogQuickTest(ctx(t), r)
	var e *mlexp.Error
	if !errors.As(err, &e) || e.Code != mlexp.EINVALID || e.Field != "feature_config.cross_features[0]" {
		t.Errorf("logging a 314-character cross key = %v, want EINVALID naming feature_config.cross_features[0]", err)
	}
	if n := calls.n.Load(); n != 0 {
		t.Errorf("the refused result took %d requests to MLflow, want none", n)
	}
	if _, err := client(t, srv.URL).GetExperimentByName(ctx(t), mlexp.ExperimentName(r.Model, r.Dataset)); !errors.Is(err, mlflow.ErrNotFound) {
		t.Errorf("the refused result made an experiment: %v", err)
	}
}

// The domain checks reports against MLflow's limits without importing the mlflow package:
// its copies of them must be MLflow's.
func TestDomainLimitsAreMLflows(t *testing.T) {
	if mlexp.MaxParamKeyLength != mlflow.MaxKeyLength || mlexp.MaxParamValueLength != mlflow.MaxParamValueLength {
		t.Error("mlexp's copies of MLflow's limits differ from the mlflow package's")
	}
}
