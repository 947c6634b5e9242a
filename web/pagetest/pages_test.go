package pagetest

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/web"
)

func TestHomeListsModelsAndDatasets(t *testing.T) {
	w := sharedWorld(t)
	body := mustPage(t, get(t, newServer(t, options{}), "/"), http.StatusOK)
	mustContain(t, body, w.Model.Name, w.Dataset.Name, `href="/models/`+w.Model.ID+`/?dataset_id=dataset-001"`,
		`href="/models/`+w.Model.ID+`/runs/?dataset_id=dataset-001"`, "MLflow ↗")
}

// emptySource is MLflow without any model's experiment: the one state the shared test
// server, which holds the other tests' experiments, cannot show.
type emptySource struct{ mlexp.RunSource }

func (emptySource) Models(context.Context) ([]mlexp.ModelInfo, error) { return nil, nil }

func TestHomeWithoutModelsSaysHowToGetSome(t *testing.T) {
	h := web.NewServer(web.Deps{Runs: emptySource{}})
	body := mustPage(t, get(t, h, "/"), http.StatusOK)
	mustContain(t, body, "No experiments yet", "mlexp demo", "mlexp log quick-test", "/api/experiments/quick-tests/")
}

func TestDashboard(t *testing.T) {
	w := sharedWorld(t)
	h := newServer(t, options{})
	body := mustPage(t, get(t, h, dashboardPath(w)), http.StatusOK)
	mustContain(t, body,
		"Quick Tests", `<div class="value">4</div>`, // quick tests, the failed one included
		"Full Trainings", `<div class="value">1</div>`,
		"Best Recall@100", "★ 50.0%", "config-042",
		"Currently Deployed", "● 46.8%",
		"Heatmap: Recall@100 by Embedding Dims × Cross Features", "<svg",
		`name="x_axis"`, `name="y_axis"`, `name="metric"`, `name="run_type"`, `name="agg"`, `class="js-hide"`,
		"View as Table", "heatmap.svg?", "heatmap.png?", "heatmap.csv?",
		"Recent Experiments", "Promoted for deployment", "OOM during Transform: user:256d embedding too large",
		"3h 42m", "$38.50", "1 day ago", "user:64d prod:64d &#43;2 crosses",
		"View All in MLflow", "http://mlflow.example:5000/#/experiments/",
		w.Dataset.Name)
	mustNotContain(t, body, "Stale data")
	mustEscapeXSS(t, body)

	// The same heatmap as a table: every cell with runs links to the runs page filtered to it.
	body = mustPage(t, get(t, h, dashboardPath(w)+"&view=table"), http.StatusOK)
	mustContain(t, body, `<table class="heatmap">`, "★50.0%", "View as Chart", "No crosses", "user:64 prod:64")
	cell := regexp.MustCompile(`href="(/models/[^"]+/runs/\?[^"]*x=64%2F64[^"]*)"`).FindStringSubmatch(body)
	if cell == nil {
		t.Fatalf("no link from the cell user:64 prod:64 to its runs in:\n%s", clip(body))
	}
	runs := mustPage(t, get(t, h, strings.ReplaceAll(cell[1], "&amp;", "&")), http.StatusOK)
	mustContain(t, runs, "config-042 Quick Test #3", "config-042 Full Training #46", "Heatmap cell:", "show every run")
	mustNotContain(t, runs, xssEscaped, "config-044")
}

func TestDashboardSelectors(t *testing.T) {
	w := sharedWorld(t)
	h := newServer(t, options{})
	body := mustPage(t, get(t, h, dashboardPath(w)+"&metric=loss&x_axis=epochs&y_axis=run_type&run_type=quick_test&agg=mean"), http.StatusOK)
	mustContain(t, body, "Best Loss", "Heatmap: Loss by Epochs × Run Type",
		`<option value="loss" selected>`, `<option value="mean" selected>`, `<option value="quick_test" selected>`)

	// A bad parameter is a 400 page naming it and listing the valid values.
	body = mustPage(t, get(t, h, dashboardPath(w)+"&x_axis=nope"), http.StatusBadRequest)
	mustContain(t, body, "Bad request", "x_axis", "embedding_dims")
}

