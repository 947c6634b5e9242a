package mlexp

import (
	"sort"
	"strings"
)

// LineageStage is one column of a lineage graph drawn left to right: an execution and the
// artifacts it output, or the artifacts that no execution of the graph output.
type LineageStage struct {
	Execution *LineageNode   // nil for the stage of artifacts without a producer
	Outputs   []*LineageNode // in id order
}

// LineageStages orders the graph for drawing: stage k holds executions whose inputs all come
// from stages before k (the longest path of executions from a source), each with its
// outputs. Stages are in column order; within a column, executions in id order.
func (l *Lineage) LineageStages() [][]LineageStage {
	producer := map[string]string{} // artifact → the execution that output it
	inputs := map[string][]string{} // execution → its input artifacts
	for _, e := range l.Edges {
		if e.Kind == LineageOutputEdge {
			if _, ok := producer[e.Artifact]; !ok {
				producer[e.Artifact] = e.Execution
			}
		} else {
			inputs[e.Execution] = append(inputs[e.Execution], e.Artifact)
		}
	}
	col := map[string]int{}
	var rank func(exec string, seen map[string]bool) int
	rank = func(exec string, seen map[string]bool) int {
		if c, ok := col[exec]; ok {
			return c
		}
		if seen[exec] { // a cycle: ML Metadata allows one; cut it here
			return 0
		}
		seen[exec] = true
		c := 1
		for _, a := range inputs[exec] {
			if p, ok := producer[a]; ok && p != exec {
				c = max(c, rank(p, seen)+1)
			}
		}
		col[exec] = c
		return c
	}
	var cols [][]LineageStage
	at := func(c int) *[]LineageStage {
		for len(cols) <= c {
			cols = append(cols, nil)
		}
		return &cols[c]
	}
	stages := map[string]int{} // execution → index in its column
	for i := range l.Nodes {
		n := &l.Nodes[i]
		if n.Kind == LineageExecution {
			c := at(rank(n.ID, map[string]bool{}))
			stages[n.ID] = len(*c)
			*c = append(*c, LineageStage{Execution: n})
		}
	}
	for i := range l.Nodes {
		n := &l.Nodes[i]
		if n.Kind != LineageArtifact {
			continue
		}
		p, ok := producer[n.ID]
		if !ok {
			c := at(0)
			if len(*c) == 0 {
				*c = append(*c, LineageStage{})
			}
			(*c)[0].Outputs = append((*c)[0].Outputs, n)
			continue
		}
		s := &cols[col[p]][stages[p]]
		s.Outputs = append(s.Outputs, n)
	}
	if len(cols) > 0 && len(cols[0]) == 0 {
		cols = cols[1:]
	}
	return cols
}

// KeyProperties are the properties of a node worth showing beside it, in a stable order:
// the ones people look for first (span, version, vocabulary, blessed, pushed…), then the
// others by name, at most max of them.
func (n *LineageNode) KeyProperties(max int) []string {
	first := []string{"span", "version", "vocabulary", "blessed", "pushed", "pushed_version", "pushed_destination", "mlflow_run_id"}
	rank := func(k string) int {
		for i, f := range first {
			if f == k {
				return i
			}
		}
		return len(first)
	}
	keys := make([]string, 0, len(n.Properties))
	for k := range n.Properties {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		return ri < rj || ri == rj && keys[i] < keys[j]
	})
	var out []string
	for _, k := range keys {
		if len(out) == max {
			break
		}
		out = append(out, k+"="+strings.TrimSpace(n.Properties[k]))
	}
	return out
}
