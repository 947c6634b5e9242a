package mlflow

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// historyPageSize is the page size asked of metrics/get-history.
const historyPageSize = 25000

// GetMetricHistory returns every logged value of a run's metric, walking all pages, in the
// order MLflow returns them (by step, then time).
func (c *Client) GetMetricHistory(ctx context.Context, runID, key string) ([]Metric, error) {
	var all []Metric
	token := ""
	for {
		q := url.Values{"run_id": {runID}, "metric_key": {key}, "max_results": {strconv.Itoa(historyPageSize)}}
		if token != "" {
			q.Set("page_token", token)
		}
		var out struct {
			Metrics       []Metric `json:"metrics"`
			NextPageToken string   `json:"next_page_token"`
		}
		if _, err := c.do(ctx, request{method: http.MethodGet, path: api + "metrics/get-history", endpoint: "metrics/get-history",
			query: q, idempotent: true}, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Metrics...)
		if out.NextPageToken == "" {
			return all, nil
		}
		token = out.NextPageToken
	}
}