func TestDashboardOfUnknownModelIs404(t *testing.T) {
	h := newServer(t, options{})
	body := mustPage(t, get(t, h, "/models/no-such-model-at-all/"), http.StatusNotFound)
	mustContain(t, body, "Not found", "no-such-model-at-all")
	for _, p := range []string{"/models/no-such-model-at-all/runs/", "/models/no-such-model-at-all/heatmap.csv"} {
		mustPage(t, get(t, h, p), http.StatusNotFound)
	}
}

func TestPathWithoutSlashRedirects(t *testing.T) {
	h := newServer(t, options{})
	rec := get(t, h, "/models/m1/runs?dataset_id=d")
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/models/m1/runs/?dataset_id=d" {
		t.Fatalf("status %d, Location %q; want 301 to /models/m1/runs/?dataset_id=d", rec.Code, rec.Header().Get("Location"))
	}
}

// closedPort is an address where nothing listens.
func closedPort(t *testing.T) string {
	ts := httptest.NewServer(http.NotFoundHandler())
	u := ts.URL
	ts.Close()
	return u
}

func TestPagesWhenMLflowIsDown(t *testing.T) {
	h := newServer(t, options{trackingURI: closedPort(t)})
	for _, p := range []string{"/", "/models/m1/", "/models/m1/runs/", "/models/m1/heatmap.svg", "/compare/?run_ids=a,b", "/runs/abc/", "/runs/abc/training_curves.png"} {
		t.Run(p, func(t *testing.T) {
			body := mustPage(t, get(t, h, p), http.StatusServiceUnavailable)
			mustContain(t, body, "MLflow cannot be reached", "MLFLOW_TRACKING_URI")
		})
	}
}

func TestStaleDataBanner(t *testing.T) {
	w := sharedWorld(t)
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	h := newServer(t, options{trackingURI: proxy.URL, ttl: 50 * time.Millisecond})
	mustNotContain(t, mustPage(t, get(t, h, dashboardPath(w)), http.StatusOK), "Stale data")
	proxy.Close() // MLflow is gone: the cached runs are served, marked stale
	deadline := time.Now().Add(30 * time.Second)
	for {
		time.Sleep(100 * time.Millisecond)
		body := mustPage(t, get(t, h, dashboardPath(w)), http.StatusOK)
		if strings.Contains(body, "Stale data") {
			mustContain(t, body, "MLflow could not be reached for a refresh", "MLflow cannot be reached")
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no stale-data banner 30s after MLflow went away:\n%s", clip(body))
		}
	}
}

func TestHeatmapExports(t *testing.T) {
	w := sharedWorld(t)
	h := newServer(t, options{})
	base := "/models/" + w.Model.ID + "/heatmap."
	query := "?dataset_id=" + w.Dataset.ID + "&metric=recall_at_100"

	svg := get(t, h, base+"svg"+query)
	if svg.Code != http.StatusOK || svg.Header().Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("SVG: status %d, Content-Type %q; body %s", svg.Code, svg.Header().Get("Content-Type"), clip(svg.Body.String()))
	}
	mustAttachment(t, svg, ".svg")
	mustContain(t, svg.Body.String(), "<svg")

	rec := get(t, h, base+"csv"+query)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("CSV: status %d, Content-Type %q; body %s", rec.Code, rec.Header().Get("Content-Type"), clip(rec.Body.String()))
	}
	mustAttachment(t, rec, ".csv")
	text := rec.Body.String()
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0][:9], ","); got != "x_axis,x,x_label,y_axis,y,y_label,metric,agg,value" {
		t.Errorf("CSV header starts %s", got)
	}
	mustContain(t, text, "64/64", "0.5,", "config-042 Quick Test #3", `'=HYPERLINK(""http://evil"") Quick Test #2`)
	if strings.Contains(text, ",=HYPERLINK") || strings.Contains(text, `,"=HYPERLINK`) {
		t.Errorf("a cell starts with = unneutralised:\n%s", text)
	}

	png := get(t, h, base+"png"+query)
	if png.Code != http.StatusOK || png.Header().Get("Content-Type") != "image/png" || !bytes.HasPrefix(png.Body.Bytes(), []byte("\x89PNG")) {
		t.Fatalf("PNG: status %d, Content-Type %q; body %s", png.Code, png.Header().Get("Content-Type"), clip(png.Body.String()))
	}
	mustAttachment(t, png, ".png")
}

