package mlflow

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// The Model Registry: registered models, their versions, and aliases that name one version
// (models:/<name>@<alias>).

// RegisteredModel is a named model of the registry.
type RegisteredModel struct {
	Name              string `json:"name"`
	CreationTimestamp int64  `json:"creation_timestamp"`
}

// ModelVersion is one version of a registered model.
type ModelVersion struct {
	Name    string   `json:"name"`
	Version string   `json:"version"`
	Source  string   `json:"source"`
	RunID   string   `json:"run_id"`
	ModelID string   `json:"model_id,omitempty"`
	Status  string   `json:"status"`
	Aliases []string `json:"aliases,omitempty"`
}

// CreateRegisteredModel creates the registered model name; it is ErrAlreadyExists when it
// exists.
func (c *Client) CreateRegisteredModel(ctx context.Context, name string) (*RegisteredModel, error) {
	var out struct {
		RegisteredModel RegisteredModel `json:"registered_model"`
	}
	if _, err := c.do(ctx, request{method: http.MethodPost, path: api + "registered-models/create", endpoint: "registered-models/create",
		body: map[string]string{"name": name}}, &out); err != nil {
		return nil, err
	}
	return &out.RegisteredModel, nil
}

// EnsureRegisteredModel creates the registered model name unless it exists.
func (c *Client) EnsureRegisteredModel(ctx context.Context, name string) error {
	_, err := c.CreateRegisteredModel(ctx, name)
	if errors.Is(err, ErrAlreadyExists) {
		return nil
	}
	return err
}

// CreateModelVersionRequest registers a model as a new version of a registered model.
type CreateModelVersionRequest struct {
	Name    string `json:"name"`
	Source  string `json:"source"`             // where the model is: models:/m-…, runs:/<run>/<path>, gs://…
	RunID   string `json:"run_id,omitempty"`   // the run that produced it
	ModelID string `json:"model_id,omitempty"` // the MLflow 3 logged model, if it is one
}

// CreateModelVersion registers req.Source as a new version of req.Name. It is not retried:
// a repeat would register a second version.
func (c *Client) CreateModelVersion(ctx context.Context, req CreateModelVersionRequest) (*ModelVersion, error) {
	var out struct {
		ModelVersion ModelVersion `json:"model_version"`
	}
	if _, err := c.do(ctx, request{method: http.MethodPost, path: api + "model-versions/create", endpoint: "model-versions/create",
		body: req}, &out); err != nil {
		return nil, err
	}
	return &out.ModelVersion, nil
}

// SearchModelVersions returns the versions of the registered model name produced by runID,
// newest first.
func (c *Client) SearchModelVersions(ctx context.Context, name, runID string) ([]ModelVersion, error) {
	qn, err := quote(name)
	if err != nil {
		return nil, err
	}
	qr, err := quote(runID)
	if err != nil {
		return nil, err
	}
	var out struct {
		ModelVersions []ModelVersion `json:"model_versions"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: api + "model-versions/search", endpoint: "model-versions/search",
		query: url.Values{"filter": {"name = " + qn + " and run_id = " + qr}, "max_results": {"1000"}}, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return out.ModelVersions, nil
}

// SetRegisteredModelAlias points alias of the registered model name at version.
func (c *Client) SetRegisteredModelAlias(ctx context.Context, name, alias, version string) error {
	_, err := c.do(ctx, request{method: http.MethodPost, path: api + "registered-models/alias", endpoint: "registered-models/alias",
		body: map[string]string{"name": name, "alias": alias, "version": version}, idempotent: true}, nil)
	return err
}

// DeleteRegisteredModelAlias removes alias from the registered model name.
func (c *Client) DeleteRegisteredModelAlias(ctx context.Context, name, alias string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: api + "registered-models/alias", endpoint: "registered-models/alias/delete",
		body: map[string]string{"name": name, "alias": alias}, idempotent: true}, nil)
	return err
}

// GetModelVersionByAlias returns the version alias names, or nil when the registered model
// or the alias does not exist (MLflow answers INVALID_PARAMETER_VALUE for a missing alias).
func (c *Client) GetModelVersionByAlias(ctx context.Context, name, alias string) (*ModelVersion, error) {
	var out struct {
		ModelVersion ModelVersion `json:"model_version"`
	}
	_, err := c.do(ctx, request{method: http.MethodGet, path: api + "registered-models/alias", endpoint: "registered-models/alias/get",
		query: url.Values{"name": {name}, "alias": {alias}}, idempotent: true}, &out)
	var e *Error
	if errors.Is(err, ErrNotFound) || (errors.As(err, &e) && e.Code == "INVALID_PARAMETER_VALUE" && e.HTTPStatus == http.StatusBadRequest) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &out.ModelVersion, nil
}
