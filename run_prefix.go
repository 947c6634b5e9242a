package mlexp

import (
	"context"
	"strings"
)

// Run id prefixes: the CLI shortens run ids to the prefixes that tell a page's runs apart
// (at 80 columns), and the commands that take run ids take those prefixes back.
const (
	// RunIDLength is the length of an MLflow run id (32 hexadecimal digits).
	RunIDLength = 32
	// MinRunIDPrefix is the fewest characters a run id prefix may have.
	MinRunIDPrefix = 8
)

// ResolveRunID is the id of the one run of ids that starts with prefix. A whole run id (32
// characters or more) is returned as it is, found or not: reading it tells. field names the
// argument in the errors: a prefix shorter than MinRunIDPrefix, one no run has, and one
// several runs share (their ids listed, up to 5). The "…" that ends a shortened id in a
// table may be copied with it.
func ResolveRunID(field, prefix string, ids []string) (string, error) {
	prefix = strings.TrimSuffix(prefix, "…")
	if len(prefix) >= RunIDLength {
		return prefix, nil
	}
	if len(prefix) < MinRunIDPrefix {
		return "", InvalidField(field, "%q is neither a run id nor a prefix of one: give at least %d characters of the run id", prefix, MinRunIDPrefix)
	}
	var found []string
	for _, id := range ids {
		if strings.HasPrefix(id, prefix) {
			found = append(found, id)
		}
	}
	switch len(found) {
	case 0:
		e := Errorf(ENOTFOUND, "%s: no run of the model starts with %q", field, prefix)
		e.Field = field
		return "", e
	case 1:
		return found[0], nil
	}
	shown := found[:min(len(found), 5)]
	return "", InvalidField(field, "%q is the start of %d runs' ids (%s): give more characters", prefix, len(found), strings.Join(shown, ", "))
}

// ModelRunIDs lists the ids of the runs of every experiment (dataset) of the model.
func ModelRunIDs(ctx context.Context, src RunSource, modelID string) ([]string, error) {
	models, err := src.Models(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, m := range models {
		if m.ID != modelID {
			continue
		}
		for _, d := range m.Datasets {
			set, err := src.Runs(ctx, d.ExperimentID)
			if err != nil {
				return nil, err
			}
			for _, r := range set.Runs {
				ids = append(ids, r.ID)
			}
		}
		return ids, nil
	}
	e := Errorf(ENOTFOUND, "model %q has no experiment in MLflow (mlexp models lists them)", modelID)
	e.Field = "model"
	return nil, e
}

// CheckRunIDPrefixes refuses, before anything is read, an arg (named fields[i]) that is
// shorter than MinRunIDPrefix; empty args are left alone.
func CheckRunIDPrefixes(fields, args []string) error {
	for i, a := range args {
		if a = strings.TrimSuffix(a, "…"); a != "" && len(a) < MinRunIDPrefix {
			_, err := ResolveRunID(fields[i], a, nil)
			return err
		}
	}
	return nil
}

// ResolveRunIDs resolves each of args (named fields[i] in errors) with ResolveRunID against
// the runs of the model's experiments, which it reads only when some arg is a prefix.
func ResolveRunIDs(ctx context.Context, src RunSource, modelID string, fields, args []string) ([]string, error) {
	short := false
	for _, a := range args {
		short = short || (a != "" && len(a) < RunIDLength)
	}
	if !short {
		return args, nil
	}
	if err := CheckRunIDPrefixes(fields, args); err != nil {
		return nil, err
	}
	ids, err := ModelRunIDs(ctx, src, modelID)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" {
			continue
		}
		if out[i], err = ResolveRunID(fields[i], a, ids); err != nil {
			return nil, err
		}
	}
	return out, nil
}
