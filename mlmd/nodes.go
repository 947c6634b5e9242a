package mlmd

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// State names of ml_metadata.Artifact.State and Execution.State, by value.
var (
	artifactStates  = []string{"UNKNOWN", "PENDING", "LIVE", "MARKED_FOR_DELETION", "DELETED", "ABANDONED", "REFERENCE"}
	executionStates = []string{"UNKNOWN", "NEW", "RUNNING", "COMPLETE", "FAILED", "CACHED", "CANCELED"}
)

// nodeTable is what differs between reading executions and artifacts.
type nodeTable struct {
	kind, table, props, fk, uri, state string
	states                             []string
}

var (
	executionTable = nodeTable{mlexp.LineageExecution, "Execution", "ExecutionProperty", "execution_id", "''", "last_known_state", executionStates}
	artifactTable  = nodeTable{mlexp.LineageArtifact, "Artifact", "ArtifactProperty", "artifact_id", "uri", "state", artifactStates}
)

// nodes reads the executions, then the artifacts, each in id order, with their properties.
func (s *Store) nodes(ctx context.Context, execs, arts []int64) ([]mlexp.LineageNode, error) {
	out := []mlexp.LineageNode{}
	for _, part := range []struct {
		t   nodeTable
		ids []int64
	}{{executionTable, execs}, {artifactTable, arts}} {
		if len(part.ids) == 0 {
			continue
		}
		nodes, err := s.readNodes(ctx, part.t, part.ids)
		if err != nil {
			return nil, err
		}
		out = append(out, nodes...)
	}
	return out, nil
}

func (s *Store) readNodes(ctx context.Context, t nodeTable, ids []int64) ([]mlexp.LineageNode, error) {
	list, args := in(ids)
	rows, err := s.query(ctx, `SELECT n.id, ty.name, n.name, `+t.uri+`, n.`+t.state+`, n.create_time_since_epoch
		FROM `+t.table+` n JOIN Type ty ON ty.id = n.type_id WHERE n.id IN `+list+` ORDER BY n.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []mlexp.LineageNode
	index := map[int64]int{}
	for rows.Next() {
		var id, created int64
		var name, uri sql.NullString
		var state sql.NullInt64
		n := mlexp.LineageNode{Kind: t.kind, Properties: map[string]string{}}
		if err := rows.Scan(&id, &n.Type, &name, &uri, &state, &created); err != nil {
			return nil, s.readErr(err)
		}
		n.ID, n.Name, n.URI, n.Created = nodeID(t.kind, id), name.String, uri.String, time.UnixMilli(created).UTC()
		if state.Valid && state.Int64 >= 0 && int(state.Int64) < len(t.states) {
			n.State = t.states[state.Int64]
		}
		index[id] = len(out)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, s.readErr(err)
	}
	return out, s.readProps(ctx, t, args, list, out, index)
}

// readProps fills the nodes' properties and custom properties, as text. A custom property
// of the same name as a property comes second and wins. Proto, struct and byte values are
// left out.
func (s *Store) readProps(ctx context.Context, t nodeTable, args []any, list string, nodes []mlexp.LineageNode, index map[int64]int) error {
	rows, err := s.query(ctx, `SELECT `+t.fk+`, name, int_value, double_value, string_value, bool_value
		FROM `+t.props+` WHERE `+t.fk+` IN `+list+` ORDER BY is_custom_property`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		var i sql.NullInt64
		var d sql.NullFloat64
		var str sql.NullString
		var b sql.NullBool
		if err := rows.Scan(&id, &name, &i, &d, &str, &b); err != nil {
			return s.readErr(err)
		}
		props := nodes[index[id]].Properties
		switch {
		case i.Valid:
			props[name] = strconv.FormatInt(i.Int64, 10)
		case d.Valid:
			props[name] = strconv.FormatFloat(d.Float64, 'g', -1, 64)
		case str.Valid:
			props[name] = str.String
		case b.Valid:
			props[name] = strconv.FormatBool(b.Bool)
		}
	}
	return s.readErr(rows.Err())
}

// readErr wraps a failure to read the store; nil stays nil.
func (s *Store) readErr(err error) error {
	if err == nil {
		return nil
	}
	return mlexp.Unavailable(mlexp.DependencyMLMD, err, "reading the ML Metadata store %s: %v", s.name, err)
}
