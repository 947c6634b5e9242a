package main

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// jsonField is one field of the JSON that `mlexp log` reads, found by walking the decode
// type: its path as a user writes it, its JSON type, and whether it is required.
type jsonField struct {
	path     string // "feature_config.query_tower[].embedding_dim"
	name     string // "embedding_dim"
	depth    int    // 2: under feature_config and query_tower
	kind     string // string, integer, number, time, list, object, object of numbers
	required bool   // no omitempty
}

// reportFields lists the fields of the decode type t (a report), in declaration order,
// as encoding/json reads them: embedded structs are flattened, lists get "[]".
func reportFields(t reflect.Type) []jsonField {
	var out []jsonField
	walkJSONFields(t, "", 0, &out)
	return out
}

func walkJSONFields(t reflect.Type, prefix string, depth int, out *[]jsonField) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			walkJSONFields(f.Type, prefix, depth, out) // Timing, Metrics: their fields are the parent's
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		path := prefix + name
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		field := jsonField{path: path, name: name, depth: depth, kind: jsonKindOf(ft), required: !strings.Contains(opts, "omitempty")}
		*out = append(*out, field)
		switch {
		case ft.Kind() == reflect.Struct && ft != reflect.TypeFor[time.Time]():
			walkJSONFields(ft, path+".", depth+1, out)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			walkJSONFields(ft.Elem(), path+"[].", depth+1, out)
		}
	}
}

func jsonKindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer"
	case reflect.Float64, reflect.Float32:
		return "number"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return "[]string"
		}
		return "list"
	case reflect.Map:
		return "map"
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return "time"
		}
	}
	return "object"
}

// reportFieldDocs says what each field of the reports means, by the path reportFields
// gives it ("@" for quick_test or training_run); a test checks that it documents exactly
// the decode types' fields.
func reportFieldDocs() map[string]string {
	return map[string]string{
		"model":                             "the model whose configurations are compared",
		"model.id":                          "its id, e.g. model-7 (mlexp's --model)",
		"model.name":                        "its name, e.g. retail-recs",
		"dataset":                           "the training data: one MLflow experiment per model and dataset",
		"dataset.id":                        "its id, e.g. dataset-001",
		"dataset.name":                      "its name",
		"dataset.version":                   "its version",
		"feature_config":                    "the configuration tested",
		"feature_config.id":                 "its id, e.g. config-042",
		"feature_config.name":               "display name; default: the id",
		"feature_config.query_tower":        "features of the query tower, at least one",
		"feature_config.query_tower[].name": "feature name: lower-case letters, digits, _",
		"feature_config.query_tower[].embedding_dim":     "1 to 65536",
		"feature_config.candidate_tower":                 "features of the candidate tower, at least one",
		"feature_config.candidate_tower[].name":          "feature name",
		"feature_config.candidate_tower[].embedding_dim": "1 to 65536",
		"feature_config.cross_features":                  "crossed features",
		"feature_config.cross_features[].features":       "two or more feature names",
		"feature_config.cross_features[].buckets":        "hash buckets, 1 or more",
		"feature_config.settings":                        "other numeric settings, e.g. revenue_buckets",
		"@":                                              "the result: quick_test or training_run",
		"@.id":                                           "the result's number: the #3 of its run name",
		"@.data_sample_percent":                          "share of the data, more than 0 and at most 100",
		"@.epochs":                                       "epochs trained, 1 or more",
		"@.batch_size":                                   "batch size, 1 or more",
		"@.status":                                       "completed or failed",
		"@.cost_usd":                                     "cost in US dollars",
		"@.metrics":                                      "final metrics; recall and loss as fractions (0.473)",
		"@.metrics.loss":                                 "required for a completed run",
		"@.metrics.recall_at_10":                         "required for a completed run, 0 to 1",
		"@.metrics.recall_at_50":                         "required for a completed run, 0 to 1",
		"@.metrics.recall_at_100":                        "required for a completed run, 0 to 1",
		"@.metrics.extra":                                "other metrics by name, e.g. ndcg_at_10",
		"@.history":                                      "per-epoch metrics, epochs increasing from 1",
		"@.history[].epoch":                              "the epoch, 1 to epochs",
		"@.history[].loss":                               "",
		"@.history[].recall_at_10":                       "",
		"@.history[].recall_at_50":                       "",
		"@.history[].recall_at_100":                      "",
		"@.history[].extra":                              "",
		"@.model_uri":                                    "where the model is, with a scheme: gs://…",
		"@.lineage":                                      "where the run is in ML Metadata",
		"@.lineage.mlmd_execution_id":                    "the Trainer execution's id",
		"@.lineage.mlmd_model_artifact_id":               "the model artifact's id",
		"@.failure":                                      "required for a failed run",
		"@.failure.stage":                                "where it failed, e.g. Transform",
		"@.failure.reason":                               "why, e.g. OOM during Transform",
		"@.started_at":                                   "RFC 3339, e.g. 2026-11-24T09:00:00Z",
		"@.finished_at":                                  "RFC 3339, not before started_at",
	}
}

