package tracking

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// Known is what the reader knows of an experiment's index, so that a sync asks MLflow only
// about the runs that may have changed.
type Known struct {
	Runs    []mlexp.Run     // the runs the reader holds: those unfinished may have ended
	Deleted map[string]bool // runs indexed as deleted: they may have been restored
}

// unfinished are the ids of the known runs still RUNNING or SCHEDULED.
func (k Known) unfinished() []string {
	var ids []string
	for i := range k.Runs {
		if !k.Runs[i].Settled() {
			ids = append(ids, k.Runs[i].ID)
		}
	}
	return ids
}

// maxExcluded caps the ids a search leaves out by name: past it, the rest are read again.
const maxExcluded = 1000

// since are the ids of the known runs that started at or after start (ms), or ended at or
// after end (ms): those a search for recent runs leaves out. It has the finished ones, and
// the unfinished ones are searched by status, or by id once they have ended.
func (k Known) since(start, end int64) []string {
	var ids []string
	for i := range k.Runs {
		r := &k.Runs[i]
		if (r.Start.UnixMilli() >= start || (!r.End.IsZero() && r.End.UnixMilli() >= end)) && len(ids) < maxExcluded {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// Sync brings the experiment's index up to date with what may have changed since the last
// sync: runs started since the newest indexed start time, and runs ended since the last
// sync (each less the margin), runs still RUNNING or SCHEDULED and those indexed so, the runs
// mlexp changed (recorded in the store by any process), and — every DeletionsEvery —
// deleted and restored runs. When another replica holds the experiment's sync lease it reads
// only the runs mlexp changed, so that a promotion shows on every replica, and returns
// ErrSyncedElsewhere.
func (s *Syncer) Sync(ctx context.Context, experimentID string, k Known) error {
	defer s.lock(experimentID)()
	rechecks, err := s.index.Rechecks(ctx, experimentID)
	if err != nil {
		return err
	}
	if err := s.claim(ctx, experimentID); err != nil {
		if errors.Is(err, ErrSyncedElsewhere) && len(rechecks) > 0 {
			if err := s.saveByID(ctx, experimentID, rechecks); err != nil {
				return err
			}
		}
		return err
	}
	st, err := s.index.IndexState(ctx, experimentID)
	if err != nil {
		return err
	}
	seen, err := s.recentRuns(ctx, experimentID, st, k)
	if err != nil {
		return err
	}
	var ask []string // indexed as unfinished or changed by mlexp, and not read above
	for _, id := range append(k.unfinished(), rechecks...) {
		if _, ok := seen[id]; !ok {
			ask = append(ask, id)
		}
	}
	rows, err := s.rowsOf(ctx, experimentID, seen, ask)
	if err != nil {
		return err
	}
	for _, r := range rows {
		st.NewestStart = max(st.NewestStart, r.Start)
	}
	st.SyncedAt = s.now()
	if _, err := s.index.SaveIndex(ctx, st, rows); err != nil {
		return err
	}
	if err := s.index.DoneRechecks(ctx, experimentID, rechecks); err != nil {
		return err
	}
	if st.SyncedAt.Sub(st.DeletionsAt) >= s.cfg.DeletionsEvery {
		if err := s.syncDeletions(ctx, experimentID, k); err != nil { // on its own: never holds back the rest
			s.log.Warn("looking for deleted and restored runs; the next sync tries again", "experiment", experimentID, "err", err)
		}
	}
	return nil
}

// recentRuns reads the runs started since the newest indexed start time, the runs ended
// since the last sync (each less the margin), and the runs RUNNING or SCHEDULED. The runs
// the reader already holds in that window are left out of the first two by id, so that
// MLflow returns only new and unfinished runs, however many started within the margin.
func (s *Syncer) recentRuns(ctx context.Context, experimentID string, st mlexp.IndexState, k Known) (map[string]mlflow.Run, error) {
	margin := s.cfg.Margin.Milliseconds()
	startFrom, endFrom := st.NewestStart-margin, st.SyncedAt.UnixMilli()-margin
	have := k.since(startFrom, endFrom)
	searches := []mlflow.RunQuery{{StartFrom: &startFrom, NotIDs: have}, {Status: mlflow.StatusRunning}, {Status: mlflow.StatusScheduled}}
	if !st.SyncedAt.IsZero() { // a run logged elsewhere with an older start time ends after it
		searches = append(searches, mlflow.RunQuery{EndFrom: &endFrom, NotIDs: have})
	}
	seen := map[string]mlflow.Run{}
	for _, q := range searches {
		q.ExperimentID, q.View = experimentID, mlflow.ActiveOnly
		runs, err := s.searchAll(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, r := range runs {
			seen[r.Info.RunID] = r
		}
	}
	return seen, nil
}

// rowsOf encodes the runs read and the runs of ask, read by id (those deleted become
// tombstones).
func (s *Syncer) rowsOf(ctx context.Context, experimentID string, seen map[string]mlflow.Run, ask []string) ([]mlexp.IndexedRun, error) {
	byID, err := s.readByID(ctx, experimentID, ask)
	if err != nil {
		return nil, err
	}
	for id, r := range byID {
		seen[id] = r
	}
	return encodeRuns(slices.Collect(maps.Values(seen))), nil
}

// saveByID reads the runs of ids and writes them to the index, under its current state: what
// a replica without the lease does with the runs mlexp changed.
func (s *Syncer) saveByID(ctx context.Context, experimentID string, ids []string) error {
	rows, err := s.rowsOf(ctx, experimentID, map[string]mlflow.Run{}, ids)
	if err != nil {
		return err
	}
	st, err := s.index.IndexState(ctx, experimentID)
	if err != nil {
		return err
	}
	if _, err := s.index.SaveIndex(ctx, st, rows); err != nil {
		return err
	}
	return s.index.DoneRechecks(ctx, experimentID, ids)
}

// syncDeletions writes a tombstone for every run deleted in MLflow that is not indexed as
// deleted, and reads again the runs indexed as deleted that no longer are (restored).
func (s *Syncer) syncDeletions(ctx context.Context, experimentID string, k Known) error {
	deleted, err := s.searchAll(ctx, mlflow.RunQuery{ExperimentID: experimentID, View: mlflow.DeletedOnly})
	if err != nil {
		return err
	}
	var rows []mlexp.IndexedRun
	gone := map[string]bool{}
	for _, r := range deleted {
		gone[r.Info.RunID] = true
		if !k.Deleted[r.Info.RunID] {
			rows = append(rows, tombstone(r.Info.RunID, r.Info.StartTime))
		}
	}
	var restored []string
	for id := range k.Deleted {
		if !gone[id] {
			restored = append(restored, id)
		}
	}
	back, err := s.rowsOf(ctx, experimentID, map[string]mlflow.Run{}, restored)
	if err != nil {
		return err
	}
	st, err := s.index.IndexState(ctx, experimentID)
	if err != nil {
		return err
	}
	st.DeletionsAt = s.now()
	_, err = s.index.SaveIndex(ctx, st, append(rows, back...))
	return err
}

// readByID reads runs of the experiment by id, a hundred per search, deleted ones too (as
// tombstones' sources: their lifecycle stage says deleted). Ids MLflow does not know are left out.
func (s *Syncer) readByID(ctx context.Context, experimentID string, ids []string) (map[string]mlflow.Run, error) {
	out := map[string]mlflow.Run{}
	for batch := range slices.Chunk(ids, 100) {
		runs, err := s.searchAll(ctx, mlflow.RunQuery{ExperimentID: experimentID, View: mlflow.AllViews, IDs: batch})
		if err != nil {
			return nil, err
		}
		for _, r := range runs {
			out[r.Info.RunID] = r
		}
	}
	return out, nil
}

// searchAll reads every run q matches, from the database or page by page through MLflow's API.
func (s *Syncer) searchAll(ctx context.Context, q mlflow.RunQuery) ([]mlflow.Run, error) {
	runs, err := s.read(ctx, q)
	if err != nil {
		return nil, MLflowError(err, "syncing the runs of experiment "+q.ExperimentID)
	}
	return runs, nil
}

// Reconcile reads the whole experiment again, when ReconcileEvery has passed since the last
// time (or at once with force), and corrects the index where it differs: a run edited
// elsewhere (a tag set in MLflow's UI), one that was missed, one deleted. It returns how many
// runs it corrected.
func (s *Syncer) Reconcile(ctx context.Context, experimentID string, force bool) (int, error) {
	defer s.lock(experimentID)()
	st, err := s.index.IndexState(ctx, experimentID)
	due := s.cfg.ReconcileEvery > 0 && s.now().Sub(st.ReconciledAt) >= s.cfg.ReconcileEvery
	if err != nil || !st.Complete || !(force || due) {
		return 0, err
	}
	if err := s.claim(ctx, experimentID); err != nil {
		return 0, err
	}
	sums := map[string]uint64{}
	_, err = s.index.EachIndexedRun(ctx, experimentID, 0, func(r mlexp.IndexedRun) error {
		if !r.Deleted {
			sums[r.ID] = bodySum(r.Body)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	var rows []mlexp.IndexedRun
	var c mlexp.IndexCursor
	var viaREST bool
	for done := false; !done; {
		var page []mlflow.Run // in the database's largest pages
		if page, c, done, err = s.loadPage(ctx, experimentID, c, maxPageDoublings, &viaREST); err != nil {
			return 0, err
		}
		for _, r := range encodeRuns(page) {
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

// KnownFromIndex is what the index holds of the experiment, as a reader holding it would
// know it: for a caller that syncs without a reader (the benchmarks).
func (s *Syncer) KnownFromIndex(ctx context.Context, experimentID string) (Known, error) {
	k := Known{Deleted: map[string]bool{}}
	strs := new(mlexp.Interner)
	_, err := s.index.EachIndexedRun(ctx, experimentID, 0, func(row mlexp.IndexedRun) error {
		if row.Deleted {
			k.Deleted[row.ID] = true
			return nil
		}
		run, err := decodeRun(row, strs)
		k.Runs = append(k.Runs, run)
		return err
	})
	return k, err
}
