package mlflow

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// CreateRunRequest describes a new run.
type CreateRunRequest struct {
	ExperimentID string
	RunName      string
	StartTime    time.Time // zero: now
	Tags         []Tag
	UserID       string
}

// CreateRun creates a run in state RUNNING and returns it. It is not retried after the server
// may have acted on it, since a repeat would make a second run; callers that need exactly one
// run tag it with an idempotency key and search for it before creating (see SearchRuns).
func (c *Client) CreateRun(ctx context.Context, req CreateRunRequest) (*Run, error) {
	if req.ExperimentID == "" {
		return nil, &ValidationError{"experiment_id", "must not be empty"}
	}
	if err := validateValue("run_name", req.RunName, MaxTagValueLength); err != nil {
		return nil, err
	}
	for i, t := range req.Tags {
		if err := ValidateTag(fmt.Sprintf("tags[%d]", i), t); err != nil {
			return nil, err
		}
	}
	start := req.StartTime
	if start.IsZero() {
		start = time.Now()
	}
	body := map[string]any{"experiment_id": req.ExperimentID, "start_time": start.UnixMilli()}
	if len(req.Tags) > 0 { // MLflow fails on a JSON null list
		body["tags"] = req.Tags
	}
	if req.RunName != "" {
		body["run_name"] = req.RunName
	}
	if req.UserID != "" {
		body["user_id"] = req.UserID
	}
	var out struct {
		Run Run `json:"run"`
	}
	if _, err := c.do(ctx, request{method: http.MethodPost, path: api + "runs/create", endpoint: "runs/create", body: body}, &out); err != nil {
		return nil, err
	}
	return &out.Run, nil
}

// UpdateRunRequest changes a run's status, end time or name. Zero fields are left alone.
type UpdateRunRequest struct {
	RunID   string
	Status  RunStatus
	EndTime time.Time
	RunName string
}

// UpdateRun updates a run and returns its new info.
func (c *Client) UpdateRun(ctx context.Context, req UpdateRunRequest) (*RunInfo, error) {
	body := map[string]any{"run_id": req.RunID}
	if req.Status != "" {
		body["status"] = req.Status
	}
	if !req.EndTime.IsZero() {
		body["end_time"] = req.EndTime.UnixMilli()
	}
	if req.RunName != "" {
		body["run_name"] = req.RunName
	}
	var out struct {
		RunInfo RunInfo `json:"run_info"`
	}
	if _, err := c.do(ctx, request{method: http.MethodPost, path: api + "runs/update", endpoint: "runs/update", body: body, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out.RunInfo, nil
}

// GetRun returns a run with the latest value of each metric.
func (c *Client) GetRun(ctx context.Context, runID string) (*Run, error) {
	var out struct {
		Run Run `json:"run"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: api + "runs/get", endpoint: "runs/get",
		query: url.Values{"run_id": {runID}}, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out.Run, nil
}

// DeleteRun moves a run to the deleted lifecycle stage.
func (c *Client) DeleteRun(ctx context.Context, runID string) error {
	_, err := c.do(ctx, request{method: http.MethodPost, path: api + "runs/delete", endpoint: "runs/delete",
		body: map[string]string{"run_id": runID}, idempotent: true}, nil)
	return err
}

// RestoreRun moves a deleted run back to the active lifecycle stage.
func (c *Client) RestoreRun(ctx context.Context, runID string) error {
	_, err := c.do(ctx, request{method: http.MethodPost, path: api + "runs/restore", endpoint: "runs/restore",
		body: map[string]string{"run_id": runID}, idempotent: true}, nil)
	return err
}

// SetTag sets a tag on a run.
func (c *Client) SetTag(ctx context.Context, runID string, t Tag) error {
	if err := ValidateTag("tag", t); err != nil {
		return err
	}
	_, err := c.do(ctx, request{method: http.MethodPost, path: api + "runs/set-tag", endpoint: "runs/set-tag",
		body: map[string]string{"run_id": runID, "key": t.Key, "value": t.Value}, idempotent: true}, nil)
	return err
}

// DeleteTag removes a tag from a run.
func (c *Client) DeleteTag(ctx context.Context, runID, key string) error {
	_, err := c.do(ctx, request{method: http.MethodPost, path: api + "runs/delete-tag", endpoint: "runs/delete-tag",
		body: map[string]string{"run_id": runID, "key": key}, idempotent: true}, nil)
	return err
}

// SearchRunsRequest selects runs. Build Filter with the filter helpers of this package.
type SearchRunsRequest struct {
	ExperimentIDs []string
	Filter        string
	RunViewType   ViewType // default ACTIVE_ONLY
	OrderBy       []string // e.g. "metrics.recall_at_100 DESC", "attributes.start_time DESC"
	// Limit stops after this many runs; 0 means every run.
	Limit int
	// PageSize is max_results of each page; 0 means the client's (WithSearchPageSize).
	PageSize int
}

// SearchRuns returns every matching run, walking all pages with the largest page size the
// server accepts.
func (c *Client) SearchRuns(ctx context.Context, req SearchRunsRequest) ([]Run, error) {
	var all []Run
	err := c.SearchRunsPages(ctx, req, func(page []Run) error {
		all = append(all, page...)
		return nil
	})
	return all, err
}

// SearchRunsPages calls fn with each page of matching runs, in order, until the last page,
// an error, or req.Limit runs.
func (c *Client) SearchRunsPages(ctx context.Context, req SearchRunsRequest, fn func([]Run) error) error {
	if len(req.ExperimentIDs) == 0 {
		return &ValidationError{"experiment_ids", "name at least one experiment"}
	}
	token, seen := "", 0
	for {
		size := c.pageSize
		if req.PageSize > 0 {
			size = min(req.PageSize, MaxSearchRunsPageSize)
		}
		if req.Limit > 0 {
			size = min(size, req.Limit-seen)
		}
		body := map[string]any{"experiment_ids": req.ExperimentIDs, "max_results": size}
		if req.Filter != "" {
			body["filter"] = req.Filter
		}
		if req.RunViewType != "" {
			body["run_view_type"] = req.RunViewType
		}
		if len(req.OrderBy) > 0 {
			body["order_by"] = req.OrderBy
		}
		if token != "" {
			body["page_token"] = token
		}
		var out struct {
			Runs          []Run  `json:"runs"`
			NextPageToken string `json:"next_page_token"`
		}
		if _, err := c.do(ctx, request{method: http.MethodPost, path: api + "runs/search", endpoint: "runs/search",
			body: body, idempotent: true}, &out); err != nil {
			return err
		}
		seen += len(out.Runs)
		if len(out.Runs) > 0 {
			if err := fn(out.Runs); err != nil {
				return err
			}
		}
		if out.NextPageToken == "" || (req.Limit > 0 && seen >= req.Limit) {
			return nil
		}
		token = out.NextPageToken
	}
}
