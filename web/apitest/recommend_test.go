package apitest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
	"github.com/mlexp-dev/mlexp/internal/jsonedit"
	"github.com/mlexp-dev/mlexp/internal/sample"
)

// TestRecommendationSeesExistingFullTraining, end to end over a real MLflow: the Quick Test
// of config-042 is compared with the deployed Full Training of config-038 only, yet
// config-042 already has a Full Training in the experiment. The comparison must say so,
// measure that Full Training and offer to compare with it and promote it, not ask for
// another; Insights must use its measured value; the answers match the OpenAPI document.
func TestRecommendationSeesExistingFullTraining(t *testing.T) {
	a := newAPI(t)
	const quick, training = "/api/experiments/quick-tests/", "/api/experiments/training-runs/"
	ingest := func(route string, report any) string {
		t.Helper()
		var d ingestData
		a.call(t, a.url, http.MethodPost, route, route, jsonedit.Body(t, report), true).must(t, "POST "+route, http.StatusCreated).decode(t, &d)
		return d.RunID
	}
	q := sample.QuickTestReport() // config-042, Recall@100 47.3%
	uniqueModel(&q.Model, "recommend")
	tr := sample.TrainingRunReport() // config-042, Recall@100 46.8%
	tr.Model = q.Model
	dep := tr
	dep.FeatureConfig.ID, dep.FeatureConfig.Name, dep.TrainingRun.ID = "config-038", "config-038", 45
	dep.TrainingRun.Metrics.RecallAt100 = new(0.45)
	quickID, trainedID, deployedID := ingest(quick, q), ingest(training, tr), ingest(training, dep)
	a.promote(t, deployedID, "", http.StatusOK)

	const route = "/api/experiments/compare/"
	body, _ := json.Marshal(map[string]any{"run_ids": []string{quickID, deployedID}})
	var c mlexp.Comparison
	a.call(t, a.url, http.MethodPost, route, route, body, true).must(t, "compare", http.StatusOK).decode(t, &c)
	rec := c.Recommendation
	ft := rec.FullTraining
	if rec.Kind != mlexp.RecommendFullTrainingExists || ft == nil || ft.RunID != trainedID {
		t.Fatalf("recommendation %s %q, full training %+v; want full_training_exists pointing at %s", rec.Kind, rec.Message, ft, trainedID)
	}
	// 46.8% − 45.0% = +1.8 pp over the deployed run: worth promoting.
	if ft.Delta == nil || float64(*ft.Delta) != 1.8 || !ft.Promote || strings.Join(ft.CompareRunIDs, ",") != quickID+","+deployedID+","+trainedID ||
		!strings.Contains(rec.Message, "already has a Full Training") || strings.Contains(rec.Message, "Consider running Full Training") {
		t.Errorf("full training %+v, message %q", *ft, rec.Message)
	}
	// The spec's fields are there beside mlexp's.
	if c.Runs[0].SpecName != c.Runs[0].Name || c.Runs[0].Params["config_id"] != "config-042" || c.ParamsDiff["config_id"] == nil {
		t.Errorf("spec fields: %+v %v", c.Runs[0], c.ParamsDiff)
	}

	// The comparison page offers to compare with it and to promote it.
	page := a.call(t, a.url, http.MethodGet, "/compare/", "/compare/?run_ids="+quickID+","+deployedID, nil, true).must(t, "compare page", http.StatusOK)
	html := string(page.body)
	wantLink := "/compare/?run_ids=" + url.QueryEscape(quickID+","+deployedID+","+trainedID)
	for _, want := range []string{"Compare with " + ft.RunName, strings.ReplaceAll(wantLink, "&", "&amp;"), `action="/api/experiments/runs/` + trainedID + `/deploy/"`} {
		if !strings.Contains(html, want) {
			t.Errorf("compare page lacks %q", want)
		}
	}

	// Insights: the winner's full training is measured, not estimated.
	var rep insight.Report
	target := "/api/models/" + url.PathEscape(q.Model.ID) + "/experiments/insights/"
	a.call(t, a.url, http.MethodGet, "/api/models/{model_id}/experiments/insights/", target, nil, true).must(t, "insights", http.StatusOK).decode(t, &rep)
	if g := rep.Gain; g.WinnerConfigID != "config-042" || !g.Measured || g.ExpectedFull == nil || float64(*g.ExpectedFull) != 0.468 {
		t.Errorf("gain: winner %s measured %v expected %v, want config-042's measured 0.468", g.WinnerConfigID, g.Measured, g.ExpectedFull)
	}
}
