package web

import (
	"context"
	"net/http"

	"github.com/mlexp-dev/mlexp"
)

// The stand-ins for dependencies the server was made without: each answers the typed
// mlexp.NotConfigured error (503), so that no handler checks for nil. Routes that read a
// body first declare what they need (requires), so that such a server answers 503 before it
// judges the body.

// standIn is a stand-in for a dependency the server was made without.
type standIn interface{ notConfigured() error }

// requires returns h, or, when dep is a stand-in, a handler that answers its error at once.
func requires(dep any, h apiFunc) apiFunc {
	if m, ok := dep.(standIn); ok {
		return func(http.ResponseWriter, *http.Request) (any, error) { return nil, m.notConfigured() }
	}
	return h
}

func (missingIngester) notConfigured() error    { return mlexp.NotConfigured("ingest") }
func (missingPromoter) notConfigured() error    { return mlexp.NotConfigured("promoting runs") }
func (missingArtifacts) notConfigured() error   { return mlexp.NotConfigured("reading MLflow artifacts") }
func (missingComparisons) notConfigured() error { return mlexp.NotConfigured("saving comparisons") }

type missingIngester struct{}

func (missingIngester) SubmitQuickTest(context.Context, mlexp.QuickTestReport) (*mlexp.OutboxItem, error) {
	return nil, mlexp.NotConfigured("ingest")
}

func (missingIngester) SubmitTrainingRun(context.Context, mlexp.TrainingRunReport) (*mlexp.OutboxItem, error) {
	return nil, mlexp.NotConfigured("ingest")
}

func (missingIngester) Status(context.Context, string) (*mlexp.OutboxItem, error) {
	return nil, mlexp.NotConfigured("ingest")
}

type missingPromoter struct{}

func (missingPromoter) Promote(context.Context, mlexp.PromoteRequest) (*mlexp.Promotion, error) {
	return nil, mlexp.NotConfigured("promoting runs")
}

func (missingPromoter) Rollback(context.Context, string, string, string) (*mlexp.Promotion, error) {
	return nil, mlexp.NotConfigured("promoting runs")
}

func (missingPromoter) History(context.Context, string, int) ([]mlexp.Deployment, error) {
	return nil, mlexp.NotConfigured("the deployment history")
}

type missingArtifacts struct{}

func (missingArtifacts) TrainingCurves(context.Context, string) ([]byte, error) {
	return nil, mlexp.NotConfigured("reading MLflow artifacts")
}

type missingComparisons struct{}

func (missingComparisons) CreateComparison(context.Context, *mlexp.SavedComparison) error {
	return mlexp.NotConfigured("saving comparisons")
}

func (missingComparisons) Comparison(context.Context, string) (*mlexp.SavedComparison, error) {
	return nil, mlexp.NotConfigured("saving comparisons")
}

func (missingComparisons) Comparisons(context.Context, string) ([]mlexp.SavedComparison, error) {
	return nil, mlexp.NotConfigured("saving comparisons")
}

func (missingComparisons) UpdateComparison(context.Context, string, mlexp.ComparisonUpdate, string) (*mlexp.SavedComparison, error) {
	return nil, mlexp.NotConfigured("saving comparisons")
}

func (missingComparisons) DeleteComparison(context.Context, string, string) error {
	return mlexp.NotConfigured("saving comparisons")
}
