package mlmd

import (
	"context"
	"slices"
	"strconv"

	"github.com/mlexp-dev/mlexp"
)

// MaxNodes bounds the graph of one run, so that an enormous fan-in upstream cannot make one
// answer unbounded: the walk upstream stops at the level that reaches it, and the answer
// says that it was cut (Lineage.Truncated).
const MaxNodes = 2000

// Lineage implements mlexp.LineageStore: the Trainer and its outputs, everything upstream of
// the Trainer (its inputs, their producers, their inputs…), the executions that consume the
// model and their outputs, and every event between those nodes.
func (s *Store) Lineage(ctx context.Context, ref mlexp.LineageRef) (*mlexp.Lineage, error) {
	out := &mlexp.Lineage{RunID: ref.RunID, Nodes: []mlexp.LineageNode{}, Edges: []mlexp.LineageEdge{}}
	a, err := s.link(ctx, ref)
	if err != nil {
		return nil, err
	}
	if a.by == mlexp.LinkNone {
		return out, nil
	}
	out.LinkedBy = a.by
	execs, arts := map[int64]bool{}, map[int64]bool{}
	if a.model > 0 {
		arts[a.model] = true
		out.ModelID = nodeID(mlexp.LineageArtifact, a.model)
	}
	if a.trainer > 0 {
		out.TrainerID = nodeID(mlexp.LineageExecution, a.trainer)
		if out.Truncated, err = s.upstream(ctx, a.trainer, execs, arts); err != nil {
			return nil, err
		}
	}
	if a.model > 0 {
		if err := s.downstream(ctx, a.model, execs, arts); err != nil {
			return nil, err
		}
	}
	e, ar := sortedKeys(execs), sortedKeys(arts)
	if out.Nodes, err = s.nodes(ctx, e, ar); err != nil {
		return nil, err
	}
	out.Edges, err = s.edges(ctx, e, ar)
	return out, err
}

// upstream adds the trainer, its outputs, and every execution and artifact upstream of it,
// level by level until s.maxNodes is reached; it says whether it stopped there.
func (s *Store) upstream(ctx context.Context, trainer int64, execs, arts map[int64]bool) (truncated bool, err error) {
	execs[trainer] = true
	outs, err := s.ids(ctx, `SELECT artifact_id FROM Event WHERE execution_id = ? AND type IN `+outputEvents, trainer)
	if err != nil {
		return false, err
	}
	add(arts, outs)
	for frontier := []int64{trainer}; len(frontier) > 0; {
		if len(execs)+len(arts) >= s.maxNodes {
			return true, nil
		}
		list, args := in(frontier)
		inputs, err := s.ids(ctx, `SELECT DISTINCT artifact_id FROM Event WHERE execution_id IN `+list+` AND type IN `+inputEvents, args...)
		if err != nil || len(inputs) == 0 {
			return false, err
		}
		add(arts, inputs)
		list, args = in(inputs)
		producers, err := s.ids(ctx, `SELECT DISTINCT execution_id FROM Event WHERE artifact_id IN `+list+` AND type IN `+outputEvents, args...)
		if err != nil {
			return false, err
		}
		frontier = add(execs, producers)
	}
	return false, nil
}

// downstream adds the executions that consume the model, and their outputs.
func (s *Store) downstream(ctx context.Context, model int64, execs, arts map[int64]bool) error {
	consumers, err := s.ids(ctx, `SELECT DISTINCT execution_id FROM Event WHERE artifact_id = ? AND type IN `+inputEvents, model)
	if err != nil || len(consumers) == 0 {
		return err
	}
	add(execs, consumers)
	list, args := in(consumers)
	outs, err := s.ids(ctx, `SELECT DISTINCT artifact_id FROM Event WHERE execution_id IN `+list+` AND type IN `+outputEvents, args...)
	add(arts, outs)
	return err
}

// edges returns every input or output event between the executions and the artifacts.
func (s *Store) edges(ctx context.Context, execs, arts []int64) ([]mlexp.LineageEdge, error) {
	out := []mlexp.LineageEdge{}
	if len(execs) == 0 || len(arts) == 0 {
		return out, nil
	}
	el, eargs := in(execs)
	al, aargs := in(arts)
	rows, err := s.query(ctx, `SELECT DISTINCT artifact_id, execution_id, CASE WHEN type IN `+inputEvents+` THEN 'input' ELSE 'output' END
		FROM Event WHERE execution_id IN `+el+` AND artifact_id IN `+al+` AND type IN (1,2,3,4,5,6)
		ORDER BY artifact_id, execution_id`, append(eargs, aargs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a, e int64
		var kind string
		if err := rows.Scan(&a, &e, &kind); err != nil {
			return nil, s.readErr(err)
		}
		out = append(out, mlexp.LineageEdge{Artifact: nodeID(mlexp.LineageArtifact, a), Execution: nodeID(mlexp.LineageExecution, e), Kind: kind})
	}
	return out, s.readErr(rows.Err())
}

// add puts ids into set and returns those that were not in it.
func add(set map[int64]bool, ids []int64) []int64 {
	var fresh []int64
	for _, id := range ids {
		if !set[id] {
			set[id] = true
			fresh = append(fresh, id)
		}
	}
	return fresh
}

func sortedKeys(set map[int64]bool) []int64 {
	out := make([]int64, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func nodeID(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }
