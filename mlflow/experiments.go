package mlflow

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"unicode/utf8"
)

const api = "/api/2.0/mlflow/"

// CreateExperiment creates an experiment and returns its id. An existing name gives an error
// that errors.Is(err, ErrAlreadyExists).
func (c *Client) CreateExperiment(ctx context.Context, name, artifactLocation string, tags []Tag) (string, error) {
	if name == "" || utf8.RuneCountInString(name) > MaxExperimentName {
		return "", &ValidationError{"name", fmt.Sprintf("experiment name must be 1 to %d characters", MaxExperimentName)}
	}
	for i, t := range tags {
		if err := validateExperimentTag(fmt.Sprintf("tags[%d]", i), t); err != nil {
			return "", err
		}
	}
	var out struct {
		ID string `json:"experiment_id"`
	}
	body := map[string]any{"name": name}
	if len(tags) > 0 { // MLflow fails on a JSON null list
		body["tags"] = tags
	}
	if artifactLocation != "" {
		body["artifact_location"] = artifactLocation
	}
	// Not idempotent: a retried create whose first try succeeded answers "already exists".
	_, err := c.do(ctx, request{method: http.MethodPost, path: api + "experiments/create", endpoint: "experiments/create", body: body}, &out)
	return out.ID, err
}

// GetExperiment returns the experiment with the given id.
func (c *Client) GetExperiment(ctx context.Context, id string) (*Experiment, error) {
	var out struct {
		Experiment Experiment `json:"experiment"`
	}
	_, err := c.do(ctx, request{method: http.MethodGet, path: api + "experiments/get", endpoint: "experiments/get",
		query: url.Values{"experiment_id": {id}}, idempotent: true}, &out)
	if err != nil {
		return nil, err
	}
	return &out.Experiment, nil
}

// GetExperimentByName returns the experiment with the given name (deleted ones included, as
// MLflow does); errors.Is(err, ErrNotFound) when there is none.
func (c *Client) GetExperimentByName(ctx context.Context, name string) (*Experiment, error) {
	var out struct {
		Experiment Experiment `json:"experiment"`
	}
	_, err := c.do(ctx, request{method: http.MethodGet, path: api + "experiments/get-by-name", endpoint: "experiments/get-by-name",
		query: url.Values{"experiment_name": {name}}, idempotent: true}, &out)
	if err != nil {
		return nil, err
	}
	return &out.Experiment, nil
}

// SearchExperimentsRequest selects experiments. Build Filter with the filter helpers of this
// package, never by pasting user text.
type SearchExperimentsRequest struct {
	Filter   string
	OrderBy  []string
	ViewType ViewType // default ACTIVE_ONLY
	PageSize int      // default 1000
}

// SearchExperiments returns every experiment that matches, walking all pages.
func (c *Client) SearchExperiments(ctx context.Context, req SearchExperimentsRequest) ([]Experiment, error) {
	pageSize := req.PageSize
	if pageSize <= 0 {
		pageSize = 1000
	}
	var all []Experiment
	token := ""
	for {
		body := map[string]any{"max_results": pageSize}
		if req.Filter != "" {
			body["filter"] = req.Filter
		}
		if len(req.OrderBy) > 0 {
			body["order_by"] = req.OrderBy
		}
		if req.ViewType != "" {
			body["view_type"] = req.ViewType
		}
		if token != "" {
			body["page_token"] = token
		}
		var out struct {
			Experiments   []Experiment `json:"experiments"`
			NextPageToken string       `json:"next_page_token"`
		}
		if _, err := c.do(ctx, request{method: http.MethodPost, path: api + "experiments/search", endpoint: "experiments/search",
			body: body, idempotent: true}, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Experiments...)
		if out.NextPageToken == "" {
			return all, nil
		}
		token = out.NextPageToken
	}
}

// SetExperimentTag sets a tag on an experiment.
func (c *Client) SetExperimentTag(ctx context.Context, experimentID string, t Tag) error {
	if err := validateExperimentTag("tag", t); err != nil {
		return err
	}
	_, err := c.do(ctx, request{method: http.MethodPost, path: api + "experiments/set-experiment-tag", endpoint: "experiments/set-experiment-tag",
		body: map[string]string{"experiment_id": experimentID, "key": t.Key, "value": t.Value}, idempotent: true}, nil)
	return err
}

// DeleteExperiment moves an experiment to the deleted lifecycle stage.
func (c *Client) DeleteExperiment(ctx context.Context, id string) error {
	_, err := c.do(ctx, request{method: http.MethodPost, path: api + "experiments/delete", endpoint: "experiments/delete",
		body: map[string]string{"experiment_id": id}, idempotent: true}, nil)
	return err
}

func validateExperimentTag(field string, t Tag) error {
	if err := ValidateKey(field+".key", t.Key); err != nil {
		return err
	}
	return validateValue(field+".value", t.Value, MaxExperimentTagValue)
}

// Ping checks, once and without retries, that the tracking API answers and accepts the
// client's credentials (a one-result experiments/search): what readiness needs.
func (c *Client) Ping(ctx context.Context) error {
	once := *c
	once.retry = RetryPolicy{MaxAttempts: 1}.withDefaults()
	_, err := once.do(ctx, request{method: http.MethodPost, path: api + "experiments/search", endpoint: "experiments/search",
		body: map[string]any{"max_results": 1}, idempotent: true}, nil)
	return err
}
