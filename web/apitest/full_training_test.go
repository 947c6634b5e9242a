package apitest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// trainingService stands in for the service that starts full trainings (there is none to
// run here): it answers by the config_id it is asked for, as such a service might.
func trainingService(t *testing.T) string {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ConfigID string `json:"config_id"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch req.ConfigID {
		case "unknown-config":
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"error":"no such config"}`)
		case "busy-config":
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, `{"message":"a training of this config is running"}`)
		case "broken-config":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, "boom")
		case "sync-config":
			fmt.Fprint(w, `{"status":"started","job":"job-2"}`)
		default:
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprint(w, `{"status":"queued","job":"job-1"}`)
		}
	}))
	t.Cleanup(s.Close)
	return s.URL + "/train"
}

func (a *api) fullTraining(t *testing.T, s seed) {
	const route = "/api/experiments/full-training-requests/"
	post := func(body string, valid bool, status int, field ...string) answer {
		t.Helper()
		return a.call(t, a.url, http.MethodPost, route, route, []byte(body), valid).want(t, "full training "+body, status, field...)
	}
	request := func(config string) string {
		return fmt.Sprintf(`{"model_id":%q,"dataset_id":"dataset-001","config_id":%q,"source_run_id":%q}`, s.model, config, s.quick2)
	}
	var ans struct {
		Request struct {
			ConfigID    string    `json:"config_id"`
			RequestedAt time.Time `json:"requested_at"`
		} `json:"request"`
		Status int `json:"training_service_status"`
	}
	post(request("config-043"), true, http.StatusAccepted).decode(t, &ans)
	if ans.Request.ConfigID != "config-043" || ans.Status != http.StatusAccepted || ans.Request.RequestedAt.IsZero() {
		t.Errorf("full training answer %+v", ans)
	}
	post(request("sync-config"), true, http.StatusOK)
	post(request("unknown-config"), true, http.StatusBadRequest)
	post(request("busy-config"), true, http.StatusConflict)
	post(request("broken-config"), true, http.StatusServiceUnavailable)
	post(`{"model_id":"m","dataset_id":"d"}`, false, http.StatusBadRequest, "config_id")
	post(`{"model_id":"m","dataset_id":"d","config_id":"c","priority":1}`, false, http.StatusBadRequest, "priority")
	post(`{"model_id":"m","dataset_id":"d","config_id":"c\u0007"}`, false, http.StatusBadRequest, "config_id")

	// The comparison page's form is answered with a page; a browser's cross-site request is refused.
	form := url.Values{"model_id": {s.model}, "dataset_id": {"dataset-001"}, "config_id": {"config-043"}, "source_run_id": {s.quick2}}
	ans2 := a.callWith(t, a.url, http.MethodPost, route, route, []byte(form.Encode()), "application/x-www-form-urlencoded", nil, true).
		want(t, "full training form", http.StatusOK)
	if ct := ans2.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("full training form: Content-Type %q, want a page", ct)
	}
	cross := http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://elsewhere.example"}}
	a.callWith(t, a.url, http.MethodPost, route, route, []byte(request("config-043")), "application/json", cross, true).
		want(t, "cross-site full training", http.StatusForbidden)
}