// fieldDoc is the documentation of a field: the result's own part (quick_test or
// training_run) is documented once, as "@".
func fieldDoc(path string) (string, bool) {
	for _, part := range []string{"quick_test", "training_run"} {
		if rest, ok := strings.CutPrefix(path, part); ok {
			path = "@" + rest
		}
	}
	doc, ok := reportFieldDocs()[path]
	return doc, ok
}

// writeReportFields writes the fields of the report type t that keep passes, nested by
// indentation: * when required, name, type, and what it means.
func writeReportFields(w io.Writer, t reflect.Type, keep func(string) bool) {
	const nameWidth, kindWidth = 26, 8
	docIndent := strings.Repeat(" ", 2+nameWidth+1+kindWidth+1)
	for _, f := range reportFields(t) {
		if !keep(f.path) {
			continue
		}
		req := " "
		if f.required {
			req = "*"
		}
		name := strings.Repeat("  ", f.depth) + req + " " + f.name
		if f.kind == "list" {
			name += "[]"
		}
		doc, _ := fieldDoc(f.path)
		var b strings.Builder
		writeWrapped(&b, docIndent, doc)
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		first := strings.TrimPrefix(lines[0], docIndent)
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  %-*s %-*s %s", nameWidth, name, kindWidth, f.kind, first), " "))
		for _, l := range lines[1:] {
			fmt.Fprintln(w, l)
		}
	}
}

// writeLogJSONHelp describes the JSON `mlexp log` reads: every field of both reports, and
// an example.
func writeLogJSONHelp(w io.Writer) {
	fmt.Fprint(w, `The JSON: one object a result (a file of one object, or JSON Lines). Keys are
case-sensitive; an unknown key is refused. * marks a required field.

Both kinds:
`)
	subject := func(p string) bool {
		return strings.HasPrefix(p, "model") || strings.HasPrefix(p, "dataset") || strings.HasPrefix(p, "feature_config")
	}
	writeReportFields(w, reflect.TypeFor[mlexp.QuickTestReport](), subject)
	fmt.Fprint(w, "\nlog quick-test:\n")
	writeReportFields(w, reflect.TypeFor[mlexp.QuickTestReport](), func(p string) bool { return !subject(p) })
	quick, training := map[string]bool{}, map[string]bool{}
	for _, f := range reportFields(reflect.TypeFor[mlexp.QuickTestReport]()) {
		quick[strings.TrimPrefix(f.path, "quick_test")] = true
	}
	for _, f := range reportFields(reflect.TypeFor[mlexp.TrainingRunReport]()) {
		training[strings.TrimPrefix(f.path, "training_run")] = true
	}
	var only []string
	for _, f := range reportFields(reflect.TypeFor[mlexp.QuickTestReport]()) {
		if rest, ok := strings.CutPrefix(f.path, "quick_test."); ok && !training["."+rest] {
			only = append(only, rest)
		}
	}
	fmt.Fprintf(w, "\nlog training-run (the fields of quick_test but %s, and):\n", strings.Join(only, ", "))
	writeReportFields(w, reflect.TypeFor[mlexp.TrainingRunReport](), func(p string) bool {
		rest, ok := strings.CutPrefix(p, "training_run")
		return ok && (rest == "" || !quick[rest]) && !strings.HasPrefix(rest, ".history[].") || p == "training_run.history[].epoch"
	})
	fmt.Fprint(w, "          (and the fields of metrics: loss, recall_at_10…)\n")
	fmt.Fprintf(w, "\nAn example for log quick-test (in JSON Lines, each object is on one line):\n%s\n", logExample)
}

// logExample is the smallest complete quick test; a test checks that it is valid.
const logExample = `{"model": {"id": "model-7", "name": "retail-recs"},
 "dataset": {"id": "dataset-001", "name": "Q4 2024 Training Data"},
 "feature_config": {"id": "config-042",
   "query_tower": [{"name": "user_id", "embedding_dim": 64}],
   "candidate_tower": [{"name": "product_id", "embedding_dim": 64}],
   "cross_features": [{"features": ["category", "subcategory"],
     "buckets": 1000}]},
 "quick_test": {"id": 3, "data_sample_percent": 10, "epochs": 2,
   "status": "completed", "cost_usd": 1.42,
   "metrics": {"loss": 0.38, "recall_at_10": 0.182, "recall_at_50": 0.385,
               "recall_at_100": 0.473},
   "started_at": "2026-11-24T09:00:00Z", "finished_at": "2026-11-24T09:08:00Z"}}`
