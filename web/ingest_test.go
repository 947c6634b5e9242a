package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/jsonedit"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// ingestServer is the API over a real tracking.Ingest and a real SQLite outbox, with no
// delivery running: an ingest waits up to wait for a delivery that only the test can make.
func ingestServer(t *testing.T, wait time.Duration) (http.Handler, *sqlstore.DB) {
	t.Helper()
	store, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "mlexp.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return NewServer(Deps{Ingest: tracking.NewIngest(store, nil, wait)}), store
}

// MustPost POSTs body to path on h and returns the recorded answer.
func MustPost(tb testing.TB, h http.Handler, path string, body []byte) *httptest.ResponseRecorder {
	tb.Helper()
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(w, r)
	return w
}

// ingestData is the data of an ingest answer.
type ingestData struct {
	ID             string    `json:"id"`
	Kind           string    `json:"kind"`
	IdempotencyKey string    `json:"idempotency_key"`
	Status         string    `json:"status"`
	Attempts       int       `json:"attempts"`
	RunID          string    `json:"run_id"`
	LastError      string    `json:"last_error"`
	CreatedAt      time.Time `json:"created_at"`
	StatusURL      string    `json:"status_url"`
}

// mustIngestAnswer checks a successful ingest answer's status and envelope and returns its data.
func mustIngestAnswer(tb testing.TB, w *httptest.ResponseRecorder, status int) ingestData {
	tb.Helper()
	if w.Code != status {
		tb.Fatalf("status %d, want %d; body %s", w.Code, status, w.Body)
	}
	a := MustDecode(tb, w)
	var d ingestData
	if a.Status != "success" || json.Unmarshal(a.Data, &d) != nil {
		tb.Fatalf("answer %s, want the success envelope of an ingest item", w.Body)
	}
	if d.ID == "" || d.StatusURL != "/api/experiments/ingest/"+d.ID+"/" {
		tb.Fatalf("answer %s: want an id and its status_url", w.Body)
	}
	return d
}

// mustError checks an error answer's status, code and field.
func mustError(tb testing.TB, w *httptest.ResponseRecorder, status int, code, field string) answer {
	tb.Helper()
	if w.Code != status {
		tb.Fatalf("status %d, want %d; body %s", w.Code, status, w.Body)
	}
	a := MustDecode(tb, w)
	if a.Status != "error" || a.Error.Code != code || a.Error.Field != field || a.Error.Message == "" {
		tb.Fatalf("answer %s, want error code %q field %q with a message", w.Body, code, field)
	}
	if field != "" && !strings.HasPrefix(a.Error.Message, field+": ") {
		tb.Errorf("message %q does not start with the field %q", a.Error.Message, field)
	}
	return a
}

// ingestRoutes are the two ingest endpoints with a valid body each.
func ingestRoutes(t *testing.T) []struct {
	name, path, kind, key string
	report                any
} {
	q, r := sample.QuickTestReport(), sample.TrainingRunReport()
	return []struct {
		name, path, kind, key string
		report                any
	}{
		{"quick test", "/api/experiments/quick-tests", mlexp.KindQuickTest, tracking.QuickTestKey(q), q},
		{"training run", "/api/experiments/training-runs", mlexp.KindTrainingRun, tracking.TrainingRunKey(r), r},
	}
}

func TestIngestAccepted(t *testing.T) {
	for _, rt := range ingestRoutes(t) {
		for _, slash := range []string{"/", ""} {
			t.Run(rt.name+" "+rt.path+slash, func(t *testing.T) {
				h, store := ingestServer(t, 0)
				w := MustPost(t, h, rt.path+slash, jsonedit.Body(t, rt.report))
				d := mustIngestAnswer(t, w, http.StatusAccepted)
				if loc := w.Header().Get("Location"); loc != d.StatusURL {
					t.Errorf("Location %q, want the status URL %q", loc, d.StatusURL)
				}
				if d.Status != mlexp.OutboxPending || d.Kind != rt.kind || d.IdempotencyKey != rt.key || d.RunID != "" || d.CreatedAt.IsZero() {
					t.Errorf("answer %+v, want a pending %s item with key %s", d, rt.kind, rt.key)
				}
				// It is committed to the outbox before the answer.
				item, err := store.OutboxItem(t.Context(), d.ID)
				if err != nil || item.Status != mlexp.OutboxPending || item.IdempotencyKey != rt.key || len(item.Payload) == 0 {
					t.Fatalf("outbox has %+v, %v", item, err)
				}

				for _, url := range []string{d.StatusURL, strings.TrimSuffix(d.StatusURL, "/")} {
					w := MustServe(t, h, http.MethodGet, url)
					got := mustIngestAnswer(t, w, http.StatusOK)
					if got.ID != d.ID || got.Status != mlexp.OutboxPending || got.IdempotencyKey != rt.key {
						t.Errorf("GET %s: %+v, want pending item %s", url, got, d.ID)
					}
				}
			})
		}
	}
}

