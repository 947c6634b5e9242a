package mlexp_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/jsonedit"
	"github.com/mlexp-dev/mlexp/internal/sample"
)

// validator is a decoded report.
type validator interface{ Validate() error }

// decodeReport decodes body as an R and validates it, as the ingest does.
func decodeReport[R validator](body []byte) (R, error) {
	var r R
	if err := mlexp.UnmarshalStrict(body, &r); err != nil {
		return r, err
	}
	return r, r.Validate()
}

func TestDecodeValidSamples(t *testing.T) {
	q := sample.QuickTestReport()
	got, err := decodeReport[mlexp.QuickTestReport](jsonedit.Body(t, q))
	if err != nil {
		t.Fatalf("sample quick test: %v", err)
	}
	if !reflect.DeepEqual(got, q) {
		t.Errorf("quick test decoded as\n%+v\nwant\n%+v", got, q)
	}
	tr := sample.TrainingRunReport()
	gotRun, err := decodeReport[mlexp.TrainingRunReport](jsonedit.Body(t, tr))
	if err != nil {
		t.Fatalf("sample training run: %v", err)
	}
	if !reflect.DeepEqual(gotRun, tr) {
		t.Errorf("training run decoded as\n%+v\nwant\n%+v", gotRun, tr)
	}
	// Whitespace around the one object is fine, and so is a failed run without metrics.
	padded := append(append([]byte(" \n\t"), jsonedit.Body(t, q)...), "\r\n "...)
	if _, err := decodeReport[mlexp.QuickTestReport](padded); err != nil {
		t.Errorf("padded body: %v", err)
	}
	failed := jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.status", Value: "failed"}, jsonedit.Edit{Path: "quick_test.metrics", Value: map[string]any{}},
		jsonedit.Edit{Path: "quick_test.failure", Value: map[string]any{"stage": "Transform", "reason": "OOM during Transform: user:256d"}})
	if _, err := decodeReport[mlexp.QuickTestReport](failed); err != nil {
		t.Errorf("failed quick test: %v", err)
	}
}

