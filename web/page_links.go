package web

import (
	"maps"
	"net/url"
	"slices"
	"strings"
)

// Links between the pages. Every value that goes into a URL is escaped here.

func modelPath(modelID string) string { return "/models/" + url.PathEscape(modelID) + "/" }

// dashboardURL is the experiments dashboard of a model on a dataset ("" for its latest).
func dashboardURL(modelID, datasetID string) string {
	return withQuery(modelPath(modelID), url.Values{"dataset_id": {datasetID}})
}

// runsURL is the runs table of a model on a dataset.
func runsURL(modelID, datasetID string) string {
	return withQuery(modelPath(modelID)+"runs/", url.Values{"dataset_id": {datasetID}})
}

// insightsURL is the Insights page of a model on a dataset.
func insightsURL(modelID, datasetID string) string {
	return withQuery(modelPath(modelID)+"insights/", url.Values{"dataset_id": {datasetID}})
}

// runURL is the detail page of a run.
func runURL(runID string) string { return "/runs/" + url.PathEscape(runID) + "/" }

// withQuery appends q to base, leaving out empty values.
func withQuery(base string, q url.Values) string {
	clean := url.Values{}
	for k, vs := range q {
		for _, v := range vs {
			if v != "" {
				clean.Add(k, v)
			}
		}
	}
	if len(clean) == 0 {
		return base
	}
	return base + "?" + clean.Encode()
}

// override copies q with the given key, value pairs set; an empty value removes the key.
func override(q url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range q {
		out[k] = slices.Clone(vs)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			out.Del(kv[i])
		} else {
			out.Set(kv[i], kv[i+1])
		}
	}
	return out
}

// hiddenField is a query parameter carried through a form as <input type=hidden>.
type hiddenField struct{ Name, Value string }

// hiddenFields lists q as hidden inputs, except the keys the form itself has.
func hiddenFields(q url.Values, except ...string) []hiddenField {
	var out []hiddenField
	for _, k := range slices.Sorted(maps.Keys(q)) {
		if slices.Contains(except, k) {
			continue
		}
		for _, v := range q[k] {
			if v != "" {
				out = append(out, hiddenField{k, v})
			}
		}
	}
	return out
}

// listParam reads a list parameter given comma-separated, repeated, or both
// (run_ids=a,b&run_ids=c), dropping blanks and repeats.
func listParam(q url.Values, key string) []string {
	var out []string
	for _, v := range q[key] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}