func mustAttachment(t *testing.T, w *httptest.ResponseRecorder, ext string) {
	t.Helper()
	cd := w.Header().Get("Content-Disposition")
	if !strings.HasPrefix(cd, `attachment; filename="`) || !strings.HasSuffix(cd, ext+`"`) {
		t.Errorf("Content-Disposition %q, want an attachment named *%s", cd, ext)
	}
}

func TestRunsPage(t *testing.T) {
	w := sharedWorld(t)
	h := newServer(t, options{})
	body := mustPage(t, get(t, h, runsPath(w, "")), http.StatusOK)
	mustContain(t, body, "Runs of "+w.Model.Name, "Open MLflow ↗", w.Model.Name+"-"+w.Dataset.Name,
		"config-042 Quick Test #3", "config-042 Full Training #46", "config-044 Quick Test #4",
		`action="/compare/"`, `type="checkbox" name="run_ids" value="`+w.Quick+`"`, "Compare Selected",
		"Export CSV", "/api/models/"+w.Model.ID+"/experiments/runs/?", "format=csv",
		"R@100", "R@50", "50.0%", "46.8%", "3h 42m", "$38.50", "Parallel Coordinates", "Change Axes", "Filter Runs",
		`name="range.recall_at_100"`, `name="axes"`, "5 runs")
	mustEscapeXSS(t, body)

	// Sorting by a column header, filtering by type, searching.
	body = mustPage(t, get(t, h, runsPath(w, "sort=metrics.recall_at_100&order=asc&type=quick_test")), http.StatusOK)
	mustContain(t, body, "R@100 ▲", "4 runs")
	mustNotContain(t, body, "Full Training #46")
	if i, j := strings.Index(body, xssEscaped), strings.Index(body, "config-042 Quick Test #3"); i < 0 || j < 0 || i > j {
		t.Errorf("ascending Recall@100 should list the 41%% run before the 50%% one")
	}
	body = mustPage(t, get(t, h, runsPath(w, "search=config-044")), http.StatusOK)
	mustContain(t, body, "config-044 Quick Test #4", "1 run<")
	mustNotContain(t, body, "1 runs")

	// Coming back from a comparison keeps the selection.
	body = mustPage(t, get(t, h, runsPath(w, "run_ids="+w.Quick+","+w.Full+",elsewhere-run")), http.StatusOK)
	mustContain(t, body, `value="`+w.Quick+`" aria-label="Select config-042 Quick Test #3" checked`,
		`<input type="hidden" name="run_ids" value="elsewhere-run">`)

	// Ranges filter the runs the chart draws.
	body = mustPage(t, get(t, h, runsPath(w, "range.recall_at_100=45%25:")), http.StatusOK)
	mustContain(t, body, "2 of 5 runs drawn", "(within the ranges)", "clear the ranges", "2 runs within the ranges", "range.recall_at_100=0.45%3A")
	if n := strings.Count(body, `<input type="checkbox" name="run_ids"`); n != 2 {
		t.Errorf("within the range the table has %d rows, want 2", n)
	}
	// Switching the chart to Loss drops the Recall@100 range the form still sends.
	body = mustPage(t, get(t, h, runsPath(w, "metric=loss&range.recall_at_100=45%25:&range.loss=")), http.StatusOK)
	mustContain(t, body, "5 runs", `name="range.loss"`)
	mustNotContain(t, body, "within the ranges", "range.recall_at_100")
	body = mustPage(t, get(t, h, runsPath(w, "range.user_id_embedding_dim=:64&axes=user_id_embedding_dim&axes=num_crosses")), http.StatusOK)
	mustContain(t, body, "3 of 5 runs drawn")
	body = mustPage(t, get(t, h, runsPath(w, "range.recall_at_100=99%25:")), http.StatusOK)
	mustContain(t, body, "No run to draw within these ranges")
	body = mustPage(t, get(t, h, runsPath(w, "range.user_id_embedding_dim=abc")), http.StatusBadRequest)
	mustContain(t, body, "range.user_id_embedding_dim")
}

