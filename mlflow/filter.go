package mlflow

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Filters for runs/search and experiments/search are built here from validated parts, so
// that no user text can change a filter's meaning: keys are checked and quoted with
// backticks when needed, string values are quoted with a quote character they do not
// contain, and anything that cannot be quoted safely is refused.

// Entity is the part of a run or experiment a filter clause looks at.
type Entity string

// Entities of a filter clause.
const (
	Params     Entity = "params"
	Metrics    Entity = "metrics"
	Tags       Entity = "tags"
	Attributes Entity = "attributes"
)

// Clause is one comparison of a filter; build it with Where or WhereNumber.
type Clause struct {
	text string
	err  error
}

var (
	stringOps    = map[string]bool{"=": true, "!=": true, "LIKE": true, "ILIKE": true}
	numberOps    = map[string]bool{"=": true, "!=": true, ">": true, ">=": true, "<": true, "<=": true}
	bareKey      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	attributeKey = map[string]bool{"run_id": true, "run_name": true, "status": true, "user_id": true,
		"artifact_uri": true, "start_time": true, "end_time": true, "created": true, "name": true, "creation_time": true,
		"last_update_time": true}
)

// Where compares a param, tag or string attribute with a string value: op is =, !=, LIKE or
// ILIKE.
func Where(e Entity, key, op, value string) Clause {
	op = strings.ToUpper(op)
	if !stringOps[op] {
		return Clause{err: &ValidationError{"filter", fmt.Sprintf("operator %q is not one of =, !=, LIKE, ILIKE", op)}}
	}
	if e == Metrics {
		return Clause{err: &ValidationError{"filter", "metrics compare with numbers: use WhereNumber"}}
	}
	k, err := filterKey(e, key)
	if err != nil {
		return Clause{err: err}
	}
	v, err := quote(value)
	if err != nil {
		return Clause{err: err}
	}
	return Clause{text: k + " " + op + " " + v}
}

// WhereNumber compares a metric or numeric attribute (start_time, end_time) with a number.
func WhereNumber(e Entity, key, op string, value float64) Clause {
	if !numberOps[op] {
		return Clause{err: &ValidationError{"filter", fmt.Sprintf("operator %q is not one of =, !=, >, >=, <, <=", op)}}
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return Clause{err: &ValidationError{"filter", "cannot compare with NaN or Infinity"}}
	}
	if e != Metrics && e != Attributes {
		return Clause{err: &ValidationError{"filter", fmt.Sprintf("%s compare with strings: use Where", e)}}
	}
	k, err := filterKey(e, key)
	if err != nil {
		return Clause{err: err}
	}
	return Clause{text: k + " " + op + " " + strconv.FormatFloat(value, 'f', -1, 64)}
}

// RunIDIn keeps the runs whose id is one of ids (attributes.run_id IN (…)); at least one id.
func RunIDIn(ids []string) Clause { return runIDList("IN", ids) }

// RunIDNotIn matches the runs whose id is none of ids.
func RunIDNotIn(ids []string) Clause { return runIDList("NOT IN", ids) }

func runIDList(op string, ids []string) Clause {
	if len(ids) == 0 {
		return Clause{err: &ValidationError{"filter", "run_id " + op + " needs at least one id"}}
	}
	quoted := make([]string, len(ids))
	for i, id := range ids {
		q, err := quote(id)
		if err != nil {
			return Clause{err: err}
		}
		quoted[i] = q
	}
	return Clause{text: "attributes.run_id " + op + " (" + strings.Join(quoted, ", ") + ")"}
}

// And joins clauses into one filter string; the first invalid clause is the error.
func And(clauses ...Clause) (string, error) {
	parts := make([]string, 0, len(clauses))
	for _, c := range clauses {
		if c.err != nil {
			return "", c.err
		}
		parts = append(parts, c.text)
	}
	return strings.Join(parts, " AND "), nil
}

func filterKey(e Entity, key string) (string, error) {
	switch e {
	case Attributes:
		if !attributeKey[key] {
			return "", &ValidationError{"filter", fmt.Sprintf("%q is not a searchable attribute", key)}
		}
		return "attributes." + key, nil
	case Params, Metrics, Tags:
	default:
		return "", &ValidationError{"filter", fmt.Sprintf("unknown entity %q", e)}
	}
	if err := ValidateKey("filter key", key); err != nil && !strings.HasPrefix(key, "mlflow.") {
		return "", err
	}
	if strings.ContainsRune(key, '`') {
		return "", &ValidationError{"filter", fmt.Sprintf("key %q contains a backtick", key)}
	}
	if bareKey.MatchString(key) {
		return string(e) + "." + key, nil
	}
	return string(e) + ".`" + key + "`", nil
}

// quote writes a string literal MLflow's filter parser reads back as exactly value. The
// parser has no escape for a quote inside a literal, so the value is quoted with the quote
// character it does not contain; one containing both, or ending in a backslash (which would
// escape the closing quote), is refused.
func quote(value string) (string, error) {
	q := "'"
	if strings.Contains(value, "'") {
		if strings.Contains(value, `"`) {
			return "", &ValidationError{"filter", fmt.Sprintf("value %q contains both ' and \" and cannot be quoted for MLflow", value)}
		}
		q = `"`
	}
	if n := len(value) - len(strings.TrimRight(value, `\`)); n%2 == 1 {
		return "", &ValidationError{"filter", fmt.Sprintf("value %q ends in a backslash and cannot be quoted for MLflow", value)}
	}
	return q + value + q, nil
}
