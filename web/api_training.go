package web

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mlexp-dev/mlexp"
)

// trainingTimeout bounds a request to the training service (the server's trainHTTP.Timeout,
// which tests shorten).
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

// fullTrainingRequest is what the training service receives. The idempotency key is also
// sent as the Idempotency-Key header.
type fullTrainingRequest struct {
	fullTrainingInput
	IdempotencyKey string    `json:"idempotency_key"`
	RequestedAt    time.Time `json:"requested_at"`
}

// trainingKey is the idempotency key of a request for a full training: the same for the
// same model, dataset, config and source run, so that a retried click (after a timeout,
// say) sends the same key, and a training service that honours it starts one training.
func trainingKey(in fullTrainingInput) string {
	b, _ := json.Marshal([]string{in.ModelID, in.DatasetID, in.ConfigID, in.SourceRunID}) // strings always encode
	sum := sha256.Sum256(b)
	return "mlexp-full-training-" + hex.EncodeToString(sum[:16])
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
	req := fullTrainingRequest{fullTrainingInput: in, IdempotencyKey: trainingKey(in), RequestedAt: s.now().UTC()}
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
	timeout := cmp.Or(s.trainHTTP.Timeout, trainingTimeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, s.trainURL, bytes.NewReader(body))
	if err != nil {
		return ans, mlexp.Errorf(mlexp.EUNAVAILABLE, "the training service URL %s is not usable: %v", target, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("Idempotency-Key", req.IdempotencyKey)
	resp, err := s.trainHTTP.Do(hreq)
	if err != nil {
		return ans, trainingSendError(target, req.IdempotencyKey, timeout, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxTrainingAnswer))
	if err != nil {
		return ans, &mlexp.Error{Code: mlexp.EUNAVAILABLE, Dependency: mlexp.DependencyTraining, Err: err,
			Message: fmt.Sprintf("reading the answer (%d) of the training service at %s: %v; it may have started the training — check before retrying; %s",
				resp.StatusCode, target, err, sameKey(req.IdempotencyKey)),
			Details: map[string]any{"idempotency_key": req.IdempotencyKey, "training_service_status": resp.StatusCode}}
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

// trainingSendError says what a failed request to the training service means for the
// user. Only when the connection could not even be made was nothing sent, hence nothing
// started; after a timeout or a broken connection the service may have received the
// request and started the training, so the user must check before retrying, and a retry
// sends the same idempotency key.
func trainingSendError(target, key string, timeout time.Duration, err error) error {
	cause := unwrapURLError(err)
	e := &mlexp.Error{Code: mlexp.EUNAVAILABLE, Dependency: mlexp.DependencyTraining, Err: err,
		Details: map[string]any{"idempotency_key": key}}
	var op *net.OpError
	var ne net.Error
	switch {
	case errors.As(err, &op) && op.Op == "dial":
		e.Message = fmt.Sprintf("the training service at %s cannot be reached; nothing was started (%v)", target, cause)
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		e.Message = fmt.Sprintf("the training service at %s did not answer within %s; it may have started the training — check before retrying; %s",
			target, timeout, sameKey(key))
	default:
		e.Message = fmt.Sprintf("the training service at %s failed before answering (%v); it may have started the training — check before retrying; %s",
			target, cause, sameKey(key))
	}
	return e
}

func sameKey(key string) string {
	return "retrying sends the same idempotency key (" + key + "), so a service that honours it starts no second training"
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