func TestComparePage(t *testing.T) {
	w := sharedWorld(t)
	h := newServer(t, options{})
	target := "/compare/?run_ids=" + w.Quick + "," + w.Full + "&run_ids=" + w.XSS
	body := mustPage(t, get(t, h, target), http.StatusOK)
	mustContain(t, body, "Compare Experiments", "Metrics Comparison",
		"50.0%", "46.8%", "&#43;3.2 pp", "Recall@100", "Duration", "8 min", "3h 42m", "Cost", "$1.42",
		"Quick Test metrics are indicative (10% data, 2 epochs)",
		"Configuration Diff", "Query Tower", "Candidate Tower", "Cross Features", "Training",
		">SAME<", ">CHANGED<", ">REMOVED<", "user_id × city",
		// config-042's quick test leads, but config-042's full training is compared too: it stands for it.
		"No meaningful difference", "The Quick Test of config-042 scores higher, but config-042 already has a Full Training here",
		"How this is decided", "percentage points",
		"Add More to Compare", "run_ids="+url.QueryEscape(w.Quick+","+w.Full+","+w.XSS),
		`href="/models/`+w.Model.ID+`/?dataset_id=dataset-001">Close</a>`, "make baseline")
	mustEscapeXSS(t, body)
	mustNotContain(t, body, "Consider running Full Training with config-042")

	// Without its full training among the compared runs, config-042's quick test (50%) leads
	// the baseline (44%), but config-042 has a Full Training in the experiment (the deployed
	// one): the recommendation points at it rather than ask for another.
	untrained := "/compare/?run_ids=" + w.Formula + "," + w.Quick
	body = mustPage(t, get(t, h, untrained), http.StatusOK)
	mustContain(t, body, "in its Quick Test, but it already has a Full Training: ", "It is the deployed run: compare with it rather than run another Full Training.",
		`href="/compare/?run_ids=`+url.QueryEscape(w.Formula+","+w.Quick+","+w.Full)+`">Compare with `)
	mustNotContain(t, body, "Consider running Full Training with config-042", "▶ Run Full Training with config-042")

	// config-formula's quick test (44%) leads config-xss's (41%) and has no full training: a
	// full training is worth it.
	fresh := "/compare/?run_ids=" + w.XSS + "," + w.Formula
	body = mustPage(t, get(t, h, fresh), http.StatusOK)
	mustContain(t, body, "Consider running Full Training with ", "▶ Run Full Training with ",
		`disabled title="Full trainings cannot be requested from here: set MLEXP_TRAINING_URL (--training-url) to enable"`)

	// The training service is configured: the button works.
	body = mustPage(t, get(t, newServer(t, options{trainingURL: "http://127.0.0.1:9/train"}), fresh), http.StatusOK)
	mustContain(t, body, `<button type="submit" class="primary">▶ Run Full Training with `,
		`name="config_id" value="config-formula"`, `name="source_run_id" value="`+w.Formula+`"`, `name="model_id" value="`+w.Model.ID+`"`)

	// Another baseline changes the diffs; the deployed run is the default one.
	body = mustPage(t, get(t, h, target+"&baseline="+w.Quick), http.StatusOK)
	mustContain(t, body, "-3.2 pp", ">NEW<")

	mustContain(t, mustPage(t, get(t, h, "/compare/?run_ids="+w.Quick), http.StatusBadRequest), "run_ids", "2 to 50")
	mustContain(t, mustPage(t, get(t, h, "/compare/?run_ids="+w.Quick+",0123456789abcdef0123456789abcdef"), http.StatusNotFound), "does not exist")
}

