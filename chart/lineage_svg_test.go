package chart

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// sampleLineage is a small TFX-shaped graph: dataset → ExampleGen → examples → Trainer →
// model → Pusher → pushed model, with a name that needs escaping.
func sampleLineage() *mlexp.Lineage {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	node := func(kind string, id int, typ, name, uri string, props map[string]string) mlexp.LineageNode {
		if props == nil {
			props = map[string]string{}
		}
		return mlexp.LineageNode{ID: kind + ":" + strconv.Itoa(id), Kind: kind, Type: typ, Name: name, URI: uri, Properties: props, Created: at}
	}
	e, a := mlexp.LineageExecution, mlexp.LineageArtifact
	in, out := mlexp.LineageInputEdge, mlexp.LineageOutputEdge
	return &mlexp.Lineage{RunID: "run-1", LinkedBy: mlexp.LinkExternalID, TrainerID: "execution:3", ModelID: "artifact:3",
		Nodes: []mlexp.LineageNode{
			node(e, 1, "ExampleGen", "example-gen", "", nil), node(e, 3, "Trainer", "trainer <b>", "", map[string]string{"mlflow_run_id": "run-1"}),
			node(e, 4, "Pusher", "pusher", "", nil),
			node(a, 1, "Dataset", "dataset", "gs://data/x", nil), node(a, 2, "Examples", "examples", "gs://data/x/span-3", map[string]string{"span": "3", "version": "2"}),
			node(a, 3, "Model", "model", "gs://models/1", nil), node(a, 4, "PushedModel", "pushed", "gs://serving/1", nil),
		},
		Edges: []mlexp.LineageEdge{
			{Artifact: "artifact:1", Execution: "execution:1", Kind: in}, {Artifact: "artifact:2", Execution: "execution:1", Kind: out},
			{Artifact: "artifact:2", Execution: "execution:3", Kind: in}, {Artifact: "artifact:3", Execution: "execution:3", Kind: out},
			{Artifact: "artifact:3", Execution: "execution:4", Kind: in}, {Artifact: "artifact:4", Execution: "execution:4", Kind: out},
		}}
}

// TestLineageSVG: one box per node, stages left to right in pipeline order, an arrow per
// input event, the run's trainer and model outlined, key properties shown, text escaped.
func TestLineageSVG(t *testing.T) {
	l := sampleLineage()
	b, err := LineageSVG(l, SVGOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svgSample(t, "lineage.svg", b)
	root := parseSVG(t, b)
	nodes := root.find(svgClass("lineage-node"))
	if len(nodes) != len(l.Nodes) {
		t.Fatalf("%d node boxes, want %d", len(nodes), len(l.Nodes))
	}
	x := map[string]float64{}
	accent := 0
	for _, n := range nodes {
		r := n.child("rect")
		x[n.attrs["data-id"]], _ = strconv.ParseFloat(r.attrs["x"], 64)
		if r.attrs["stroke"] == hexColor(lgAccent) {
			accent++
		}
	}
	if accent != 2 {
		t.Errorf("%d boxes outlined as this run's, want 2 (trainer and model)", accent)
	}
	if !(x["artifact:1"] < x["execution:1"] && x["execution:1"] < x["execution:3"] && x["execution:3"] < x["execution:4"]) {
		t.Errorf("stages are not left to right in pipeline order: %v", x)
	}
	arrows := root.find(func(e *xmlNode) bool { return e.name == "path" && e.attrs["marker-end"] != "" })
	if len(arrows) != 3 {
		t.Errorf("%d arrows, want one per input event (3)", len(arrows))
	}
	text := root.allText()
	for _, want := range []string{"Examples  examples", "span=3 version=2", "gs://serving/1", "trainer <b>", "2026-05-01 12:00"} {
		if !strings.Contains(text, want) {
			t.Errorf("the graph lacks %q: %s", want, text)
		}
	}
	if strings.Contains(string(b), "<b>") {
		t.Error("a node name is not escaped")
	}
}
