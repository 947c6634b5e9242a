package tracking

import (
	"context"
	"hash/fnv"
	"slices"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// Known is what the reader knows of an experiment's index, so that a sync asks MLflow only
// about the runs that may have changed.
type Known struct {
	Unfinished []string        // runs indexed as RUNNING or SCHEDULED: they may have ended
	Deleted    map[string]bool // runs indexed as deleted: they may have been restored
	Recheck    []string        // runs mlexp itself changed (logged, promoted)
}

// Sync brings the experiment's index up to date with what may have changed since the last
// sync: runs started since the newest indexed start time (less the margin), runs still
// RUNNING or SCHEDULED and those indexed so, the runs mlexp changed, and — every
// DeletionsEvery — deleted and restored runs. It returns ErrSyncedElsewhere when another replica
// holds the experiment's sync lease.
func (s *Syncer) Sync(ctx context.Context, experimentID string, k Known) error {
	if err := s.claim(ctx, experimentID); err != nil {
		return err
	}
	st, err := s.index.IndexState(ctx, experimentID)
	if err != nil {
		return err
	}
	seen := map[string]mlflow.Run{}
	add := func(runs []mlflow.Run) {
		for _, r := range runs {
			seen[r.Info.RunID] = r
		}
	}
	since := st.NewestStart - s.cfg.Margin.Milliseconds()
	for _, c := range []mlflow.Clause{mlflow.WhereNumber(mlflow.Attributes, "start_time", ">=", float64(since)),
		mlflow.Where(mlflow.Attributes, "status", "=", string(mlflow.StatusRunning)),
		mlflow.Where(mlflow.Attributes, "status", "=", string(mlflow.StatusScheduled))} {
		runs, err := s.searchAll(ctx, experimentID, c, mlflow.ActiveOnly)
		if err != nil {
			return err
		}
		add(runs)
	}
	var ask []string // indexed as unfinished or changed by mlexp, and not read above
	for _, id := range append(slices.Clone(k.Unfinished), k.Recheck...) {
		if _, ok := seen[id]; !ok {
			ask = append(ask, id)
		}
	}
	deletions := s.now().Sub(st.DeletionsAt) >= s.cfg.DeletionsEvery
	rows, err := s.changedRows(ctx, experimentID, seen, ask, k, deletions)
	if err != nil {
		return err
	}
	for _, r := range rows {
		st.NewestStart = max(st.NewestStart, r.Start)
	}
	st.SyncedAt = s.now()
	if deletions {
		st.DeletionsAt = st.SyncedAt
	}
	_, err = s.index.SaveIndex(ctx, st, rows)
	return err
}

// changedRows encodes the runs read, reads the runs of ask by id (those deleted become
// tombstones), and with deletions, looks for deleted and restored runs.
func (s *Syncer) changedRows(ctx context.Context, experimentID string, seen map[string]mlflow.Run, ask []string, k Known, deletions bool) ([]mlexp.IndexedRun, error) {
	byID, err := s.readByID(ctx, experimentID, ask)
	if err != nil {
		return nil, err
	}
	for id, r := range byID {
		seen[id] = r
	}
	var rows []mlexp.IndexedRun
	for _, r := range seen {
		row, err := encodeRun(&r)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	if !deletions {
		return rows, nil
	}
	deleted, err := s.searchAll(ctx, experimentID, mlflow.Clause{}, mlflow.DeletedOnly)
	if err != nil {
		return nil, err
	}
	gone := map[string]bool{}
	for _, r := range deleted {
		gone[r.Info.RunID] = true
		if !k.Deleted[r.Info.RunID] { // a tombstone for a run never indexed is harmless
			rows = append(rows, tombstone(r.Info.RunID, r.Info.StartTime))
		}
	}
	var restored []string
	for id := range k.Deleted {
		if !gone[id] {
			restored = append(restored, id)
		}
	}
	back, err := s.readByID(ctx, experimentID, restored)
	if err != nil {
		return nil, err
	}
	for _, r := range back {
		row, err := encodeRun(&r)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// readByID reads runs of the experiment by id, a hundred per search, deleted ones too (as
// tombstones' sources: their lifecycle stage says deleted). Ids MLflow does not know are left out.
func (s *Syncer) readByID(ctx context.Context, experimentID string, ids []string) (map[string]mlflow.Run, error) {
	out := map[string]mlflow.Run{}
	for batch := range slices.Chunk(ids, 100) {
		runs, err := s.searchAll(ctx, experimentID, mlflow.RunIDIn(batch), mlflow.AllViews)
		if err != nil {
			return nil, err
		}
		for _, r := range runs {
			out[r.Info.RunID] = r
		}
	}
	return out, nil
}

// searchAll reads every run of the experiment matching c (none: every run) in view, page by
// page, each page under the page deadline.
func (s *Syncer) searchAll(ctx context.Context, experimentID string, c mlflow.Clause, view mlflow.ViewType) ([]mlflow.Run, error) {
	var filter string
	if c != (mlflow.Clause{}) {
		f, err := mlflow.And(c)
		if err != nil {
			return nil, err
		}
		filter = f
	}
	var out []mlflow.Run
	err := s.client.SearchRunsPages(ctx, mlflow.SearchRunsRequest{ExperimentIDs: []string{experimentID}, Filter: filter, RunViewType: view,
		PageSize: s.cfg.PageSize}, func(page []mlflow.Run) error {
		out = append(out, page...)
		return nil
	})
	if err != nil {
		return nil, MLflowError(err, "syncing the runs of experiment "+experimentID)
	}
	return out, nil
}

// Reconcile reads the whole experiment again, when ReconcileEvery has passed since the last
// time (or at once with force), and corrects the index where it differs: a run edited
// elsewhere (a tag set in MLflow's UI), one that was missed, one deleted. It returns how many
// runs it corrected.
func (s *Syncer) Reconcile(ctx context.Context, experimentID string, force bool) (int, error) {
	st, err := s.index.IndexState(ctx, experimentID)
	due := s.cfg.ReconcileEvery > 0 && s.now().Sub(st.ReconciledAt) >= s.cfg.ReconcileEvery
	if err != nil || !st.Complete || !(force || due) {
		return 0, err
	}
	if err := s.claim(ctx, experimentID); err != nil {
		return 0, err
	}
	indexed, _, err := s.index.IndexedRuns(ctx, experimentID, 0)
	if err != nil {
		return 0, err
	}
	sums := make(map[string]uint64, len(indexed))
	for _, r := range indexed {
		if !r.Deleted {
			sums[r.ID] = bodySum(r.Body)
		}
	}
	var rows []mlexp.IndexedRun
	var c mlexp.IndexCursor
	for done := false; !done; {
		var page []mlexp.IndexedRun
		if page, c, done, err = s.loadPage(ctx, experimentID, c); err != nil {
			return 0, err
		}
		for _, r := range page {
			if sum, ok := sums[r.ID]; !ok || sum != bodySum(r.Body) {
				rows = append(rows, r)
			}
			delete(sums, r.ID)
		}
	}
	for id := range sums { // indexed, but no longer among the active runs
		rows = append(rows, tombstone(id, 0))
	}
	st, err = s.index.IndexState(ctx, experimentID) // a sync may have written meanwhile
	if err != nil {
		return 0, err
	}
	st.ReconciledAt = s.now()
	if _, err := s.index.SaveIndex(ctx, st, rows); err != nil {
		return 0, err
	}
	if s.Corrected != nil && len(rows) > 0 {
		s.Corrected(len(rows))
	}
	return len(rows), nil
}

func bodySum(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}
