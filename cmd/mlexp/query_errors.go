package main

import (
	"errors"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// fail wraps an error of the domain or MLflow for the user: the command's name, then the
// message, with the domain's field names written as this command's flags.
func (q *queryEnv) fail(err error) error {
	return &queryError{cmd: q.name, err: err}
}

type queryError struct {
	cmd string
	err error
}

func (e *queryError) Error() string { return e.cmd + ": " + queryMessage(e.err) }
func (e *queryError) Unwrap() error { return e.err }

func queryMessage(err error) string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var msgs []string
		for _, x := range j.Unwrap() {
			msgs = append(msgs, queryMessage(x))
		}
		return strings.Join(msgs, "; ")
	}
	var me *mlexp.Error
	if !errors.As(err, &me) || me.Code == mlexp.EINTERNAL {
		return err.Error()
	}
	msg := me.Message
	if me.Field != "" {
		flagName := "--" + strings.ReplaceAll(me.Field, "_", "-")
		switch me.Field {
		case "run_ids":
			flagName = "RUN_ID"
		case "experiment":
			flagName = "EXPERIMENT"
		case "model_id":
			flagName = "--model"
		case "dataset_id":
			flagName = "--dataset"
		case "type", "status", "search", "sort", "order", "page", "page_size", "metric", "x_axis", "y_axis", "run_type", "agg", "baseline":
		default:
			if strings.HasPrefix(me.Field, "model.") || strings.HasPrefix(me.Field, "dataset.") {
				flagName = "--" + strings.ReplaceAll(strings.ReplaceAll(me.Field, ".", "-"), "_", "-")
			}
		}
		if rest, ok := strings.CutPrefix(msg, me.Field+": "); ok {
			msg = flagName + ": " + rest
		} else {
			msg = flagName + ": " + msg
		}
	}
	return msg
}
