package mlexp_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// trainedOn is a lineage whose Trainer read examples of span and version, a schema and a
// transform graph of vocabulary.
func trainedOn(span, version, schema, vocab string) *mlexp.Lineage {
	props := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] != "" {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	in := func(a string) mlexp.LineageEdge {
		return mlexp.LineageEdge{Artifact: a, Execution: "execution:9", Kind: mlexp.LineageInputEdge}
	}
	return &mlexp.Lineage{TrainerID: "execution:9", Nodes: []mlexp.LineageNode{
		{ID: "execution:9", Kind: mlexp.LineageExecution, Type: "Trainer"},
		{ID: "artifact:1", Kind: mlexp.LineageArtifact, Type: "Examples", Properties: props("span", span, "version", version)},
		{ID: "artifact:2", Kind: mlexp.LineageArtifact, Type: "Schema", Properties: props("version", schema)},
		{ID: "artifact:3", Kind: mlexp.LineageArtifact, Type: "TransformGraph", Properties: props("vocabulary", vocab)},
		{ID: "artifact:4", Kind: mlexp.LineageArtifact, Type: "Examples", Properties: props("span", "99")}, // not an input
	}, Edges: []mlexp.LineageEdge{in("artifact:1"), in("artifact:2"), in("artifact:3"),
		{Artifact: "artifact:4", Execution: "execution:1", Kind: mlexp.LineageInputEdge}}}
}

func TestTrainingInputs(t *testing.T) {
	got := trainedOn("3", "2", "4", "vocab-a").TrainingInputs()
	want := mlexp.TrainingInputs{DataSpan: "3", DataVersion: "2", SchemaVersion: "4", Vocabulary: "vocab-a"}
	if got != want {
		t.Errorf("TrainingInputs = %+v, want %+v", got, want)
	}
}

func TestCheckLikeForLike(t *testing.T) {
	inputs := map[string]mlexp.TrainingInputs{
		"a": trainedOn("3", "2", "4", "vocab-a").TrainingInputs(),
		"b": trainedOn("2", "2", "4", "vocab-b").TrainingInputs(),
		"c": trainedOn("3", "2", "", "vocab-a").TrainingInputs(), // schema not recorded: not a difference
	}
	c := mlexp.CheckLikeForLike([]string{"a", "b", "c", "d"}, inputs)
	if c.LikeForLike || !reflect.DeepEqual(c.Unlinked, []string{"d"}) {
		t.Fatalf("check = %+v", c)
	}
	var what []string
	for _, d := range c.Differences {
		what = append(what, d.What)
	}
	if !reflect.DeepEqual(what, []string{"data span", "vocabulary"}) || c.Differences[0].Values["b"] != "2" {
		t.Errorf("differences %+v", c.Differences)
	}
	if !strings.HasPrefix(c.Message, "Not a like-for-like comparison") || !strings.Contains(c.Message, "data span (3 vs 2)") {
		t.Errorf("message %q", c.Message)
	}
	same := mlexp.CheckLikeForLike([]string{"a", "c", "d"}, inputs)
	if !same.LikeForLike || same.Message != "" || len(same.Differences) != 0 {
		t.Errorf("runs trained alike: %+v", same)
	}
	cmp := &mlexp.Comparison{Runs: []mlexp.ComparedRun{{ID: "a", Name: "A"}, {ID: "b", Name: "B"}}, Lineage: c}
	if w := cmp.LineageWarning(); len(w) != 3 || w[1] != "data span — A: 3; B: 2" {
		t.Errorf("warning %q", w)
	}
}
