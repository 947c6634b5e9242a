package explore

import (
	"context"

	"github.com/mlexp-dev/mlexp"
)

// The stand-ins for dependencies a Service was made without: each answers the typed
// mlexp.NotConfigured error, so that no use case checks for nil.

type missingRuns struct{}

func (missingRuns) Models(context.Context) ([]mlexp.ModelInfo, error) {
	return nil, mlexp.NotConfigured("reading MLflow")
}

func (missingRuns) Experiment(context.Context, string, string) (mlexp.ModelInfo, mlexp.DatasetInfo, error) {
	return mlexp.ModelInfo{}, mlexp.DatasetInfo{}, mlexp.NotConfigured("reading MLflow")
}

func (missingRuns) Runs(context.Context, string) (*mlexp.RunSet, error) {
	return nil, mlexp.NotConfigured("reading MLflow")
}

func (missingRuns) RunsByID(context.Context, []string) ([]mlexp.Run, error) {
	return nil, mlexp.NotConfigured("reading MLflow")
}

func (missingRuns) FindRuns(context.Context, []string) ([]mlexp.Run, []string, error) {
	return nil, nil, mlexp.NotConfigured("reading MLflow")
}

type missingBest struct{}

func (missingBest) SelectBest(context.Context, string, []mlexp.Run, mlexp.BestQuery) (*mlexp.Best, error) {
	return nil, mlexp.NotConfigured("best-run selection")
}

type missingAttacher struct{}

func (missingAttacher) Attach(context.Context, string, mlexp.Model, mlexp.Dataset) (mlexp.DatasetInfo, error) {
	return mlexp.DatasetInfo{}, mlexp.NotConfigured("attaching experiments")
}

type missingLineage struct{}

// lineageNotConfigured says what turns lineage on.
func lineageNotConfigured() error {
	return mlexp.NotConfigured("lineage (an ML Metadata store: start mlexp with --mlmd-db or MLEXP_MLMD_DB)")
}

func (missingLineage) Lineage(context.Context, mlexp.LineageRef) (*mlexp.Lineage, error) {
	return nil, lineageNotConfigured()
}

func (missingLineage) LineageRef(context.Context, string) (mlexp.LineageRef, error) {
	return mlexp.LineageRef{}, lineageNotConfigured()
}
