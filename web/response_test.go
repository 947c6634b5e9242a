package web

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

func TestRespondError(t *testing.T) {
	for _, tc := range []struct {
		name        string
		err         error
		wantStatus  int
		wantCode    string
		wantMessage string
		wantField   string
		wantDetails bool
		wantLogged  bool
	}{
		{"invalid", mlexp.InvalidField("axis", "unknown axis %q", "colour"), 400, "invalid", `axis: unknown axis "colour"`, "axis", false, false},
		{"invalid with details", &mlexp.Error{Code: mlexp.EINVALID, Field: "metric", Message: "metric: unknown",
			Details: map[string]any{"valid": []string{"ndcg@10", "recall@10"}}}, 400, "invalid", "metric: unknown", "metric", true, false},
		{"not found", mlexp.Errorf(mlexp.ENOTFOUND, "run %s not found", "abc"), 404, "not_found", "run abc not found", "", false, false},
		{"conflict", mlexp.Errorf(mlexp.ECONFLICT, "already deployed"), 409, "conflict", "already deployed", "", false, false},
		{"unauthorized", mlexp.Errorf(mlexp.EUNAUTHORIZED, "no token"), 401, "unauthorized", "no token", "", false, false},
		{"forbidden", mlexp.Errorf(mlexp.EFORBIDDEN, "not yours"), 403, "forbidden", "not yours", "", false, false},
		{"unavailable", mlexp.Errorf(mlexp.EUNAVAILABLE, "mlflow: down"), 503, "unavailable", "mlflow: down", "", false, false},
		{"wrapped", fmt.Errorf("loading: %w", mlexp.Errorf(mlexp.ENOTFOUND, "no model")), 404, "not_found", "no model", "", false, false},
		{"internal", &mlexp.Error{Code: mlexp.EINTERNAL, Message: "secret path /etc/x", Details: map[string]any{"k": "v"}},
			500, "internal", "internal error", "", false, true},
		{"plain error", errors.New("sql: connection string with password"), 500, "internal", "internal error", "", false, true},
		{"unknown code", mlexp.Errorf("weird", "odd"), 500, "internal", "internal error", "", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			s := newServer(Deps{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
			w := httptest.NewRecorder()
			s.respondError(w, httptest.NewRequest("GET", "/x", nil), tc.err)
			if w.Code != tc.wantStatus {
				t.Errorf("status %d, want %d", w.Code, tc.wantStatus)
			}
			a := MustDecode(t, w)
			if a.Status != "error" || a.Error.Code != tc.wantCode || a.Error.Message != tc.wantMessage || a.Error.Field != tc.wantField {
				t.Errorf("answer %s, want code %q message %q field %q", w.Body, tc.wantCode, tc.wantMessage, tc.wantField)
			}
			if got := a.Error.Details != nil; got != tc.wantDetails {
				t.Errorf("details %v, want present=%v", a.Error.Details, tc.wantDetails)
			}
			logged := strings.Contains(logs.String(), `"level":"ERROR"`)
			if logged != tc.wantLogged {
				t.Errorf("logged at error level = %v, want %v; logs %s", logged, tc.wantLogged, &logs)
			}
			if tc.wantLogged && !strings.Contains(logs.String(), tc.err.Error()[:10]) {
				t.Errorf("the log lacks the real error %q: %s", tc.err, &logs)
			}
		})
	}
}

func TestErrorStatusCoversEveryCode(t *testing.T) {
	want := map[string]int{
		mlexp.EINVALID: 400, mlexp.ENOTFOUND: 404, mlexp.ECONFLICT: 409, mlexp.EUNAUTHORIZED: 401,
		mlexp.EFORBIDDEN: 403, mlexp.EUNAVAILABLE: 503, mlexp.EINTERNAL: 500, "": 500,
	}
	for code, status := range want {
		if got := errorStatus(code); got != status {
			t.Errorf("errorStatus(%q) = %d, want %d", code, got, status)
		}
	}
}

func TestRespondJSON(t *testing.T) {
	s := newServer(Deps{})
	w := httptest.NewRecorder()
	s.respondJSON(w, httptest.NewRequest("GET", "/x", nil), http.StatusCreated, map[string]int{"n": 1})
	if w.Code != 201 || w.Body.String() != `{"status":"success","data":{"n":1}}`+"\n" {
		t.Errorf("got %d %s", w.Code, w.Body)
	}
	if w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", w.Header())
	}
}

// TestRespondJSONUnencodable checks that a value JSON cannot hold gives a clean 500 rather
// than half an answer.
func TestRespondJSONUnencodable(t *testing.T) {
	var logs bytes.Buffer
	s := newServer(Deps{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	w := httptest.NewRecorder()
	s.respondJSON(w, httptest.NewRequest("GET", "/x", nil), http.StatusOK, math.NaN())
	if w.Code != 500 {
		t.Fatalf("status %d", w.Code)
	}
	if a := MustDecode(t, w); a.Error.Code != "internal" || a.Error.Message != "internal error" {
		t.Errorf("answer %s", w.Body)
	}
	if !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("not logged: %s", &logs)
	}
}
