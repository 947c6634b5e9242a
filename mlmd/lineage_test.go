package mlmd_test

import (
	"context"
	"reflect"
	"strconv"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlmdtest"
	"github.com/mlexp-dev/mlexp/mlmd"
)

// pipeline is a store with every way to link a run, a model retrained from another one, and
// an unlinked training.
var pipeline = mlmdtest.Spec{Trainings: []mlmdtest.Training{
	{Key: "ext", RunID: "run-ext", Link: "external_id", Span: 3, Version: 2, SchemaVersion: 4, Vocabulary: "vocab-a", Blessed: true, Pushed: true},
	{Key: "prop", RunID: "run-prop", Link: "property", Base: "ext", Span: 4, Blessed: true},
	{Key: "uri", RunID: "run-uri", Link: "uri", ModelURI: "gs://models/recsys/7"},
	{Key: "tagged", RunID: "run-tagged", Link: "none"},
}}

// TestLineageReadsWhatTheLibraryWrote links runs every way of design §3 and checks that the
// graph read back is exactly the one the ml-metadata library wrote.
func TestLineageReadsWhatTheLibraryWrote(t *testing.T) {
	path, written := mlmdtest.WriteSQLite(t, pipeline)
	store, err := mlmd.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	checkLinks(t, store, written)
}

func checkLinks(t *testing.T, store *mlmd.Store, written map[string]mlmdtest.Written) {
	tagged := written["tagged"]
	for _, c := range []struct {
		name, key, by string
		ref           mlexp.LineageRef
	}{
		{"external id", "ext", mlexp.LinkExternalID, mlexp.LineageRef{RunID: "run-ext"}},
		{"custom property, retrained", "prop", mlexp.LinkProperty, mlexp.LineageRef{RunID: "run-prop"}},
		{"model URI", "uri", mlexp.LinkModelURI, mlexp.LineageRef{RunID: "run-uri", ModelURI: "gs://models/recsys/7"}},
		{"execution tag", "tagged", mlexp.LinkExecutionTag, mlexp.LineageRef{RunID: "run-tagged", ExecutionID: tagged.ExecutionID}},
		{"model tag", "tagged", mlexp.LinkArtifactTag, mlexp.LineageRef{RunID: "run-tagged", ModelArtifactID: tagged.ModelArtifactID}},
		{"tag first", "tagged", mlexp.LinkExecutionTag, mlexp.LineageRef{RunID: "run-ext", ExecutionID: tagged.ExecutionID}},
		{"tag of an id the store lacks", "ext", mlexp.LinkExternalID, mlexp.LineageRef{RunID: "run-ext", ExecutionID: 99999}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := store.Lineage(context.Background(), c.ref)
			if err != nil {
				t.Fatal(err)
			}
			if got.LinkedBy != c.by {
				t.Errorf("linked by %q, want %q", got.LinkedBy, c.by)
			}
			sameGraph(t, got, written[c.key])
		})
	}
	t.Run("no link", func(t *testing.T) {
		got, err := store.Lineage(context.Background(), mlexp.LineageRef{RunID: "run-tagged", ModelURI: "gs://nowhere"})
		if err != nil {
			t.Fatal(err)
		}
		if got.LinkedBy != mlexp.LinkNone || len(got.Nodes) != 0 || len(got.Edges) != 0 || got.TrainerID != "" {
			t.Errorf("a run with no link has lineage %+v", got)
		}
	})
}

// sameGraph checks that l is exactly the graph w that the library wrote.
func sameGraph(t *testing.T, l *mlexp.Lineage, w mlmdtest.Written) {
	t.Helper()
	if want := "execution:" + itoa(w.ExecutionID); l.TrainerID != want {
		t.Errorf("trainer %s, want %s", l.TrainerID, want)
	}
	if want := "artifact:" + itoa(w.ModelArtifactID); l.ModelID != want {
		t.Errorf("model %s, want %s", l.ModelID, want)
	}
	got := make([]mlmdtest.WrittenNode, len(l.Nodes))
	for i, n := range l.Nodes {
		got[i] = mlmdtest.WrittenNode{ID: n.ID, Type: n.Type, Name: n.Name, URI: n.URI, Properties: n.Properties, CreateTimeMS: n.Created.UnixMilli()}
	}
	for i := range w.Nodes {
		if w.Nodes[i].Properties == nil {
			w.Nodes[i].Properties = map[string]string{}
		}
	}
	if !reflect.DeepEqual(got, w.Nodes) {
		t.Errorf("nodes:\n got %v\nwant %v", got, w.Nodes)
		for i := range min(len(got), len(w.Nodes)) {
			if !reflect.DeepEqual(got[i], w.Nodes[i]) {
				t.Errorf("first difference:\n got %#v\nwant %#v", got[i], w.Nodes[i])
				break
			}
		}
	}
	if !reflect.DeepEqual(l.Edges, w.Edges) {
		t.Errorf("edges:\n got %v\nwant %v", l.Edges, w.Edges)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestLineageSaysWhenItIsCut: a graph larger than the bound stops upstream and says so;
// one within it does not.
func TestLineageSaysWhenItIsCut(t *testing.T) {
	path, written := mlmdtest.WriteSQLite(t, mlmdtest.Spec{Trainings: []mlmdtest.Training{{Key: "a", RunID: "run-a", Link: "external_id"}}})
	store, err := mlmd.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	full, err := store.Lineage(context.Background(), mlexp.LineageRef{RunID: "run-a"})
	if err != nil || full.Truncated || len(full.Nodes) != len(written["a"].Nodes) {
		t.Fatalf("within the bound: truncated %v, %d nodes, %v", full.Truncated, len(full.Nodes), err)
	}
	mlmd.SetMaxNodes(store, 4)
	cut, err := store.Lineage(context.Background(), mlexp.LineageRef{RunID: "run-a"})
	if err != nil || !cut.Truncated || len(cut.Nodes) >= len(full.Nodes) {
		t.Errorf("over the bound: truncated %v, %d nodes of %d, %v", cut.Truncated, len(cut.Nodes), len(full.Nodes), err)
	}
}
