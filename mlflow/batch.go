package mlflow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// LogBatch logs metrics, params and tags to a run in as few requests as MLflow's limits
// allow (1000 metrics, 100 params, 100 tags, 1000 entities and 1 MB per request). Every key
// and value is checked before anything is sent, so invalid input logs nothing. Re-logging
// the same batch is harmless: MLflow keeps equal params, overwrites tags and ignores
// duplicate metric points, which is why a failed request is retried.
func (c *Client) LogBatch(ctx context.Context, runID string, metrics []Metric, params []Param, tags []Tag) error {
	chunks, err := planBatches(metrics, params, tags)
	if err != nil {
		return err
	}
	for _, b := range chunks {
		body := logBatchBody{RunID: runID, Metrics: b.metrics, Params: b.params, Tags: b.tags}
		if _, err := c.do(ctx, request{method: http.MethodPost, path: api + "runs/log-batch", endpoint: "runs/log-batch",
			body: body, idempotent: true}, nil); err != nil {
			return err
		}
	}
	return nil
}

// logBatchBody leaves empty lists out: MLflow fails with a 500 on a JSON null list.
type logBatchBody struct {
	RunID   string   `json:"run_id"`
	Metrics []Metric `json:"metrics,omitempty"`
	Params  []Param  `json:"params,omitempty"`
	Tags    []Tag    `json:"tags,omitempty"`
}

type batch struct {
	metrics []Metric
	params  []Param
	tags    []Tag
	bytes   int
}

func (b *batch) entities() int { return len(b.metrics) + len(b.params) + len(b.tags) }

// batchOverhead covers the run id and the JSON around the three lists.
const batchOverhead = 256

// planBatches validates the entities and packs them into requests within MLflow's limits,
// keeping the order within each kind.
func planBatches(metrics []Metric, params []Param, tags []Tag) ([]batch, error) {
	seen := make(map[string]string, len(params))
	for i, p := range params {
		if err := ValidateParam(fmt.Sprintf("params[%d]", i), p); err != nil {
			return nil, err
		}
		if v, ok := seen[p.Key]; ok && v != p.Value {
			return nil, &ValidationError{fmt.Sprintf("params[%d]", i), fmt.Sprintf("param %q is given twice with different values (%q, %q); MLflow params cannot change", p.Key, v, p.Value)}
		}
		seen[p.Key] = p.Value
	}
	for i, t := range tags {
		if err := ValidateTag(fmt.Sprintf("tags[%d]", i), t); err != nil {
			return nil, err
		}
	}
	for i, m := range metrics {
		if err := ValidateMetric(fmt.Sprintf("metrics[%d]", i), m); err != nil {
			return nil, err
		}
	}
	// Each request takes as many of each kind as the limits allow, so that a typical quick
	// test (a few dozen params and tags, a handful of metrics) is one request.
	var out []batch
	for len(params)+len(tags)+len(metrics) > 0 {
		b := batch{bytes: batchOverhead}
		fits := func(size int) bool {
			return b.entities() < MaxBatchEntities && (b.entities() == 0 || b.bytes+size <= MaxBatchBytes)
		}
		for len(params) > 0 && len(b.params) < MaxBatchParams && fits(jsonSize(params[0])) {
			b.bytes += jsonSize(params[0])
			b.params, params = append(b.params, params[0]), params[1:]
		}
		for len(tags) > 0 && len(b.tags) < MaxBatchTags && fits(jsonSize(tags[0])) {
			b.bytes += jsonSize(tags[0])
			b.tags, tags = append(b.tags, tags[0]), tags[1:]
		}
		for len(metrics) > 0 && len(b.metrics) < MaxBatchMetrics && fits(jsonSize(metrics[0])) {
			b.bytes += jsonSize(metrics[0])
			b.metrics, metrics = append(b.metrics, metrics[0]), metrics[1:]
		}
		out = append(out, b)
	}
	return out, nil
}

// jsonSize is the encoded size of v plus a separating comma.
func jsonSize(v any) int {
	b, _ := json.Marshal(v)
	return len(b) + 1
}
