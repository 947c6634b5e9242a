package mlexp

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// TrainingInputs is what a run's model was trained on, as its lineage records it: the span
// and version of its examples, the version of its schema, its vocabularies. A value is ""
// when the lineage does not record it.
type TrainingInputs struct {
	DataSpan      string `json:"data_span"`
	DataVersion   string `json:"data_version"`
	SchemaVersion string `json:"schema_version"`
	Vocabulary    string `json:"vocabulary"`
}

// TrainingInputs reads the inputs of the lineage's Trainer: examples (an artifact type
// ending in Examples) give the span and version properties, a Schema its version property,
// a TransformGraph its vocabulary property, an artifact of a Vocabulary type its URI.
// Several inputs of a kind give their distinct values, sorted, comma-separated.
func (l *Lineage) TrainingInputs() TrainingInputs {
	var span, version, schema, vocab []string
	for _, e := range l.Edges {
		n := l.Node(e.Artifact)
		if e.Execution != l.TrainerID || e.Kind != LineageInputEdge || n == nil {
			continue
		}
		p := n.Properties
		switch t := n.Type; {
		case strings.HasSuffix(t, "Examples"):
			span, version = appendSet(span, p["span"]), appendSet(version, p["version"])
		case t == "Schema":
			schema = appendSet(schema, p["version"])
		case t == "TransformGraph":
			vocab = appendSet(vocab, p["vocabulary"])
		case strings.Contains(t, "Vocab"):
			vocab = appendSet(vocab, n.URI)
		}
	}
	j := func(s []string) string { slices.Sort(s); return strings.Join(s, ",") }
	return TrainingInputs{DataSpan: j(span), DataVersion: j(version), SchemaVersion: j(schema), Vocabulary: j(vocab)}
}

func appendSet(s []string, v string) []string {
	if v == "" || slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// LineageCheck says whether compared runs were trained alike (design: lineage in
// comparisons). Runs without lineage are listed and do not count as different.
type LineageCheck struct {
	LikeForLike bool                      `json:"like_for_like"`
	Message     string                    `json:"message"` // "" when like for like
	Differences []LineageDifference       `json:"differences"`
	Inputs      map[string]TrainingInputs `json:"inputs"`           // by run id, linked runs only
	Unlinked    []string                  `json:"unlinked_run_ids"` // runs with no lineage
}

// LineageDifference is one input the runs were not trained alike on, with each linked
// run's value ("" when its lineage does not record it), by run id.
type LineageDifference struct {
	What   string            `json:"what"` // data span, data version, schema version, vocabulary
	Values map[string]string `json:"values"`
}

// CheckLikeForLike compares what the runs of order were trained on (inputs, by run id; a
// run missing from it has no lineage). An input differs when two runs record different
// values of it.
func CheckLikeForLike(order []string, inputs map[string]TrainingInputs) *LineageCheck {
	c := &LineageCheck{LikeForLike: true, Differences: []LineageDifference{}, Inputs: map[string]TrainingInputs{}, Unlinked: []string{}}
	for _, id := range order {
		if in, ok := inputs[id]; ok {
			c.Inputs[id] = in
		} else {
			c.Unlinked = append(c.Unlinked, id)
		}
	}
	var said []string
	for _, f := range []struct {
		what string
		get  func(TrainingInputs) string
	}{
		{"data span", func(t TrainingInputs) string { return t.DataSpan }},
		{"data version", func(t TrainingInputs) string { return t.DataVersion }},
		{"schema version", func(t TrainingInputs) string { return t.SchemaVersion }},
		{"vocabulary", func(t TrainingInputs) string { return t.Vocabulary }},
	} {
		values, distinct := map[string]string{}, []string{}
		for _, id := range order {
			if in, ok := c.Inputs[id]; ok {
				v := f.get(in)
				values[id] = v
				if v != "" {
					distinct = appendSet(distinct, v)
				}
			}
		}
		if len(distinct) > 1 {
			c.Differences = append(c.Differences, LineageDifference{What: f.what, Values: values})
			said = append(said, fmt.Sprintf("%s (%s)", f.what, strings.Join(distinct, " vs ")))
		}
	}
	if len(said) > 0 {
		c.LikeForLike = false
		c.Message = "Not a like-for-like comparison: the runs were trained on different " + strings.Join(said, ", ") + "."
	}
	return c
}

// LineageWarning is what a comparison says when its runs were not trained alike: the
// message, then one line per difference naming each run's value, or nil when they were (or
// lineage was not checked).
func (c *Comparison) LineageWarning() []string {
	if c == nil || c.Lineage == nil || c.Lineage.LikeForLike {
		return nil
	}
	lines := []string{c.Lineage.Message}
	for _, d := range c.Lineage.Differences {
		var parts []string
		for _, r := range c.Runs {
			if v, ok := d.Values[r.ID]; ok {
				parts = append(parts, fmt.Sprintf("%s: %s", r.Name, cmp.Or(v, NoValue)))
			}
		}
		lines = append(lines, d.What+" — "+strings.Join(parts, "; "))
	}
	return lines
}