func TestDecodeQuickTestBadInput(t *testing.T) {
	q := sample.QuickTestReport()
	valid := jsonedit.Body(t, q)
	for _, tc := range []struct {
		name  string
		body  []byte
		field string
	}{
		// Malformed bodies.
		{"empty", nil, "body"},
		{"only whitespace", []byte(" \n\t "), "body"},
		{"not JSON", []byte("model=model-7"), "body"},
		{"cut short", valid[:len(valid)/2], "body"},
		{"syntax error", []byte(`{"model": {"id": "m",}}`), "body"},
		{"trailing object", append(bytes.Clone(valid), "{}"...), "body"},
		{"trailing garbage", append(bytes.Clone(valid), " x"...), "body"},
		{"trailing bracket", append(bytes.Clone(valid), ']'), "body"},
		{"a list", []byte(`[` + string(valid) + `]`), "body"},
		{"a string", []byte(`"report"`), "body"},
		{"a number", []byte(`42`), "body"},
		{"nested too deep", []byte(strings.Repeat("[", 20000) + strings.Repeat("]", 20000)), "body"},
		// Unknown fields, named with their path.
		{"unknown top-level field", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_tests", Value: map[string]any{}}), "quick_tests"},
		{"unknown nested field", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.epoch", Value: 2}), "quick_test.epoch"},
		{"unknown metric", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.metrics.recall_at_20", Value: 0.3}), "quick_test.metrics.recall_at_20"},
		{"unknown field in a list item", jsonedit.Body(t, q, jsonedit.Edit{Path: "feature_config.query_tower[1].dim", Value: 16}), "feature_config.query_tower[1].dim"},
		{"empty field name", []byte(`{"": 1}`), `""`},
		// Mistyped fields.
		{"string for a whole number", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.epochs", Value: "2"}), "quick_test.epochs"},
		{"fraction for a whole number", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.epochs", Value: 2.5}), "quick_test.epochs"},
		{"whole number too large", []byte(`{"quick_test": {"id": 1e30}}`), "quick_test.id"},
		{"number for a string", jsonedit.Body(t, q, jsonedit.Edit{Path: "model.id", Value: 7}), "model.id"},
		{"NaN as a string", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.metrics.loss", Value: "NaN"}), "quick_test.metrics.loss"},
		{"NaN as a bare token", []byte(`{"quick_test": {"metrics": {"loss": NaN}}}`), "body"},
		{"number too large for a float", []byte(`{"quick_test": {"metrics": {"loss": 1e400}}}`), "quick_test.metrics.loss"},
		{"string in extra metrics", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.metrics.extra", Value: map[string]any{"ndcg_at_10": "NaN"}}), "quick_test.metrics.extra.ndcg_at_10"},
		{"true for a number", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.data_sample_percent", Value: true}), "quick_test.data_sample_percent"},
		{"object for a list", jsonedit.Body(t, q, jsonedit.Edit{Path: "feature_config.query_tower", Value: map[string]any{}}), "feature_config.query_tower"},
		{"list for an object", jsonedit.Body(t, q, jsonedit.Edit{Path: "model", Value: []any{}}), "model"},
		{"string for a list item", jsonedit.Body(t, q, jsonedit.Edit{Path: "feature_config.candidate_tower[2]", Value: "product_name"}), "feature_config.candidate_tower[2]"},
		{"string in a list item", jsonedit.Body(t, q, jsonedit.Edit{Path: "feature_config.candidate_tower[2].embedding_dim", Value: "32"}), "feature_config.candidate_tower[2].embedding_dim"},
		{"string for a setting", jsonedit.Body(t, q, jsonedit.Edit{Path: "feature_config.settings.revenue_buckets", Value: "10"}), "feature_config.settings.revenue_buckets"},
		// Times.
		{"time not RFC 3339", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.started_at", Value: "yesterday"}), "quick_test.started_at"},
		{"time without zone", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.finished_at", Value: "2026-11-24T09:08:00"}), "quick_test.finished_at"},
		{"time as a number", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.finished_at", Value: 1795510080}), "quick_test.finished_at"},
		{"time as an object", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.started_at", Value: map[string]any{}}), "quick_test.started_at"},
		{"time missing", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.started_at", Value: jsonedit.Delete}), "quick_test.started_at"},
		{"finished before started", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.finished_at", Value: "2026-11-24T08:00:00Z"}), "quick_test.finished_at"},
		{"implausible time", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.started_at", Value: "0001-01-01T00:00:01Z"}), "quick_test.started_at"},
		// Missing required fields (Validate).
		{"null body", []byte(`null`), "model.id"},
		{"empty object", []byte(`{}`), "model.id"},
		{"model id missing", jsonedit.Body(t, q, jsonedit.Edit{Path: "model.id", Value: jsonedit.Delete}), "model.id"},
		{"model name empty", jsonedit.Body(t, q, jsonedit.Edit{Path: "model.name", Value: ""}), "model.name"},
		{"dataset missing", jsonedit.Body(t, q, jsonedit.Edit{Path: "dataset", Value: jsonedit.Delete}), "dataset.id"},
		{"config id missing", jsonedit.Body(t, q, jsonedit.Edit{Path: "feature_config.id", Value: jsonedit.Delete}), "feature_config.id"},
		{"query tower empty", jsonedit.Body(t, q, jsonedit.Edit{Path: "feature_config.query_tower", Value: []any{}}), "feature_config.query_tower"},
		{"quick test id missing", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.id", Value: jsonedit.Delete}), "quick_test.id"},
		{"status missing", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.status", Value: jsonedit.Delete}), "quick_test.status"},
		{"status unknown", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.status", Value: "done"}), "quick_test.status"},
		{"metric missing from a completed run", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.metrics.recall_at_10", Value: jsonedit.Delete}), "quick_test.metrics.recall_at_10"},
		{"failed run without failure", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.status", Value: "failed"}), "quick_test.failure"},
		// Out-of-range values (Validate).
		{"negative embedding dim", jsonedit.Body(t, q, jsonedit.Edit{Path: "feature_config.candidate_tower[0].embedding_dim", Value: -64}), "feature_config.candidate_tower[0].embedding_dim"},
		{"zero embedding dim", jsonedit.Body(t, q, jsonedit.Edit{Path: "feature_config.query_tower[1].embedding_dim", Value: 0}), "feature_config.query_tower[1].embedding_dim"},
		{"percentage over 100", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.data_sample_percent", Value: 150}), "quick_test.data_sample_percent"},
		{"zero percentage", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.data_sample_percent", Value: 0}), "quick_test.data_sample_percent"},
		{"negative epochs", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.epochs", Value: -1}), "quick_test.epochs"},
		{"recall over 1", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.metrics.recall_at_50", Value: 38.5}), "quick_test.metrics.recall_at_50"},
		{"negative loss", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.metrics.loss", Value: -0.1}), "quick_test.metrics.loss"},
		{"negative cost", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.cost_usd", Value: -1}), "quick_test.cost_usd"},
		{"negative buckets", jsonedit.Body(t, q, jsonedit.Edit{Path: "feature_config.cross_features[1].buckets", Value: -5}), "feature_config.cross_features[1].buckets"},
		{"bad feature name", jsonedit.Body(t, q, jsonedit.Edit{Path: "feature_config.query_tower[0].name", Value: "User ID"}), "feature_config.query_tower[0].name"},
		{"control character in a name", jsonedit.Body(t, q, jsonedit.Edit{Path: "model.name", Value: "retail\nrecs"}), "model.name"},
		{"name too long", jsonedit.Body(t, q, jsonedit.Edit{Path: "dataset.name", Value: strings.Repeat("x", 201)}), "dataset.name"},
		{"reserved setting", jsonedit.Body(t, q, jsonedit.Edit{Path: "feature_config.settings.epochs", Value: 3}), "feature_config.settings.epochs"},
		{"standard metric in extra", jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.metrics.extra", Value: map[string]any{"loss": 1}}), "quick_test.metrics.extra.loss"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeReport[mlexp.QuickTestReport](tc.body)
			jsonedit.MustNameField(t, err, tc.field)
		})
	}
}

func TestDecodeTrainingRunBadInput(t *testing.T) {
	r := sample.TrainingRunReport()
	for _, tc := range []struct {
		name  string
		body  []byte
		field string
	}{
		{"quick test fields", jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.data_sample_percent", Value: 10}), "training_run.data_sample_percent"},
		{"quick test body", jsonedit.Body(t, sample.QuickTestReport()), "quick_test"},
		{"unknown field in history", jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.history[3].recall_at_20", Value: 0.1}), "training_run.history[3].recall_at_20"},
		{"string in history", jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.history[2].loss", Value: "0.5"}), "training_run.history[2].loss"},
		{"string for an epoch", jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.history[0].epoch", Value: "1"}), "training_run.history[0].epoch"},
		{"history not a list", jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.history", Value: 20}), "training_run.history"},
		{"epochs out of order", jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.history[1].epoch", Value: 1}), "training_run.history[1].epoch"},
		{"history beyond epochs", jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.epochs", Value: 10}), "training_run.history"},
		{"recall over 1 in history", jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.history[4].recall_at_100", Value: 2}), "training_run.history[4].recall_at_100"},
		{"zero batch size", jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.batch_size", Value: 0}), "training_run.batch_size"},
		{"negative batch size", jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.batch_size", Value: -8192}), "training_run.batch_size"},
		{"model uri without scheme", jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.model_uri", Value: "models/46"}), "training_run.model_uri"},
		{"bad finish time", jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.finished_at", Value: "2026-13-01T00:00:00Z"}), "training_run.finished_at"},
		{"id missing", jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.id", Value: jsonedit.Delete}), "training_run.id"},
		{"final metrics missing", jsonedit.Body(t, r, jsonedit.Edit{Path: "training_run.metrics", Value: map[string]any{}}), "training_run.metrics.loss"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeReport[mlexp.TrainingRunReport](tc.body)
			jsonedit.MustNameField(t, err, tc.field)
		})
	}
}

// seedBodies are valid and broken bodies of report v, the seed corpus of a fuzzer.
func seedBodies(tb testing.TB, v any) [][]byte {
	valid := jsonedit.Body(tb, v)
	return [][]byte{
		valid,
		valid[:len(valid)-1],
		append(bytes.Clone(valid), valid...),
		bytes.Replace(valid, []byte(`"epochs":`), []byte(`"epochs":"x",`), 1),
		bytes.Replace(valid, []byte(`"id":`), []byte(`"ID":`), 1),
		bytes.Replace(valid, []byte(`Z"`), []byte(`"`), 1),
		bytes.Replace(valid, []byte(`"name":`), []byte(`"":`), 1),
		bytes.ReplaceAll(valid, []byte(`64`), []byte(`-64`)),
		bytes.ReplaceAll(valid, []byte(`:10`), []byte(`:1e999`)),
		[]byte(`{"model":{"id":"m","name":"n"},"dataset":{"id":"d","name":"e"},"feature_config":{"id":"c","query_tower":[{"name":"a","embedding_dim":1}],"candidate_tower":[{"name":"b","embedding_dim":1}]}}`),
		[]byte(`null`),
		[]byte(`{}`),
		[]byte(`[]`),
		[]byte(``),
		[]byte(`{"a":{"b":[1,{"c":null}]}}`),
	}
}

func FuzzDecodeQuickTest(f *testing.F) {
	for _, b := range seedBodies(f, sample.QuickTestReport()) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkDecode[mlexp.QuickTestReport](t, body) })
}

func FuzzDecodeTrainingRun(f *testing.F) {
	for _, b := range seedBodies(f, sample.TrainingRunReport()) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkDecode[mlexp.TrainingRunReport](t, body) })
}

// checkDecode decodes and validates body as an R, as the ingest does, and checks that it
// neither panics nor fails other than with an EINVALID error that names a field; that a
// report it takes can be stored (the outbox payload is its JSON) and read back; and that
// the walk which names the offending field agrees with encoding/json.
func checkDecode[R validator](t *testing.T, body []byte) {
	r, err := decodeReport[R](body)
	if err != nil {
		var e *mlexp.Error
		if !errors.As(err, &e) || e.Code != mlexp.EINVALID || e.Field == "" || e.Message == "" {
			t.Fatalf("error %#v (%v), want EINVALID with a field and a message", err, err)
		}
	} else {
		payload, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("a valid report does not encode: %v", err)
		}
		var back R
		if err := json.Unmarshal(payload, &back); err != nil {
			t.Fatalf("a valid report does not decode from its JSON: %v\n%s", err, payload)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("a valid report is invalid after a round trip: %v\n%s", err, payload)
		}
	}

	var first json.RawMessage
	if json.NewDecoder(bytes.NewReader(body)).Decode(&first) != nil {
		return // malformed: no walk
	}
	var into R
	dec := json.NewDecoder(bytes.NewReader(first))
	dec.DisallowUnknownFields()
	stdErr := dec.Decode(&into)
	walkErr := mlexp.Locate(first, reflect.TypeFor[R]())
	if (stdErr == nil) != (walkErr == nil) {
		t.Fatalf("encoding/json says %v, the walk says %v", stdErr, walkErr)
	}
}
