package mlexp

import (
	"context"
	"time"
)

// DependencyMLMD is the ML Metadata store that lineage reads (Error.Dependency).
const DependencyMLMD = "mlmd"

// Tags of an MLflow run that link it to ML Metadata (design §3), the first way tried.
const (
	TagMLMDExecutionID     = "mlmd.execution_id"      // the id of the run's Trainer execution
	TagMLMDModelArtifactID = "mlmd.model_artifact_id" // the id of the run's Model artifact
)

// How a run was linked to ML Metadata (Lineage.LinkedBy), in the order they are tried.
const (
	LinkExecutionTag  = "tag_execution_id"      // the run's mlmd.execution_id tag
	LinkArtifactTag   = "tag_model_artifact_id" // the run's mlmd.model_artifact_id tag
	LinkExternalID    = "execution_external_id" // an execution whose external_id is the run id
	LinkProperty      = "execution_property"    // an execution with a custom property equal to the run id
	LinkModelURI      = "model_uri"             // the artifact whose URI is the run's model URI
	LinkNone          = ""                      // no link: the run has no lineage
	LineageArtifact   = "artifact"              // LineageNode.Kind of an artifact
	LineageExecution  = "execution"             // LineageNode.Kind of an execution
	LineageInputEdge  = "input"                 // LineageEdge.Kind: the artifact is an input of the execution
	LineageOutputEdge = "output"                // LineageEdge.Kind: the artifact is an output of the execution
)

// LinkLabel says in words how a run was found in ML Metadata (Lineage.LinkedBy).
func LinkLabel(by string) string {
	switch by {
	case LinkExecutionTag:
		return "its mlmd.execution_id tag"
	case LinkArtifactTag:
		return "its mlmd.model_artifact_id tag"
	case LinkExternalID:
		return "an execution whose external_id is the run id"
	case LinkProperty:
		return "an execution's custom property holding the run id"
	case LinkModelURI:
		return "the artifact whose URI is the run's model URI"
	}
	return "nothing: no link"
}

// LineageIDs are what a trainer may report of where its run is in ML Metadata: the ids of
// its Trainer execution and of its Model artifact. They are logged as the run's
// mlmd.execution_id and mlmd.model_artifact_id tags (docs/lineage.md).
type LineageIDs struct {
	ExecutionID     int64 `json:"mlmd_execution_id,omitempty"`
	ModelArtifactID int64 `json:"mlmd_model_artifact_id,omitempty"`
}

// validate checks that the ids given are positive; nil is valid.
func (l *LineageIDs) validate(prefix string) error {
	switch {
	case l == nil:
		return nil
	case l.ExecutionID < 0:
		return InvalidField(prefix+".mlmd_execution_id", "must be a positive ML Metadata execution id, got %d", l.ExecutionID)
	case l.ModelArtifactID < 0:
		return InvalidField(prefix+".mlmd_model_artifact_id", "must be a positive ML Metadata artifact id, got %d", l.ModelArtifactID)
	}
	return nil
}

// LineageRef is what an MLflow run offers to find it in ML Metadata: its id, its lineage
// tags (0 when absent) and its model URI ("" when it has none).
type LineageRef struct {
	RunID           string
	ExecutionID     int64
	ModelArtifactID int64
	ModelURI        string
}

// Lineage is the ML Metadata graph of a run's model: the Trainer execution that made it and
// everything upstream of it (its inputs, their producers, their inputs… back to the
// dataset), and downstream the executions that consume the model (evaluation, blessing,
// push, a retraining) with their outputs. A run with no link has LinkedBy "" and no nodes.
type Lineage struct {
	RunID     string        `json:"run_id"`
	LinkedBy  string        `json:"linked_by"`
	TrainerID string        `json:"trainer_id,omitempty"` // node id of the Trainer execution
	ModelID   string        `json:"model_id,omitempty"`   // node id of the Model artifact
	Nodes     []LineageNode `json:"nodes"`                // executions first, then artifacts, each by id
	Edges     []LineageEdge `json:"edges"`                // every event between two nodes
	// Truncated says that the walk upstream stopped at the store's bound on nodes, so that
	// the graph lacks the oldest ancestors.
	Truncated bool `json:"truncated,omitempty"`
}

// LineageNode is an artifact or an execution of ML Metadata. ID is "artifact:N" or
// "execution:N" (N is the store's id); Properties hold the properties and custom properties
// as text (proto and struct values are left out).
type LineageNode struct {
	ID         string            `json:"id"`
	Kind       string            `json:"kind"`
	Type       string            `json:"type"`
	Name       string            `json:"name"`
	URI        string            `json:"uri,omitempty"`
	State      string            `json:"state,omitempty"`
	Properties map[string]string `json:"properties"`
	Created    time.Time         `json:"created"`
}

// LineageEdge is one event: Artifact was an input or an output (Kind) of Execution.
type LineageEdge struct {
	Artifact  string `json:"artifact"`
	Execution string `json:"execution"`
	Kind      string `json:"kind"`
}

// Node returns the node of id, or nil.
func (l *Lineage) Node(id string) *LineageNode {
	for i := range l.Nodes {
		if l.Nodes[i].ID == id {
			return &l.Nodes[i]
		}
	}
	return nil
}

// LineageStore reads lineage from an ML Metadata store.
type LineageStore interface {
	// Lineage finds the run of ref in the store, first match wins (design §3), and returns
	// its graph; a run that matches nothing has a Lineage with LinkedBy "".
	Lineage(ctx context.Context, ref LineageRef) (*Lineage, error)
}

// LineageRefs reads what links a run to ML Metadata: its tags and its model URI.
type LineageRefs interface {
	LineageRef(ctx context.Context, runID string) (LineageRef, error)
}

// ModelRecords are what ML Metadata records downstream of a run's model: its blessings
// (ModelBlessing artifacts) and its pushes (PushedModel artifacts).
type ModelRecords struct {
	RunID     string        `json:"run_id"`
	LinkedBy  string        `json:"linked_by"`
	Blessed   bool          `json:"blessed"` // a blessing says blessed=1 (or true)
	Blessings []LineageNode `json:"blessings"`
	Pushes    []LineageNode `json:"pushes"`
}

// ModelRecords picks the blessings and pushes out of the lineage's downstream artifacts.
func (l *Lineage) ModelRecords() *ModelRecords {
	r := &ModelRecords{RunID: l.RunID, LinkedBy: l.LinkedBy, Blessings: []LineageNode{}, Pushes: []LineageNode{}}
	for _, n := range l.Nodes {
		switch n.Type {
		case "ModelBlessing":
			r.Blessings = append(r.Blessings, n)
			r.Blessed = r.Blessed || n.Properties["blessed"] == "1" || n.Properties["blessed"] == "true"
		case "PushedModel":
			r.Pushes = append(r.Pushes, n)
		}
	}
	return r
}