func TestRunPageAndTrainingCurves(t *testing.T) {
	w := sharedWorld(t)
	h := newServer(t, options{})
	body := mustPage(t, get(t, h, "/runs/"+w.Full+"/"), http.StatusOK)
	mustContain(t, body, "config-042 Full Training #46", "Full Training", "deployed", "Recall@100 (recall_at_100)", "46.8%",
		"batch_size", "8192", "user_id_embedding_dim", "is_deployed", "3h 42m", "$38.50",
		`src="/runs/`+w.Full+`/training_curves.png"`, "Open in MLflow ↗")

	png := get(t, h, "/runs/"+w.Full+"/training_curves.png")
	if png.Code != http.StatusOK || png.Header().Get("Content-Type") != "image/png" || !bytes.HasPrefix(png.Body.Bytes(), []byte("\x89PNG")) {
		t.Fatalf("training curves: status %d, Content-Type %q; body %s", png.Code, png.Header().Get("Content-Type"), clip(png.Body.String()))
	}

	body = mustPage(t, get(t, h, "/runs/"+w.Failed+"/"), http.StatusOK)
	mustContain(t, body, "Failed in Transform: OOM during Transform")
	mustNotContain(t, body, "training_curves.png")
	mustEscapeXSS(t, mustPage(t, get(t, h, "/runs/"+w.XSS+"/"), http.StatusOK))

	mustPage(t, get(t, h, "/runs/"+w.Quick+"/training_curves.png"), http.StatusNotFound) // a quick test has none
	mustPage(t, get(t, h, "/runs/0123456789abcdef0123456789abcdef/"), http.StatusNotFound)
	mustPage(t, get(t, h, "/runs/0123456789abcdef0123456789abcdef/training_curves.png"), http.StatusNotFound)
}

func TestStaticAssets(t *testing.T) {
	h := web.NewServer(web.Deps{Runs: emptySource{}})
	body := mustPage(t, get(t, h, "/"), http.StatusOK)
	for _, m := range regexp.MustCompile(`(?:href|src)="(/static/app\.[0-9a-f]{12}\.(css|js))"`).FindAllStringSubmatch(body, -1) {
		rec := get(t, h, m[1])
		want := map[string]string{"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"}[m[2]]
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != want ||
			rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" || rec.Body.Len() == 0 {
			t.Errorf("%s: status %d, Content-Type %q, Cache-Control %q", m[1], rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
		}
	}
	if !strings.Contains(body, "/static/app.") {
		t.Fatalf("the layout links no hashed asset:\n%s", body)
	}
	if rec := get(t, h, "/static/app.css"); rec.Code != http.StatusNotFound {
		t.Errorf("an unhashed asset name answered %d, want 404", rec.Code)
	}
	mustContain(t, string(mustStatic(t, h, body, "css")), "@media (max-width")
	if js := string(mustStatic(t, h, body, "js")); strings.Contains(js, "http://") || strings.Contains(js, "https://") {
		t.Error("app.js loads something from elsewhere")
	}
	mustNotContain(t, body, "https://", "http://") // no CDN, no web fonts
}

func mustStatic(t *testing.T, h http.Handler, page, ext string) []byte {
	m := regexp.MustCompile(`"(/static/app\.[0-9a-f]+\.` + ext + `)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no app.%s linked", ext)
	}
	return get(t, h, m[1]).Body.Bytes()
}
