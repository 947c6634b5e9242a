package mlmd

import (
	"context"

	"github.com/mlexp-dev/mlexp"
)

// Event types of ML Metadata (ml_metadata.Event.Type) that make an artifact an input or an
// output of an execution. PENDING_OUTPUT (7) is not an output yet.
const (
	inputEvents  = "(2,3,5)" // DECLARED_INPUT, INPUT, INTERNAL_INPUT
	outputEvents = "(1,4,6)" // DECLARED_OUTPUT, OUTPUT, INTERNAL_OUTPUT
)

// anchor is where a run enters the graph: its Trainer execution and its Model artifact
// (0 when unknown).
type anchor struct {
	trainer, model int64
	by             string
}

// link finds the run of ref in the store, first match wins (design §3): its lineage tags,
// an execution whose external_id is the run id, an execution with a custom property equal
// to the run id, the artifact whose URI is the run's model URI. A tag naming an id the store
// does not have matches nothing.
func (s *Store) link(ctx context.Context, ref mlexp.LineageRef) (anchor, error) {
	type try struct {
		by  string
		ok  bool
		exe bool // the query finds an execution (else an artifact)
		q   string
		arg any
	}
	tries := []try{
		{mlexp.LinkExecutionTag, ref.ExecutionID > 0, true, `SELECT id FROM Execution WHERE id = ?`, ref.ExecutionID},
		{mlexp.LinkArtifactTag, ref.ModelArtifactID > 0, false, `SELECT id FROM Artifact WHERE id = ?`, ref.ModelArtifactID},
		{mlexp.LinkExternalID, ref.RunID != "", true, `SELECT id FROM Execution WHERE external_id = ?`, ref.RunID},
		{mlexp.LinkProperty, ref.RunID != "", true, `SELECT execution_id FROM ExecutionProperty
			WHERE string_value = ? AND is_custom_property ORDER BY execution_id DESC LIMIT 1`, ref.RunID},
		{mlexp.LinkModelURI, ref.ModelURI != "", false, `SELECT id FROM Artifact WHERE uri = ? ORDER BY id DESC LIMIT 1`, ref.ModelURI},
	}
	for _, t := range tries {
		if !t.ok {
			continue
		}
		found, err := s.ids(ctx, t.q, t.arg)
		if err != nil {
			return anchor{}, err
		}
		if len(found) == 0 {
			continue
		}
		a := anchor{by: t.by}
		if t.exe {
			a.trainer = found[0]
			a.model, err = s.modelOf(ctx, a.trainer)
		} else {
			a.model = found[0]
			a.trainer, err = s.producerOf(ctx, a.model)
		}
		return a, err
	}
	return anchor{}, nil
}

// modelOf returns the trainer's output of type Model, else its first output; 0 if none.
func (s *Store) modelOf(ctx context.Context, trainer int64) (int64, error) {
	ids, err := s.ids(ctx, `SELECT e.artifact_id FROM Event e
		JOIN Artifact a ON a.id = e.artifact_id JOIN Type t ON t.id = a.type_id
		WHERE e.execution_id = ? AND e.type IN `+outputEvents+`
		ORDER BY CASE WHEN t.name = 'Model' THEN 0 ELSE 1 END, e.artifact_id LIMIT 1`, trainer)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// producerOf returns the execution that output the artifact; 0 if none.
func (s *Store) producerOf(ctx context.Context, artifact int64) (int64, error) {
	ids, err := s.ids(ctx, `SELECT execution_id FROM Event
		WHERE artifact_id = ? AND type IN `+outputEvents+` ORDER BY execution_id LIMIT 1`, artifact)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}
