package mlflow

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits MLflow enforces. Longer values are rejected before sending: the server would
// otherwise truncate some of them silently.
const (
	MaxKeyLength          = 250
	MaxParamValueLength   = 6000
	MaxTagValueLength     = 8000
	MaxExperimentName     = 500
	MaxExperimentTagValue = 20000
	MaxBatchMetrics       = 1000
	MaxBatchParams        = 100
	MaxBatchTags          = 100
	MaxBatchEntities      = 1000
	MaxBatchBytes         = 1_000_000
	MaxSearchRunsPageSize = 50000
)

// ValidationError is a key or value that MLflow would reject or silently truncate.
type ValidationError struct {
	Field  string // e.g. "params[3].value" or "metrics[0].key"
	Reason string
}

func (e *ValidationError) Error() string { return "mlflow: invalid " + e.Field + ": " + e.Reason }

// ValidateKey checks a metric, param or tag key the way MLflow's server does: 1 to 250
// characters of letters, digits, '_', '-', '.', ' ', ':' and '/', forming a clean relative
// path (MLflow stores keys as paths in some back-ends).
func ValidateKey(field, key string) error {
	switch {
	case key == "":
		return &ValidationError{field, "must not be empty"}
	case utf8.RuneCountInString(key) > MaxKeyLength:
		return &ValidationError{field, fmt.Sprintf("is %d characters long; MLflow allows at most %d", utf8.RuneCountInString(key), MaxKeyLength)}
	}
	if clean := path.Clean(key); clean != key || clean == "." || strings.HasPrefix(clean, "..") || strings.HasPrefix(clean, "/") {
		return &ValidationError{field, fmt.Sprintf("%q must be a clean relative path (no leading '/', no '.', '..' or empty segments, no trailing '/')", key)}
	}
	for _, r := range key {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_-. :/", r)) {
			return &ValidationError{field, fmt.Sprintf("%q contains %q; MLflow allows letters, digits, '_', '-', '.', ' ', ':' and '/'", key, r)}
		}
	}
	return nil
}

func validateValue(field, value string, limit int) error {
	if !utf8.ValidString(value) {
		return &ValidationError{field, "is not valid UTF-8"}
	}
	if n := utf8.RuneCountInString(value); n > limit {
		return &ValidationError{field, fmt.Sprintf("is %d characters long; MLflow allows at most %d", n, limit)}
	}
	return nil
}

// ValidateParam checks a param against MLflow's limits.
func ValidateParam(field string, p Param) error {
	if err := ValidateKey(field+".key", p.Key); err != nil {
		return err
	}
	return validateValue(field+".value", p.Value, MaxParamValueLength)
}

// ValidateTag checks a tag against MLflow's limits.
func ValidateTag(field string, t Tag) error {
	if err := ValidateKey(field+".key", t.Key); err != nil {
		return err
	}
	return validateValue(field+".value", t.Value, MaxTagValueLength)
}

// ValidateMetric checks a metric key. Any float64 is a legal value, NaN and ±Inf included.
func ValidateMetric(field string, m Metric) error {
	if err := ValidateKey(field+".key", m.Key); err != nil {
		return err
	}
	if m.Step < 0 {
		return &ValidationError{field + ".step", "must not be negative"}
	}
	return nil
}
