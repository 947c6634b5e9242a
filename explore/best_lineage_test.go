package explore

import (
	"context"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/fakesource"
)

// topRecall picks the run with the highest Recall@100, the way a selection ranks.
type topRecall struct{}

func (topRecall) SelectBest(_ context.Context, _ string, runs []mlexp.Run, q mlexp.BestQuery) (*mlexp.Best, error) {
	b := &mlexp.Best{Query: q}
	best := -1.0
	for _, r := range runs {
		if v, ok := r.Metric(mlexp.MetricRecallAt100); ok && v > best {
			best, b.Eligible, b.Run = v, true, &mlexp.BestCandidate{RunID: r.ID}
		}
	}
	return b, nil
}

// blessings is a lineage store where the runs of blessed have a blessed model, every
// other run an unblessed one.
type blessings map[string]bool

func (b blessings) Lineage(_ context.Context, ref mlexp.LineageRef) (*mlexp.Lineage, error) {
	v := "0"
	if b[ref.RunID] {
		v = "1"
	}
	return &mlexp.Lineage{RunID: ref.RunID, LinkedBy: mlexp.LinkExternalID, Nodes: []mlexp.LineageNode{
		{ID: "artifact:1", Kind: mlexp.LineageArtifact, Type: "ModelBlessing", Properties: map[string]string{"blessed": v}}}}, nil
}

func (blessings) LineageRef(_ context.Context, runID string) (mlexp.LineageRef, error) {
	return mlexp.LineageRef{RunID: runID}, nil
}

type offStore struct{ blessings }

func (offStore) Unavailable() error {
	return mlexp.Unavailable(mlexp.DependencyMLMD, nil, "schema version 11")
}

func gateService(store mlexp.LineageStore, refs mlexp.LineageRefs) *Service {
	src := fakesource.New()
	run := func(id string, recall float64) mlexp.Run {
		return mlexp.Run{ID: id, Status: mlexp.RunFinished, Type: mlexp.FullTrainingRun, Metrics: mlexp.NewMetricValues(map[string]float64{mlexp.MetricRecallAt100: recall})}
	}
	src.Add("m", "d", "7", run("first", 0.5), run("second", 0.4), run("third", 0.3))
	return New(Deps{Runs: src, Best: topRecall{}, Lineage: store, LineageRefs: refs})
}

func TestBlessingGate(t *testing.T) {
	ctx, target := context.Background(), Target{ModelID: "m"}
	s := gateService(blessings{"second": true}, blessings{})
	ans, err := s.Best(ctx, target, mlexp.BestQuery{}, RequireBlessing())
	if err != nil {
		t.Fatal(err)
	}
	last := ans.Gates[len(ans.Gates)-1]
	if !ans.Eligible || ans.Run.RunID != "second" || last.Gate != GateBlessing || last.Removed != 1 || !ans.MLMD.Run.Blessed {
		t.Errorf("with the gate: %+v, gates %+v", ans.Best, ans.Gates)
	}
	if ans, err := s.Best(ctx, target, mlexp.BestQuery{}); err != nil || ans.Run.RunID != "first" || ans.MLMD == nil || ans.MLMD.Run.Blessed {
		t.Errorf("without the gate: %+v, %v", ans, err)
	}
	none := gateService(blessings{}, blessings{})
	if ans, err := none.Best(ctx, target, mlexp.BestQuery{}, RequireBlessing()); err != nil || ans.Eligible || ans.Run != nil ||
		!strings.Contains(ans.Reason, "has a blessing in ML Metadata") {
		t.Errorf("no blessed run: %+v, %v", ans, err)
	}
	if _, err := gateService(nil, nil).Best(ctx, target, mlexp.BestQuery{}, RequireBlessing()); mlexp.UnavailableDependency(err) != mlexp.DependencyNone {
		t.Errorf("the gate without a store: %v", err)
	}
	off := gateService(offStore{}, blessings{})
	if ans, err := off.Best(ctx, target, mlexp.BestQuery{}); err != nil || ans.Run.RunID != "first" || ans.MLMD != nil {
		t.Errorf("a store that is off leaves the selection alone: %+v, %v", ans, err)
	}
	if _, err := off.Lineage(ctx, "first"); mlexp.UnavailableDependency(err) != mlexp.DependencyMLMD {
		t.Errorf("lineage of a store that is off: %v", err)
	}
}
