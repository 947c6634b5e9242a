package apitest_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var staticAsset = regexp.MustCompile(`/static/[A-Za-z0-9_-]+\.[0-9a-f]+\.(?:css|js)`)

func (a *api) pages(t *testing.T, s seed) {
	page := func(route, target string, status int) answer {
		t.Helper()
		ans := a.call(t, a.url, http.MethodGet, route, target, nil, true).want(t, "GET "+target, status)
		if ct := ans.header.Get("Content-Type"); status != http.StatusOK && !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: an error as %q, want a page", target, ct)
		}
		return ans
	}
	model := "/models/" + url.PathEscape(s.model) + "/"
	home := page("/", "/", http.StatusOK)
	for _, q := range []string{"", "?view=table", "?metric=loss&agg=mean&x_axis=epochs&y_axis=run_type", "?run_type=quick_test&dataset_id=dataset-001"} {
		page("/models/{model_id}/", model+q, http.StatusOK)
	}
	page("/models/{model_id}/", "/models/"+url.PathEscape(s.foreignModel)+"/", http.StatusOK)
	page("/models/{model_id}/", "/models/"+url.PathEscape(s.emptyModel)+"/", http.StatusOK)
	page("/models/{model_id}/", model+"?agg=max", http.StatusBadRequest)
	page("/models/{model_id}/", "/models/no-such-model/", http.StatusNotFound)
	for _, q := range []string{"", "?metric=loss&run_type=all", "?limit=1&x_axis=epochs"} {
		page("/models/{model_id}/insights/", model+"insights/"+q, http.StatusOK)
	}
	page("/models/{model_id}/insights/", "/models/"+url.PathEscape(s.foreignModel)+"/insights/", http.StatusOK)
	page("/models/{model_id}/insights/", "/models/"+url.PathEscape(s.emptyModel)+"/insights/", http.StatusOK)
	page("/models/{model_id}/insights/", model+"insights/?limit=99", http.StatusBadRequest)
	page("/models/{model_id}/insights/", "/models/no-such-model/insights/", http.StatusNotFound)
	for ext, media := range map[string]string{"svg": "image/svg+xml", "png": "image/png", "csv": "text/csv"} {
		route := "/models/{model_id}/heatmap." + ext
		for _, q := range []string{"", "?metric=loss&agg=median", "?x_axis=epochs&y_axis=config_id&run_type=full_training"} {
			ans := page(route, model+"heatmap."+ext+q, http.StatusOK)
			if ct := ans.header.Get("Content-Type"); !strings.HasPrefix(ct, media) {
				t.Errorf("heatmap.%s: Content-Type %q", ext, ct)
			}
		}
		page(route, "/models/"+url.PathEscape(s.emptyModel)+"/heatmap."+ext, http.StatusOK)
		page(route, model+"heatmap."+ext+"?x_axis=colour", http.StatusBadRequest)
		page(route, "/models/no-such-model/heatmap."+ext, http.StatusNotFound)
	}
	runs := model + "runs/"
	for _, q := range []string{"", "?type=quick_test&page_size=2&page=2", "?axes=epochs,run_type&metric=loss", "?status=failed&search=config",
		"?x_axis=embedding_dims&x=64%2F64&y_axis=run_type&y=quick_test", "?range.epochs=1:5&range.recall_at_100=0.4:"} {
		page("/models/{model_id}/runs/", runs+q, http.StatusOK)
	}
	page("/models/{model_id}/runs/", "/models/"+url.PathEscape(s.foreignModel)+"/runs/", http.StatusOK)
	page("/models/{model_id}/runs/", runs+"?sort=colour", http.StatusBadRequest)
	page("/models/{model_id}/runs/", runs+"?axes=epochs&range.epochs=lots", http.StatusBadRequest)
	page("/models/{model_id}/runs/", runs+"?range.nope=1:2", http.StatusBadRequest)
	page("/models/{model_id}/runs/", "/models/no-such-model/runs/", http.StatusNotFound)

	two := s.quick1 + "," + s.quick2
	for _, q := range []string{two, two + "," + s.training + "&baseline=" + s.training + "&diff=changed", s.failed + "&run_ids=" + s.foreignRun + "&metric=loss"} {
		page("/compare/", "/compare/?run_ids="+q, http.StatusOK)
	}
	page("/compare/", "/compare/?run_ids="+s.quick1, http.StatusBadRequest)
	page("/compare/", "/compare/?run_ids="+two+"&metric=precision", http.StatusBadRequest)
	page("/compare/", "/compare/?run_ids="+s.quick1+",0123456789abcdef0123456789abcdef", http.StatusNotFound)

	for _, id := range []string{s.quick1, s.failed, s.training, s.foreignRun, s.emptyRun} {
		ans := page("/runs/{run_id}/", "/runs/"+id+"/", http.StatusOK)
		// The run's model, and where it was found.
		if shows := bytes.Contains(ans.body, []byte("(model/model_uri.txt)")); shows != (id == s.training) {
			t.Errorf("run page of %s shows a model from model/model_uri.txt: %v", id, shows)
		}
	}
	page("/runs/{run_id}/", "/runs/0123456789abcdef0123456789abcdef/", http.StatusNotFound)
	ans := page("/runs/{run_id}/training_curves.png", "/runs/"+s.training+"/training_curves.png", http.StatusOK)
	if !bytes.HasPrefix(ans.body, []byte("\x89PNG")) {
		t.Errorf("training_curves.png is not a PNG: %.20q", ans.body)
	}
	page("/runs/{run_id}/training_curves.png", "/runs/"+s.quick1+"/training_curves.png", http.StatusNotFound)

	assets := staticAsset.FindAllString(string(home.body), -1)
	if len(assets) == 0 {
		t.Errorf("the home page links no static asset:\n%.2000s", home.body)
	}
	for _, asset := range assets {
		a.call(t, a.url, http.MethodGet, "/static/{file}", asset, nil, true).want(t, asset, http.StatusOK)
	}
	a.call(t, a.url, http.MethodGet, "/static/{file}", "/static/app.css", nil, true).want(t, "unhashed asset", http.StatusNotFound)
}
