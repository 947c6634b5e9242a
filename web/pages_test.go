package web

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// TestEveryViewRendersEmptyData checks that each view renders from its zero value, so that
// a page whose data is partly missing still renders rather than failing half-way.
func TestEveryViewRendersEmptyData(t *testing.T) {
	p := mustLoadPages()
	data := map[string]any{
		viewHome: homePage{}, viewDashboard: dashboardPage{Summary: &mlexp.Summary{}, Heatmap: &mlexp.Heatmap{}},
		viewCompare: comparePage{}, viewRuns: runsPage{}, viewRun: runPage{}, viewError: errorPage{},
		viewTrainingRequested: trainingRequestedPage{}, viewDeployments: deploymentsPage{Best: &bestCard{Best: &mlexp.Best{}}},
		viewInsights: insightsPage{Report: &insight.Report{}},
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
		{mlexp.Errorf(mlexp.EUNAVAILABLE, "reading: MLflow cannot be reached right now"), http.StatusServiceUnavailable, "MLFLOW_TRACKING_URI"},
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

func runWith(id string, params map[string]string, metrics mlexp.MetricValues) mlexp.Run {
	r := mlexp.Run{ID: id, Params: params, Metrics: metrics, Status: mlexp.RunFinished, Type: mlexp.QuickTestRun}
	r.Prepare()
	return r
}

func testRuns() []mlexp.Run {
	return []mlexp.Run{
		runWith("a", map[string]string{"user_id_embedding_dim": "32", "product_id_embedding_dim": "32", "cross_features": "none"}, mlexp.MetricValues{"recall_at_100": 0.40}),
		runWith("b", map[string]string{"user_id_embedding_dim": "64", "product_id_embedding_dim": "64", "cross_features": "user_id_x_city,category_x_subcategory"}, mlexp.MetricValues{"recall_at_100": 0.47}),
		runWith("c", map[string]string{"user_id_embedding_dim": "64", "product_id_embedding_dim": "64", "cross_features": "subcategory_x_category,city_x_user_id"}, mlexp.MetricValues{"recall_at_100": 0.46}),
		runWith("d", map[string]string{"user_id_embedding_dim": "128", "product_id_embedding_dim": "64"}, mlexp.MetricValues{}),
	}
}

func ids(runs []mlexp.Run) []string {
	out := []string{}
	for _, r := range runs {
		out = append(out, r.ID)
	}
	return out
}

func TestCellFilter(t *testing.T) {
	runs := testRuns()
	for _, c := range []struct {
		query string
		want  []string
		err   string
	}{
		{"", []string{"a", "b", "c", "d"}, ""},
		{"x_axis=embedding_dims&x=64/64", []string{"b", "c"}, ""},
		// Crosses in another order are the same cell.
		{"x_axis=embedding_dims&x=64/64&y_axis=cross_features&y=category_x_subcategory,city_x_user_id", []string{"b", "c"}, ""},
		{"x_axis=embedding_dims&x=128/64&y_axis=cross_features&y=?", []string{"d"}, ""},
		{"y_axis=cross_features&y=none", []string{"a"}, ""},
		{"x=64/64", nil, "x_axis"},
		{"x_axis=bogus&x=1", nil, "x_axis"},
	} {
		q, _ := url.ParseQuery(c.query)
		f, err := cellFilterOf(q, runs)
		if c.err != "" {
			if mlexp.ErrorCode(err) != mlexp.EINVALID || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want one naming %s", c.query, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", c.query, err)
		}
		if got := ids(f.apply(runs)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: runs %v, want %v", c.query, got, c.want)
		}
	}
}

func TestRanges(t *testing.T) {
	runs := testRuns()
	for _, c := range []struct {
		query string
		want  []string
		err   string
	}{
		{"range.user_id_embedding_dim=", []string{"a", "b", "c", "d"}, ""},
		{"range.user_id_embedding_dim=64:", []string{"b", "c", "d"}, ""},
		{"range.user_id_embedding_dim=:64", []string{"a", "b", "c"}, ""},
		{"range.user_id_embedding_dim=33:100&range.recall_at_100=46.5%25:", []string{"b"}, ""},
		{"range.recall_at_100=0.3:0.465", []string{"a", "c"}, ""}, // d has no value
		{"range.num_crosses=1:2", []string{"b", "c"}, ""},
		{"range.user_id_embedding_dim=64", nil, "not a range"},
		{"range.user_id_embedding_dim=a:b", nil, "not a number"},
		{"range.user_id_embedding_dim=9:1", nil, "above"},
		{"range.nope=1:2", nil, "unknown axis"},
	} {
		q, _ := url.ParseQuery(c.query)
		rgs, err := rangesOf(q, runs, "recall_at_100")
		if c.err != "" {
			if mlexp.ErrorCode(err) != mlexp.EINVALID || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want one saying %q", c.query, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", c.query, err)
		}
		if got := ids(filterRanges(runs, rgs, "recall_at_100")); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: runs %v, want %v", c.query, got, c.want)
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"32:128", ":", "45%:", ":0.5", "1e3:2e3", "-1:1", "a:b", "%:%", "NaN:1", "Inf:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		rg, err := parseRange("range.x", "x", v)
		if err != nil {
			if mlexp.ErrorCode(err) != mlexp.EINVALID {
				t.Fatalf("%q: error %v is not EINVALID", v, err)
			}
			return
		}
		if rg.Lo != nil && rg.Hi != nil && *rg.Lo > *rg.Hi {
			t.Fatalf("%q: accepted lo %v > hi %v", v, *rg.Lo, *rg.Hi)
		}
		if _, err := parseRange("range.x", "x", rg.text()); err != nil {
			t.Fatalf("%q: its own text %q does not parse again: %v", v, rg.text(), err)
		}
	})
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
	runs := testRuns()
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
