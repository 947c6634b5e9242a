package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mlexp-dev/mlexp"
)

// trainingTimeout bounds a request to the training service.
const trainingTimeout = 15 * time.Second

// maxTrainingAnswer bounds how much of the training service's answer is read.
const maxTrainingAnswer = 1 << 20

// fullTrainingInput is what a user asks for: a full training of a config, usually the
// quick-test winner of a comparison.
type fullTrainingInput struct {
	ModelID     string `json:"model_id"`
	DatasetID   string `json:"dataset_id"`
	ConfigID    string `json:"config_id"`
	SourceRunID string `json:"source_run_id,omitempty"`
}

// fullTrainingRequest is what the training service receives.
type fullTrainingRequest struct {
	fullTrainingInput
	RequestedAt time.Time `json:"requested_at"`
}

// fullTrainingAnswer is the answer of the full-training route.
type fullTrainingAnswer struct {
	Request         fullTrainingRequest `json:"request"`
	TrainingStatus  int                 `json:"training_service_status"`
	TrainingAnswer  any                 `json:"training_service_response"`
	TrainingMessage string              `json:"-"`
}

// trainingRequestedPage is the HTML answer to the comparison page's form.
type trainingRequestedPage struct {
	Layout  pageLayout
	Answer  fullTrainingAnswer
	Message string
	Back    string
}

// handleFullTrainingRequest forwards a request for a full training, as JSON, to the
// training service at MLEXP_TRAINING_URL, and answers with its result. It takes a JSON
// body (answered in JSON) or the comparison page's form (answered with a page).
func (s *server) handleFullTrainingRequest(w http.ResponseWriter, r *http.Request) {
	form := isFormPost(r)
	fail := func(err error) {
		if form {
			s.pageError(w, r, err)
		} else {
			s.respondError(w, r, err)
		}
	}
	var in fullTrainingInput
	if form {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		if err := r.ParseForm(); err != nil {
			fail(mlexp.InvalidField("body", "is not a readable form: %v", err))
			return
		}
		in = fullTrainingInput{ModelID: r.PostForm.Get("model_id"), DatasetID: r.PostForm.Get("dataset_id"),
			ConfigID: r.PostForm.Get("config_id"), SourceRunID: r.PostForm.Get("source_run_id")}
	} else {
		var err error
		if in, err = decode[fullTrainingInput](w, r); err != nil {
			fail(err)
			return
		}
	}
	if err := in.validate(); err != nil {
		fail(err)
		return
	}
	if s.trainURL == "" {
		fail(mlexp.Errorf(mlexp.EUNAVAILABLE, "requesting full trainings is not configured on this server: set MLEXP_TRAINING_URL (--training-url) to the training service's URL"))
		return
	}
	req := fullTrainingRequest{fullTrainingInput: in, RequestedAt: s.now().UTC()}
	answer, err := s.forwardTraining(r.Context(), req)
	if err != nil {
		fail(err)
		return
	}
	if !form {
		status := http.StatusOK
		if answer.TrainingStatus == http.StatusCreated || answer.TrainingStatus == http.StatusAccepted {
			status = answer.TrainingStatus
		}
		s.respondJSON(w, r, status, answer)
		return
	}
	p := trainingRequestedPage{Layout: pageLayout{Title: "Full training requested", Nav: pageNav{ModelName: in.ModelID,
		Dashboard: dashboardURL(in.ModelID, in.DatasetID), Runs: runsURL(in.ModelID, in.DatasetID), MLflow: s.explore.TrackingURL()}},
		Answer: answer, Message: answer.TrainingMessage, Back: r.Referer()}
	if u, err := url.Parse(p.Back); err != nil || u.Host != r.Host || !strings.HasPrefix(u.Path, "/compare/") {
		p.Back = ""
	}
	s.render(w, r, http.StatusOK, viewTrainingRequested, p)
}

func isFormPost(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}

func (in fullTrainingInput) validate() error {
	for _, f := range []struct {
		name, value string
		required    bool
	}{{"model_id", in.ModelID, true}, {"dataset_id", in.DatasetID, true}, {"config_id", in.ConfigID, true}, {"source_run_id", in.SourceRunID, false}} {
		switch {
		case f.value == "" && f.required:
			return mlexp.InvalidField(f.name, "is required")
		case !utf8.ValidString(f.value) || utf8.RuneCountInString(f.value) > 200:
			return mlexp.InvalidField(f.name, "must be valid UTF-8 of at most 200 characters")
		case strings.ContainsFunc(f.value, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return mlexp.InvalidField(f.name, "contains a control character")
		}
	}
	return nil
}

// forwardTraining posts req to the training service. Its 2xx answer is the result; a
// refusal or failure becomes an mlexp error that says what the service answered.
func (s *server) forwardTraining(ctx context.Context, req fullTrainingRequest) (fullTrainingAnswer, error) {
	ans := fullTrainingAnswer{Request: req}
	target := s.trainURL
	if u, err := url.Parse(target); err == nil {
		target = u.Redacted() // never show credentials in a URL
	}
	body, err := json.Marshal(req)
	if err != nil {
		return ans, err
	}
	ctx, cancel := context.WithTimeout(ctx, trainingTimeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, s.trainURL, bytes.NewReader(body))
	if err != nil {
		return ans, mlexp.Errorf(mlexp.EUNAVAILABLE, "the training service URL %s is not usable: %v", target, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	resp, err := s.trainHTTP.Do(hreq)
	if err != nil {
		return ans, &mlexp.Error{Code: mlexp.EUNAVAILABLE, Err: err,
			Message: fmt.Sprintf("the training service at %s cannot be reached; nothing was started (%v)", target, unwrapURLError(err))}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxTrainingAnswer))
	if err != nil {
		return ans, &mlexp.Error{Code: mlexp.EUNAVAILABLE, Err: err, Message: fmt.Sprintf("reading the answer of the training service at %s: %v", target, err)}
	}
	ans.TrainingStatus = resp.StatusCode
	ans.TrainingAnswer, ans.TrainingMessage = trainingAnswerOf(raw)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return ans, nil
	}
	details := map[string]any{"training_service_status": resp.StatusCode, "training_service_response": ans.TrainingAnswer}
	msg := fmt.Sprintf("the training service answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	if ans.TrainingMessage != "" {
		msg += ": " + ans.TrainingMessage
	}
	code := mlexp.EUNAVAILABLE
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		code = mlexp.EINVALID
	case http.StatusConflict:
		code = mlexp.ECONFLICT
	}
	return ans, &mlexp.Error{Code: code, Message: msg, Details: details}
}

// trainingAnswerOf reads the training service's answer: JSON when it is JSON, else text;
// and a short message for people from its message or error field, or the text itself.
func trainingAnswerOf(raw []byte) (any, string) {
	var v any
	if json.Unmarshal(raw, &v) == nil {
		msg := ""
		if m, ok := v.(map[string]any); ok {
			for _, k := range []string{"message", "error", "detail", "status"} {
				if s, ok := m[k].(string); ok && s != "" {
					msg = s
					break
				}
			}
		}
		return v, shorten(msg)
	}
	text := strings.ToValidUTF8(strings.TrimSpace(string(raw)), "�")
	return text, shorten(text)
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > 300 {
		s = string([]rune(s)[:300]) + "…"
	}
	return s
}

// unwrapURLError drops the "Post "url":" prefix of a client error, whose URL may carry
// credentials.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
