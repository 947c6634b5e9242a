package mlflow

import (
	"context"
	"net/http"
)

// LoggedModel is an MLflow 3 logged model (mlflow.<flavor>.log_model): a model with an id
// (m-…) and artifacts of its own, recorded with the run that produced it.
type LoggedModel struct {
	Info LoggedModelInfo `json:"info"`
}

// LoggedModelInfo is what MLflow records of a logged model.
type LoggedModelInfo struct {
	ModelID           string `json:"model_id"`
	ExperimentID      string `json:"experiment_id"`
	Name              string `json:"name"`
	ArtifactURI       string `json:"artifact_uri"`
	Status            string `json:"status"` // LOGGED_MODEL_READY, LOGGED_MODEL_PENDING, LOGGED_MODEL_UPLOAD_FAILED
	SourceRunID       string `json:"source_run_id"`
	CreationTimestamp int64  `json:"creation_timestamp_ms"`
	Tags              []Tag  `json:"tags,omitempty"`
}

// LoggedModelReady is the status of a logged model whose artifacts are all uploaded.
const LoggedModelReady = "LOGGED_MODEL_READY"

// URI is the model URI MLflow's clients load the logged model by: models:/<model_id>.
func (m *LoggedModelInfo) URI() string { return "models:/" + m.ModelID }

// SearchLoggedModels returns the logged models of the experiments whose source run is runID,
// newest first (all of them when runID is "").
func (c *Client) SearchLoggedModels(ctx context.Context, experimentIDs []string, runID string) ([]LoggedModel, error) {
	body := map[string]any{"experiment_ids": experimentIDs, "max_results": 100,
		"order_by": []map[string]any{{"field_name": "creation_timestamp", "ascending": false}}}
	if runID != "" {
		q, err := quote(runID)
		if err != nil {
			return nil, err
		}
		body["filter"] = "source_run_id = " + q
	}
	var all []LoggedModel
	for {
		var out struct {
			Models        []LoggedModel `json:"models"`
			NextPageToken string        `json:"next_page_token"`
		}
		if _, err := c.do(ctx, request{method: http.MethodPost, path: api + "logged-models/search", endpoint: "logged-models/search",
			body: body, idempotent: true}, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Models...)
		if out.NextPageToken == "" || len(out.Models) == 0 {
			return all, nil
		}
		body["page_token"] = out.NextPageToken
	}
}
