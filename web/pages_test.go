package web

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
	"github.com/mlexp-dev/mlexp/internal/sample"
)

// TestEveryViewRendersEmptyData checks that each view renders from its zero value, so that
// a page whose data is partly missing still renders rather than failing half-way.
func TestEveryViewRendersEmptyData(t *testing.T) {
	p := mustLoadPages()
	data := map[string]any{
		viewHome: homePage{}, viewDashboard: dashboardPage{Summary: &mlexp.Summary{}, Heatmap: &mlexp.Heatmap{}},
		viewCompare: comparePage{}, viewRuns: runsPage{}, viewRun: runPage{}, viewError: errorPage{},
		viewTrainingRequested: trainingRequestedPage{}, viewDeployments: deploymentsPage{Best: &bestCard{Best: &mlexp.Best{}}},
		viewInsights: insightsPage{Report: &insight.Report{}}, viewTowers: towersPage{},
		viewComparisons: comparisonsPage{Rows: []comparisonRow{{}}}, viewConfirmPromote: confirmPromotePage{},
	}
	for _, v := range pageViews {
		d, ok := data[v]
		if !ok {
			t.Fatalf("no test data for view %s", v)
		}
		var buf bytes.Buffer
		if err := p.views[v].ExecuteTemplate(&buf, "layout", d); err != nil {
			t.Errorf("view %s: %v", v, err)
		}
	}
}

func TestPageErrorMirrorsRespondError(t *testing.T) {
	var logs bytes.Buffer
	s := newServer(Deps{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for _, c := range []struct {
		err    error
		status int
		want   string
	}{
		{mlexp.InvalidField("x_axis", "bad"), http.StatusBadRequest, "Bad request"},
		{mlexp.Errorf(mlexp.ENOTFOUND, "no model"), http.StatusNotFound, "no model"},
		{mlexp.Unavailable(mlexp.DependencyMLflow, nil, "reading: MLflow cannot be reached right now"), http.StatusServiceUnavailable, "MLFLOW_TRACKING_URI"},
		// The hint follows the dependency the error names, never its message.
		{mlexp.Unavailable(mlexp.DependencyDatabase, nil, "the database holds a lock; MLflow cannot be reached"), http.StatusServiceUnavailable, "reload the page in a moment"},
		{mlexp.Errorf(mlexp.EFORBIDDEN, "no"), http.StatusForbidden, "Forbidden"},
		{errors.New("secret detail of a bug"), http.StatusInternalServerError, "Internal error"},
	} {
		w := httptest.NewRecorder()
		s.pageError(w, httptest.NewRequest("GET", "/x", nil), c.err)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("%v: status %d, want %d with %q; body %s", c.err, w.Code, c.status, c.want, w.Body)
		}
		if strings.Contains(w.Body.String(), "secret detail") {
			t.Errorf("an internal error leaked its cause: %s", w.Body)
		}
	}
	if !strings.Contains(logs.String(), "secret detail of a bug") {
		t.Errorf("the internal error was not logged: %s", logs.String())
	}
}

func TestListParamAndLinks(t *testing.T) {
	q, _ := url.ParseQuery("run_ids=a,b&run_ids=c&run_ids=,a,&run_ids=")
	if got := listParam(q, "run_ids"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("listParam = %v", got)
	}
	if got := dashboardURL("m/1", "d 1"); got != "/models/m%2F1/?dataset_id=d+1" {
		t.Errorf("dashboardURL = %s", got)
	}
	if got := withQuery("/x", url.Values{"a": {""}, "b": {"1"}}); got != "/x?b=1" {
		t.Errorf("withQuery = %s", got)
	}
	if got := override(q, "run_ids", "", "page", "2").Encode(); got != "page=2" {
		t.Errorf("override = %s", got)
	}
}

func TestHeatmapCSVNeutralisesFormulas(t *testing.T) {
	runs := sample.AxisRuns()
	runs[1].Name = "=cmd|' /C calc'!A0"
	hq := mlexp.HeatmapQuery{}
	if err := hq.Check(runs); err != nil {
		t.Fatal(err)
	}
	b, err := heatmapCSV(mlexp.BuildHeatmap(runs, hq))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "'=cmd|") || strings.Contains(string(b), ",=cmd") {
		t.Errorf("formula not neutralised:\n%s", b)
	}
}
