package mlexp

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Model is a recommender model whose feature configurations are being compared.
type Model struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Dataset is the training data of a model; each (model, dataset) pair is one MLflow
// experiment named "{model name}-{dataset name}".
type Dataset struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// maxNameLength bounds ids and names, which become MLflow tag values and experiment names.
const maxNameLength = 200

// Validate checks the model; field names are prefixed with prefix (e.g. "model").
func (m Model) Validate(prefix string) error {
	var p problems
	p.add(validateID(prefix+".id", m.ID))
	p.add(validateName(prefix+".name", m.Name))
	return p.err()
}

// Validate checks the dataset; field names are prefixed with prefix (e.g. "dataset").
func (d Dataset) Validate(prefix string) error {
	var p problems
	p.add(validateID(prefix+".id", d.ID))
	p.add(validateName(prefix+".name", d.Name))
	if utf8.RuneCountInString(d.Version) > maxNameLength {
		p.add(InvalidField(prefix+".version", "is longer than %d characters", maxNameLength))
	}
	return p.err()
}

// ExperimentName is the MLflow experiment of a model's runs on a dataset.
func ExperimentName(m Model, d Dataset) string { return m.Name + "-" + d.Name }

func validateName(field, v string) error {
	switch {
	case v == "":
		return InvalidField(field, "is required")
	case !utf8.ValidString(v):
		return InvalidField(field, "is not valid UTF-8")
	case utf8.RuneCountInString(v) > maxNameLength:
		return InvalidField(field, "is longer than %d characters", maxNameLength)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return InvalidField(field, "contains a control character")
		}
	}
	return nil
}

// validateID checks an id: a name without quotes or backslashes, since ids end up in the
// filters by which mlexp finds runs in MLflow.
func validateID(field, v string) error {
	if err := validateName(field, v); err != nil {
		return err
	}
	if strings.ContainsAny(v, `'"\`) {
		return InvalidField(field, "must not contain quotes or backslashes")
	}
	return nil
}

// identifier is what a feature or setting name must look like: it becomes part of an MLflow
// param key such as "user_id_embedding_dim".
var identifier = regexp.MustCompile(`^[a-z][a-z0-9_]{0,99}$`)

func validateIdentifier(field, v string) error {
	if !identifier.MatchString(v) {
		return InvalidField(field, "%q must be lower-case letters, digits and '_', starting with a letter (at most 100)", v)
	}
	return nil
}
