package explore

import (
	"context"
	"fmt"
	"slices"

	"github.com/mlexp-dev/mlexp"
)

// GateBlessing is the gate of RequireBlessing in an answer's gates.
const GateBlessing = "mlmd_blessing"

// maxBlessingChecks bounds how many runs, best first, the blessing gate reads the lineage of.
const maxBlessingChecks = 10

// BestOption changes how the run to deploy is picked.
type BestOption func(*bestOptions)

type bestOptions struct{ requireBlessing bool }

// RequireBlessing lets only a run whose model ML Metadata records as blessed (a
// ModelBlessing with blessed=1) be picked: the best run without one is passed over for the
// next, at most 10 times.
func RequireBlessing() BestOption { return func(o *bestOptions) { o.requireBlessing = true } }

// bestOptions applies opts; the blessing gate needs an ML Metadata store.
func (s *Service) bestOptions(opts []BestOption) (bestOptions, error) {
	var o bestOptions
	for _, f := range opts {
		f(&o)
	}
	if o.requireBlessing && !s.LineageConfigured() {
		return o, lineageNotConfigured()
	}
	return o, nil
}

// BestLineage is what ML Metadata records of the picked run and the deployed run.
type BestLineage struct {
	RequireBlessing bool                `json:"require_blessing"`
	Run             *mlexp.ModelRecords `json:"run,omitempty"`
	Deployed        *mlexp.ModelRecords `json:"deployed,omitempty"`
}

// selectBest picks the run to deploy, through the blessing gate when asked.
func (s *Service) selectBest(ctx context.Context, modelID string, runs []mlexp.Run, q mlexp.BestQuery, o bestOptions) (*mlexp.Best, *BestLineage, error) {
	var unblessed []string
	for {
		b, err := s.best.SelectBest(ctx, modelID, runs, q)
		if err != nil || !s.LineageConfigured() {
			return b, nil, err
		}
		bl := &BestLineage{RequireBlessing: o.requireBlessing}
		if b.Run != nil {
			if bl.Run, err = s.ModelRecords(ctx, b.Run.RunID); err != nil {
				if o.requireBlessing {
					return nil, nil, err
				}
				return b, nil, nil // the records are extras: lineage that fails leaves them out
			}
		}
		if b.Deployed != nil {
			bl.Deployed, _ = s.ModelRecords(ctx, b.Deployed.RunID) // nil when it fails
		}
		if !o.requireBlessing || b.Run == nil || bl.Run.Blessed || len(unblessed) == maxBlessingChecks {
			if o.requireBlessing {
				blessingGate(b, bl, unblessed)
			}
			return b, bl, nil
		}
		unblessed = append(unblessed, b.Run.RunID)
		runs = slices.DeleteFunc(slices.Clone(runs), func(r mlexp.Run) bool { return r.ID == b.Run.RunID })
	}
}

// blessingGate records in b what the blessing gate removed, and refuses a run that is
// still not blessed (the gate gave up after maxBlessingChecks runs).
func blessingGate(b *mlexp.Best, bl *BestLineage, unblessed []string) {
	b.Gates = append(b.Gates, mlexp.GateCount{Gate: GateBlessing, Rule: "a blessing (ModelBlessing, blessed=1) in ML Metadata", Removed: len(unblessed)})
	if b.Run != nil && !bl.Run.Blessed {
		b.Eligible, b.Run, b.RunnerUp, b.Lead, b.OverDeployed, bl.Run = false, nil, nil, nil, nil, nil
		b.Reason = fmt.Sprintf("none of the %d best runs has a blessing in ML Metadata", len(unblessed)+1)
	}
	if b.Run == nil && b.Reason == "" {
		b.Reason = fmt.Sprintf("no run that passes the gates has a blessing in ML Metadata (%d without one)", len(unblessed))
	}
}

// ModelRecords answers what ML Metadata records downstream of a run's model: blessings and
// pushes (empty for a run with no lineage).
func (s *Service) ModelRecords(ctx context.Context, runID string) (*mlexp.ModelRecords, error) {
	l, err := s.Lineage(ctx, runID)
	if err != nil {
		return nil, err
	}
	return l.ModelRecords(), nil
}
