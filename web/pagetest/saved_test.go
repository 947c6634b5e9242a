package pagetest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
	"github.com/mlexp-dev/mlexp/web"
)

// TestSaveAndReopenAComparison saves a comparison from the comparison page, reopens it, and
// reopens it again after one of its runs was deleted in MLflow.
func TestSaveAndReopenAComparison(t *testing.T) {
	m := uniqueModel("saved")
	lg := tracking.NewLogger(mustClient(t, srv.URL), chart.TrainingCurves)
	var ids []string
	for i := 1; i <= 3; i++ {
		r := sample.QuickTestReport()
		r.Model, r.QuickTest.ID = m, i
		id, err := lg.LogQuickTest(ctx(t), r)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	store, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "mlexp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	reader := tracking.NewReader(mustClient(t, srv.URL), time.Hour, time.Now, slog.New(slog.DiscardHandler))
	h := web.NewServer(web.Deps{Runs: reader, Artifacts: reader, Comparisons: store, Now: now})

	page := mustPage(t, get(t, h, "/compare/?run_ids="+strings.Join(ids, ",")), http.StatusOK)
	mustContain(t, page, `action="/comparisons/"`, `name="model_id" value="`+m.ID+`"`, "Save comparison")

	form := url.Values{"name": {"three replicates"}, "notes": {"seed noise check"}, "model_id": {m.ID}, "run_ids": ids}
	req := httptest.NewRequest(http.MethodPost, "/comparisons/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/comparisons/") {
		t.Fatalf("save: %d to %q\n%s", w.Code, loc, clip(w.Body.String()))
	}
	page = mustPage(t, get(t, h, loc), http.StatusOK)
	mustContain(t, page, "Saved comparison: three replicates", "seed noise check", "by local")
	mustNotContain(t, page, "no longer exist")

	if err := mustClient(t, srv.URL).DeleteRun(ctx(t), ids[2]); err != nil {
		t.Fatal(err)
	}
	page = mustPage(t, get(t, h, loc), http.StatusOK)
	mustContain(t, page, "no longer exist in MLflow", ids[2])
	if err := mustClient(t, srv.URL).DeleteRun(ctx(t), ids[1]); err != nil {
		t.Fatal(err)
	}
	page = mustPage(t, get(t, h, loc), http.StatusNotFound)
	mustContain(t, page, "only 1 of its 3 runs still exist")
}