// TestIngestIdempotent checks that a result reported again is the same item, and that one
// reported again with other values is refused.
func TestIngestIdempotent(t *testing.T) {
	h, store := ingestServer(t, 0)
	q := sample.QuickTestReport()
	path := "/api/experiments/quick-tests/"
	first := mustIngestAnswer(t, MustPost(t, h, path, jsonedit.Body(t, q)), http.StatusAccepted)

	// The same result, however written: repeated, indented, in another time zone.
	indented, _ := json.MarshalIndent(q, "", "    ")
	inParis := jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.started_at", Value: "2026-11-24T10:00:00+01:00"}, jsonedit.Edit{Path: "quick_test.finished_at", Value: "2026-11-24T10:08:00+01:00"})
	for name, body := range map[string][]byte{"again": jsonedit.Body(t, q), "indented": indented, "other time zone": inParis} {
		d := mustIngestAnswer(t, MustPost(t, h, path, body), http.StatusAccepted)
		if d.ID != first.ID {
			t.Errorf("%s: id %s, want the first id %s", name, d.ID, first.ID)
		}
	}

	// The same ids with other values.
	for name, body := range map[string][]byte{
		"other epochs": jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.epochs", Value: 3}),
		"other recall": jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.metrics.recall_at_10", Value: 0.2}),
		"other names":  jsonedit.Body(t, q, jsonedit.Edit{Path: "model.name", Value: "retail-recs-2"}),
	} {
		a := mustError(t, MustPost(t, h, path, body), http.StatusConflict, mlexp.ECONFLICT, "")
		if a.Error.Details["id"] != first.ID || a.Error.Details["idempotency_key"] != first.IdempotencyKey {
			t.Errorf("%s: details %v, want the stored id %s and its key", name, a.Error.Details, first.ID)
		}
	}

	// Another quick test of the same configuration is another item.
	other := mustIngestAnswer(t, MustPost(t, h, path, jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.id", Value: 4})), http.StatusAccepted)
	if other.ID == first.ID {
		t.Errorf("quick test #4 got the id of #3")
	}
	counts, err := store.OutboxCounts(t.Context())
	if err != nil || counts[mlexp.OutboxPending] != 2 {
		t.Errorf("outbox counts %v, %v; want 2 pending", counts, err)
	}
}

// TestIngestBadInput checks that every kind of bad input gets a 4xx naming the field, and
// that none of it reaches the outbox.
func TestIngestBadInput(t *testing.T) {
	h, store := ingestServer(t, 0)
	q, r := sample.QuickTestReport(), sample.TrainingRunReport()
	valid := jsonedit.Body(t, q)
	big := append(bytes.Clone(valid), bytes.Repeat([]byte(" "), maxBodyBytes)...)
	const qt, tr = "/api/experiments/quick-tests", "/api/experiments/training-runs"
	for _, tc := range []struct {
		name, path string
		body       []byte
		field      string
	}{
		{"malformed", qt, []byte(`{"model": {`), "body"},
		{"empty", qt, nil, "body"},
		{"trailing data", qt, append(bytes.Clone(valid), valid...), "body"},
		{"a list", tr, []byte(`[]`), "body"},
		{"over the size limit", qt, big, "body"},
		{"unknown field", qt, jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.sample_percent", Value: 10}), "quick_test.sample_percent"},
		{"unknown field in history", tr, jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.history[0].ndcg", Value: 0.1}), "training_run.history[0].ndcg"},
		{"string for a number", qt, jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.epochs", Value: "2"}), "quick_test.epochs"},
		{"NaN for a number", tr, jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.metrics.loss", Value: "NaN"}), "training_run.metrics.loss"},
		{"bad time", qt, jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.started_at", Value: "24/11/2026 09:00"}), "quick_test.started_at"},
		{"missing model id", qt, jsonedit.Body(t, q, jsonedit.Edit{Path: "model.id", Value: jsonedit.Delete}), "model.id"},
		{"missing training run", tr, jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run", Value: jsonedit.Delete}), "training_run.id"},
		{"negative dim", tr, jsonedit.Body(t, r, jsonedit.Edit{Path: "feature_config.query_tower[0].embedding_dim", Value: -64}), "feature_config.query_tower[0].embedding_dim"},
		{"percentage over 100", qt, jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.data_sample_percent", Value: 100.5}), "quick_test.data_sample_percent"},
		{"quick test to training runs", tr, valid, "quick_test"},
	} {
		for _, slash := range []string{"/", ""} {
			t.Run(tc.name+slash, func(t *testing.T) {
				mustError(t, MustPost(t, h, tc.path+slash, tc.body), http.StatusBadRequest, mlexp.EINVALID, tc.field)
			})
		}
	}
	counts, err := store.OutboxCounts(t.Context())
	if err != nil || counts[mlexp.OutboxPending]+counts[mlexp.OutboxDelivered]+counts[mlexp.OutboxFailed] != 0 {
		t.Errorf("outbox counts %v, %v; want it empty", counts, err)
	}
}

func TestIngestOversizeLimitDetails(t *testing.T) {
	h, _ := ingestServer(t, 0)
	a := mustError(t, MustPost(t, h, "/api/experiments/training-runs/", bytes.Repeat([]byte("{"), 2*maxBodyBytes)),
		http.StatusBadRequest, mlexp.EINVALID, "body")
	if a.Error.Details["limit_bytes"] != float64(maxBodyBytes) {
		t.Errorf("details %v, want limit_bytes %d", a.Error.Details, maxBodyBytes)
	}
}

// TestIngestBadInputListsEveryField: a body with several invalid fields gets one 400 that
// names the first in field and lists every one in details.errors.
func TestIngestBadInputListsEveryField(t *testing.T) {
	h, _ := ingestServer(t, 0)
	body := jsonedit.Body(t, sample.QuickTestReport(),
		jsonedit.Edit{Path: "model.id", Value: ""},
		jsonedit.Edit{Path: "quick_test.epochs", Value: 0},
		jsonedit.Edit{Path: "quick_test.metrics.recall_at_10", Value: 47.3})
	a := mustError(t, MustPost(t, h, "/api/experiments/quick-tests/", body), http.StatusBadRequest, mlexp.EINVALID, "model.id")
	var fields []string
	list, _ := a.Error.Details["errors"].([]any)
	for _, f := range list {
		m, _ := f.(map[string]any)
		fields = append(fields, fmt.Sprint(m["field"]))
	}
	if got, want := strings.Join(fields, " "), "model.id quick_test.epochs quick_test.metrics.recall_at_10"; got != want {
		t.Errorf("details.errors names %q, want %q; answer %v", got, want, a.Error)
	}
}

func TestIngestStatusUnknown(t *testing.T) {
	h, _ := ingestServer(t, 0)
	for _, url := range []string{"/api/experiments/ingest/0123456789abcdef01234567/", "/api/experiments/ingest/nope", "/api/experiments/ingest/%27%20OR%201=1--/"} {
		mustError(t, MustServe(t, h, http.MethodGet, url), http.StatusNotFound, mlexp.ENOTFOUND, "")
	}
}

func TestIngestMethodNotAllowed(t *testing.T) {
	h, _ := ingestServer(t, 0)
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/api/experiments/quick-tests/"},
		{http.MethodPut, "/api/experiments/training-runs"},
		{http.MethodPost, "/api/experiments/ingest/abc/"},
	} {
		if w := MustServe(t, h, tc.method, tc.path); w.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: status %d, want 405", tc.method, tc.path, w.Code)
		}
	}
}

// deliverNext plays the delivery: it claims the next item of the outbox as soon as there is
// one, and settles it with settle.
func deliverNext(t *testing.T, store *sqlstore.DB, settle func(ctx context.Context, item *mlexp.OutboxItem) error) chan error {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for ctx.Err() == nil {
			item, err := store.Claim(ctx, "test-worker", time.Now(), time.Minute)
			if err != nil {
				done <- err
				return
			}
			if item != nil {
				done <- settle(ctx, item)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		done <- ctx.Err()
	}()
	return done
}

// TestIngestDeliveredInTime checks the 201 answer: the delivery completed within the wait.
func TestIngestDeliveredInTime(t *testing.T) {
	for _, rt := range ingestRoutes(t) {
		t.Run(rt.name, func(t *testing.T) {
			h, store := ingestServer(t, 10*time.Second)
			done := deliverNext(t, store, func(ctx context.Context, item *mlexp.OutboxItem) error {
				return store.Delivered(ctx, item.ID, "test-worker", "run-"+item.ID, time.Now())
			})
			w := MustPost(t, h, rt.path+"/", jsonedit.Body(t, rt.report))
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			d := mustIngestAnswer(t, w, http.StatusCreated)
			if d.Status != mlexp.OutboxDelivered || d.RunID != "run-"+d.ID || d.Attempts != 1 {
				t.Errorf("answer %+v, want delivered as run-%s", d, d.ID)
			}
			if loc := w.Header().Get("Location"); loc != "" {
				t.Errorf("Location %q on a 201 of a delivered item", loc)
			}
			got := mustIngestAnswer(t, MustServe(t, h, http.MethodGet, d.StatusURL), http.StatusOK)
			if got.Status != mlexp.OutboxDelivered || got.RunID != d.RunID {
				t.Errorf("status answer %+v, want delivered as %s", got, d.RunID)
			}
			// Reported again, it is answered with the run at once.
			again := mustIngestAnswer(t, MustPost(t, h, rt.path, jsonedit.Body(t, rt.report)), http.StatusCreated)
			if again.ID != d.ID || again.RunID != d.RunID {
				t.Errorf("again: %+v, want %+v", again, d)
			}
		})
	}
}

// TestIngestRefused checks the answer when MLflow refuses the result for good within the wait.
func TestIngestRefused(t *testing.T) {
	h, store := ingestServer(t, 10*time.Second)
	done := deliverNext(t, store, func(ctx context.Context, item *mlexp.OutboxItem) error {
		return store.Fail(ctx, item.ID, "test-worker", "mlflow: invalid params[3].value: too long", time.Now())
	})
	w := MustPost(t, h, "/api/experiments/quick-tests", jsonedit.Body(t, sample.QuickTestReport()))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	a := mustError(t, w, http.StatusBadRequest, mlexp.EINVALID, "")
	if !strings.Contains(a.Error.Message, "too long") || a.Error.Details["id"] == nil || a.Error.Details["status_url"] == nil {
		t.Errorf("answer %s, want the reason, the id and the status URL", w.Body)
	}
	st := mustIngestAnswer(t, MustServe(t, h, http.MethodGet, a.Error.Details["status_url"].(string)), http.StatusOK)
	if st.Status != mlexp.OutboxFailed || !strings.Contains(st.LastError, "too long") {
		t.Errorf("status %+v, want failed with the reason", st)
	}
}

// TestIngestWaitsThenAccepts checks that an ingest waits for the delivery, but not longer
// than its wait.
func TestIngestWaitsThenAccepts(t *testing.T) {
	h, _ := ingestServer(t, 150*time.Millisecond)
	start := time.Now()
	d := mustIngestAnswer(t, MustPost(t, h, "/api/experiments/quick-tests/", jsonedit.Body(t, sample.QuickTestReport())), http.StatusAccepted)
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("answered after %s, before its wait of 150ms was over", took)
	}
	if d.Status != mlexp.OutboxPending {
		t.Errorf("status %q, want pending", d.Status)
	}
}

func TestIngestNotConfigured(t *testing.T) {
	h := NewServer(Deps{})
	for _, tc := range []struct{ method, path string }{
		{http.MethodPost, "/api/experiments/quick-tests/"},
		{http.MethodPost, "/api/experiments/training-runs"},
		{http.MethodGet, "/api/experiments/ingest/abc/"},
		{http.MethodPost, "/api/experiments/runs/abc/deploy/"},
		{http.MethodPost, "/api/experiments/runs/abc/deploy"},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, strings.NewReader("{}")))
		mustError(t, w, http.StatusServiceUnavailable, mlexp.EUNAVAILABLE, "")
	}
}
