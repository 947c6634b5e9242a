package web

import (
	"bytes"
	"io"
	"net/http"
	"net/url"

	"github.com/mlexp-dev/mlexp"
)

// promoteInput is the optional body of a promotion or rollback.
type promoteInput struct {
	ModelID   string `json:"model_id,omitempty"` // promote under this model: the run must be its
	Note      string `json:"note,omitempty"`
	DatasetID string `json:"-"` // forms: the dataset whose pages to return to
}

// deployAnswer is the answer to a promotion: the fields of the first version of the route
// (run_id, is_deployed, cleared), and the recorded deployment.
type deployAnswer struct {
	RunID      string            `json:"run_id"`
	IsDeployed bool              `json:"is_deployed"`
	Cleared    []string          `json:"cleared"`
	Changed    bool              `json:"changed"`
	Deployment *mlexp.Deployment `json:"deployment"`
}

// readPromoteInput reads the optional JSON body, or the form of a page.
func readPromoteInput(w http.ResponseWriter, r *http.Request, form bool) (promoteInput, error) {
	if form {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		if err := r.ParseForm(); err != nil {
			return promoteInput{}, mlexp.InvalidField("body", "is not a readable form: %v", err)
		}
		return promoteInput{ModelID: r.PostForm.Get("model_id"), Note: r.PostForm.Get("note"), DatasetID: r.PostForm.Get("dataset_id")}, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return promoteInput{}, mlexp.InvalidField("body", "could not be read or is larger than %d bytes", maxBodyBytes)
	}
	var in promoteInput
	if len(bytes.TrimSpace(body)) == 0 {
		return in, nil
	}
	return in, decodeBytes(body, &in)
}

// handleDeploy promotes a run: POST /api/experiments/runs/{run_id}/deploy/, with an optional
// body {"model_id", "note"}, or the Promote form of the runs table and comparison pages,
// which is answered with a redirect to the model's deployment history.
func (s *server) handleDeploy(w http.ResponseWriter, r *http.Request) {
	s.promotion(w, r, true, func(in promoteInput) (*mlexp.Promotion, error) {
		return s.promoter.Promote(r.Context(), mlexp.PromoteRequest{RunID: r.PathValue("run_id"), ModelID: in.ModelID, By: UserFrom(r.Context()), Note: in.Note})
	})
}

// handleRollback promotes again the run deployed before the model's current one.
func (s *server) handleRollback(w http.ResponseWriter, r *http.Request) {
	s.promotion(w, r, false, func(in promoteInput) (*mlexp.Promotion, error) {
		if in.ModelID != "" {
			return nil, mlexp.InvalidField("model_id", "is given by the path")
		}
		return s.promoter.Rollback(r.Context(), r.PathValue("model_id"), UserFrom(r.Context()), in.Note)
	})
}

// promotion reads a promotion request (JSON or a page's form), runs promote, and answers: a
// form with a redirect to the history page, JSON with the deployment; errors as each expects.
// With confirm, a form that is not confirmed yet gets the confirmation page instead.
func (s *server) promotion(w http.ResponseWriter, r *http.Request, confirm bool, promote func(promoteInput) (*mlexp.Promotion, error)) {
	form := isFormPost(r)
	in, err := readPromoteInput(w, r, form)
	if err != nil {
		s.failFor(w, r, form, err)
		return
	}
	if confirm && needsConfirmation(r) {
		s.confirmPromotion(w, r, in)
		return
	}
	p, err := promote(in)
	if err != nil {
		s.failFor(w, r, form, err)
		return
	}
	if form {
		s.redirectToHistory(w, r, p, in.DatasetID)
		return
	}
	s.respondJSON(w, r, http.StatusOK, deployAnswer{RunID: p.Deployment.RunID, IsDeployed: true, Cleared: p.Cleared, Changed: p.Changed, Deployment: p.Deployment})
}

// redirectToHistory answers a form with 303 to the history page, which shows the outcome.
func (s *server) redirectToHistory(w http.ResponseWriter, r *http.Request, p *mlexp.Promotion, datasetID string) {
	q := url.Values{"dataset_id": {datasetID}, "done": {p.Deployment.ID}}
	if !p.Changed {
		q.Set("unchanged", "1")
	}
	http.Redirect(w, r, withQuery(deploymentsURL(p.Deployment.ModelID), q), http.StatusSeeOther)
}

// failFor answers an error as a page to a form, else in JSON.
func (s *server) failFor(w http.ResponseWriter, r *http.Request, form bool, err error) {
	if form {
		s.pageError(w, r, err)
		return
	}
	s.respondError(w, r, err)
}

// deploymentsAnswer is a model's deployment history.
type deploymentsAnswer struct {
	ModelID     string             `json:"model_id"`
	Current     *mlexp.Deployment  `json:"current"` // the newest, nil without history
	Deployments []mlexp.Deployment `json:"deployments"`
	// Registry compares the model's registry alias in MLflow with the history; nil when it
	// could not be read.
	Registry *mlexp.AliasStatus `json:"registry"`
}

// Bounds of the history a request may ask for.
const (
	defaultHistoryLimit = 100
	maxHistoryLimit     = 1000
)

func (s *server) handleDeployments(w http.ResponseWriter, r *http.Request) (any, error) {
	limit, err := intParam(r.URL.Query().Get("limit"), "limit", 1, maxHistoryLimit)
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = defaultHistoryLimit
	}
	modelID := r.PathValue("model_id")
	h, err := s.promoter.History(r.Context(), modelID, limit)
	if err != nil {
		return nil, err
	}
	ans := deploymentsAnswer{ModelID: modelID, Deployments: h, Registry: s.aliasStatus(r, modelID)}
	if len(h) > 0 {
		ans.Current = &h[0]
	}
	return ans, nil
}

// aliasStatus compares the model's registry alias with its history, best effort: the history
// is mlexp's own and is shown also when MLflow cannot be read.
func (s *server) aliasStatus(r *http.Request, modelID string) *mlexp.AliasStatus {
	ar, ok := s.promoter.(mlexp.AliasReporter)
	if !ok {
		return nil
	}
	st, err := ar.AliasStatus(r.Context(), modelID)
	if err != nil {
		s.logger.Warn("reading the registry alias", "model_id", modelID, "error", err)
		return nil
	}
	return st
}
