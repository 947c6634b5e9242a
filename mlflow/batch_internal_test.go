package mlflow

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func entities(nm, np, nt, valueLen int) ([]Metric, []Param, []Tag) {
	var ms []Metric
	var ps []Param
	var ts []Tag
	for i := 0; i < nm; i++ {
		ms = append(ms, Metric{Key: fmt.Sprintf("m%d", i), Value: Float(i), Timestamp: 1, Step: int64(i)})
	}
	for i := 0; i < np; i++ {
		ps = append(ps, Param{Key: fmt.Sprintf("p%d", i), Value: strings.Repeat("v", valueLen)})
	}
	for i := 0; i < nt; i++ {
		ts = append(ts, Tag{Key: fmt.Sprintf("t%d", i), Value: strings.Repeat("t", valueLen)})
	}
	return ms, ps, ts
}

func TestPlanBatches(t *testing.T) {
	cases := []struct {
		name                            string
		metrics, params, tags, valueLen int
		wantRequests                    int
	}{
		{"a quick test is one request", 4, 20, 8, 10, 1},
		{"nothing to log", 0, 0, 0, 0, 0},
		{"100 params fit, 101 do not", 0, 101, 0, 1, 2},
		{"1000 metrics fit, 1001 do not", 1001, 0, 0, 0, 2},
		{"entity limit counts all kinds", 950, 100, 100, 1, 2},
		{"a 20-epoch history of 5 metrics", 100, 20, 8, 10, 1},
		{"1 MB limit splits large values", 0, 100, 100, 5900, 2},
		{"many of each", 2500, 250, 150, 5, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ms, ps, ts := entities(tc.metrics, tc.params, tc.tags, tc.valueLen)
			got, err := planBatches(ms, ps, ts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.wantRequests {
				t.Errorf("%d requests, want %d", len(got), tc.wantRequests)
			}
			var nm, np, nt int
			for i, b := range got {
				body, _ := json.Marshal(map[string]any{"run_id": strings.Repeat("r", 32), "metrics": b.metrics, "params": b.params, "tags": b.tags})
				if len(b.metrics) > MaxBatchMetrics || len(b.params) > MaxBatchParams || len(b.tags) > MaxBatchTags ||
					b.entities() > MaxBatchEntities || len(body) > MaxBatchBytes || b.entities() == 0 {
					t.Errorf("request %d breaks a limit: %d metrics, %d params, %d tags, %d bytes", i, len(b.metrics), len(b.params), len(b.tags), len(body))
				}
				for j, m := range b.metrics { // order within a kind is kept
					if m.Key != fmt.Sprintf("m%d", nm+j) {
						t.Fatalf("metric order broken at request %d: %s", i, m.Key)
					}
				}
				nm, np, nt = nm+len(b.metrics), np+len(b.params), nt+len(b.tags)
			}
			if nm != tc.metrics || np != tc.params || nt != tc.tags {
				t.Errorf("planned %d/%d/%d metrics/params/tags, want %d/%d/%d", nm, np, nt, tc.metrics, tc.params, tc.tags)
			}
		})
	}
}

func TestPlanBatchesRejectsBeforeSending(t *testing.T) {
	cases := []struct {
		name      string
		metrics   []Metric
		params    []Param
		tags      []Tag
		wantField string
	}{
		{"param too long", nil, []Param{{"ok", "x"}, {"p", strings.Repeat("x", MaxParamValueLength+1)}}, nil, "params[1].value"},
		{"param at the limit is fine", nil, []Param{{"p", strings.Repeat("é", MaxParamValueLength)}}, nil, ""},
		{"tag too long", nil, nil, []Tag{{"t", strings.Repeat("x", MaxTagValueLength+1)}}, "tags[0].value"},
		{"key too long", []Metric{{Key: strings.Repeat("k", MaxKeyLength+1)}}, nil, nil, "metrics[0].key"},
		{"bad key character", nil, []Param{{"a=b", "1"}}, nil, "params[0].key"},
		{"key climbing out", nil, nil, []Tag{{"../x", "1"}}, "tags[0].key"},
		{"negative step", []Metric{{Key: "loss", Step: -1}}, nil, nil, "metrics[0].step"},
		{"param twice with two values", nil, []Param{{"epochs", "2"}, {"epochs", "3"}}, nil, "params[1]"},
		{"param twice with one value is fine", nil, []Param{{"epochs", "2"}, {"epochs", "2"}}, nil, ""},
		{"invalid UTF-8", nil, []Param{{"p", "\xff"}}, nil, "params[0].value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := planBatches(tc.metrics, tc.params, tc.tags)
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			ve, ok := err.(*ValidationError)
			if !ok || ve.Field != tc.wantField {
				t.Fatalf("err = %v, want a ValidationError on %s", err, tc.wantField)
			}
		})
	}
}
