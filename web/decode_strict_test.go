package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/jsonedit"
	"github.com/mlexp-dev/mlexp/internal/sample"
)

// sampleReportJSON is the JSON of the sample quick test, edited by the replacements of
// pairs (old, new), each of which must be found.
func sampleReportJSON(t *testing.T, pairs ...string) []byte {
	t.Helper()
	b, err := json.Marshal(sample.QuickTestReport())
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("the sample report lacks %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return []byte(s)
}

// Issue 16: encoding/json takes the last of duplicate keys and matches keys ignoring case,
// so that two readers of one body could see two reports. Both are refused, naming the key.
func TestDecodeRefusesDuplicateAndCaseVariantKeys(t *testing.T) {
	for _, tc := range []struct {
		name  string
		body  []byte
		field string
	}{
		{"duplicate at the top", sampleReportJSON(t, `{"model":`, `{"model":{"id":"model-8","name":"x"},"model":`), "model"},
		{"duplicate in an object", sampleReportJSON(t, `"epochs":2`, `"epochs":2,"epochs":200`), "quick_test.epochs"},
		{"duplicate in a list item", sampleReportJSON(t, `{"name":"city",`, `{"name":"city","name":"country",`), "feature_config.query_tower[1].name"},
		{"duplicate in a struct of metrics", sampleReportJSON(t, `"loss":0.38`, `"loss":0.38,"loss":0.01`), "quick_test.metrics.loss"},
		{"duplicate in a map", sampleReportJSON(t, `"revenue_buckets":10`, `"revenue_buckets":10,"revenue_buckets":20`), "feature_config.settings.revenue_buckets"},
		{"duplicate by an escape", sampleReportJSON(t, `"epochs":2`, `"epochs":2,"\u0065pochs":3`), "quick_test.epochs"},
		{"case variant", sampleReportJSON(t, `"epochs":2`, `"EPOCHS":2`), "quick_test.EPOCHS"},
		{"case variant at the top", sampleReportJSON(t, `{"model":`, `{"Model":`), "Model"},
		{"case variant beside the key", sampleReportJSON(t, `"epochs":2`, `"epochs":2,"Epochs":3`), "quick_test.Epochs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r mlexp.QuickTestReport
			jsonedit.MustNameField(t, decodeBytes(tc.body, &r), tc.field)
		})
	}
	var r mlexp.QuickTestReport
	if err := decodeBytes(sampleReportJSON(t), &r); err != nil {
		t.Errorf("the sample report: %v", err)
	}
	// Map keys are data: keys that differ only in case are two keys.
	if err := decodeBytes(sampleReportJSON(t, `"revenue_buckets":10`, `"revenue_buckets":10,"REVENUE_BUCKETS":20`), &r); err != nil {
		t.Errorf("map keys differing in case: %v", err)
	}
}

// Issue 16: invalid UTF-8 in a body became U+FFFD in experiment names. It is refused, and
// so are escapes of lone UTF-16 surrogates, which encoding/json also turns into U+FFFD.
func TestDecodeRefusesInvalidUTF8(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
		ok   bool
	}{
		{"a bad byte in a name", sampleReportJSON(t, `"Q4 2024`, "\"Q4 \xff2024"), false},
		{"a truncated sequence", sampleReportJSON(t, `"config-042"`, "\"config-042\xe2\x82\""), false},
		{"an overlong encoding", sampleReportJSON(t, `"Q4 2024`, "\"Q4 \xc0\xaf2024"), false},
		{"a lone high surrogate", sampleReportJSON(t, `"Q4 2024`, `"Q4 \ud8002024`), false},
		{"a lone low surrogate", sampleReportJSON(t, `"Q4 2024`, `"Q4 \udc002024`), false},
		{"a bad byte in a key", sampleReportJSON(t, `"loss":0.38`, "\"loss\":0.38,\"l\xffss\":1"), false},
		{"accents and CJK", sampleReportJSON(t, `"Q4 2024`, `"Données Q4 日本 2024`), true},
		{"a surrogate pair", sampleReportJSON(t, `"Q4 2024`, `"Q4 \ud83d\ude00 2024`), true},
		{"an escaped backslash before u", sampleReportJSON(t, `"Q4 2024`, `"Q4 \\ud800 2024`), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r mlexp.QuickTestReport
			err := decodeBytes(tc.body, &r)
			if tc.ok {
				if err != nil {
					t.Errorf("decode: %v", err)
				}
				return
			}
			if mlexp.ErrorCode(err) != mlexp.EINVALID || !strings.Contains(mlexp.ErrorMessage(err), "UTF") {
				t.Errorf("decode: %v, want an invalid error about UTF-8", err)
			}
		})
	}
}

// The API answers both with 400 naming the key.
func TestAPIRefusesDuplicateKeysAndBadUTF8(t *testing.T) {
	h := NewServer(Deps{Comparisons: newTestStore(t)})
	for body, field := range map[string]string{
		`{"name":"a","name":"b","model_id":"model-7","run_ids":["run-a","run-b"]}`:        "name",
		`{"NAME":"a","model_id":"model-7","run_ids":["run-a","run-b"]}`:                   "NAME",
		"{\"name\":\"a\xff\",\"model_id\":\"model-7\",\"run_ids\":[\"run-a\",\"run-b\"]}": "body",
	} {
		w := send(h, "POST", "/api/experiments/comparisons/", body, "")
		a := MustDecode(t, w)
		if w.Code != http.StatusBadRequest || a.Error.Field != field {
			t.Errorf("%q: %d field %q, want 400 naming %q", body, w.Code, a.Error.Field, field)
		}
	}
}
