package tracking

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// Promoter makes a run the deployed run of its model: it records the promotion in the
// store's history and mirrors it in MLflow as the is_deployed tag, true on exactly one run
// of all the model's experiments.
//
// Race safety. MLflow calls are not transactional, so the store is the arbiter: the newest
// recorded deployment of a model is the truth, and MLflow is made to match it. Every
// promotion (and rollback) runs inside the store's per-model lock (DeploymentStore.Promote:
// SELECT … FOR UPDATE of the model's lock row on PostgreSQL, BEGIN IMMEDIATE on SQLite),
// across every process sharing the store. Holding it, the promoter reads the newest
// deployment, reconciles MLflow to the new run — it lists the runs that carry the mark in
// every experiment of the model, marks the new run, then clears every other mark, whoever
// set it — and only then records the promotion and commits. So promotions are applied one
// at a time, in the order they are recorded, and the last one recorded is the one MLflow
// shows. When an MLflow call fails, nothing is recorded and MLflow is put back (still under
// the lock) to the last recorded deployment. The caller's context bounds only the wait for
// the lock: once it is held, a cancelled caller (a client hanging up) does not end the
// promotion, which goes on — MLflow marked and recorded, or put back — under deadlines of
// its own, so that the lock is never released while MLflow is being changed. When the
// process dies half-way, the
// transaction and lock die with its connection; MLflow may then show the new run while the
// history does not, until the next promotion or Reconcile of the model, which starts from
// whatever MLflow shows and converges on the recorded truth.
type Promoter struct {
	client      *mlflow.Client
	store       mlexp.DeploymentStore
	now         func() time.Time
	changed     func(experimentID string)
	runsChanged func(experimentID string, runIDs []string)
	registry    RegistryConfig
}

// NewPromoter returns a promoter over MLflow and the store of deployment history.
func NewPromoter(client *mlflow.Client, store mlexp.DeploymentStore, now func() time.Time) *Promoter {
	return &Promoter{client: client, store: store, now: now}
}

// OnChange makes the promoter call fn for each experiment whose runs it changed.
func (p *Promoter) OnChange(fn func(experimentID string)) { p.changed = fn }

// OnRunsChange makes the promoter call fn with each run it changed (Reader.InvalidateRuns),
// so that a run index reads those runs again.
func (p *Promoter) OnRunsChange(fn func(experimentID string, runIDs []string)) { p.runsChanged = fn }

// promotionTimeout bounds the MLflow calls made while a model's promotion lock is held: the
// ones that mark the new run, and again the ones that put MLflow back when those fail. The
// store holds the lock for up to two minutes (sqlstore's promotionHold), enough for both.
const promotionTimeout = 30 * time.Second

// repairTimeout bounds the Reconcile that follows a failed commit: waiting for the lock
// again, then the MLflow calls.
const repairTimeout = 2 * promotionTimeout

// Promote makes req.RunID the deployed run of its model, after the guard rails
// (mlexp.CheckPromotion). Promoting the deployed run again records nothing, but still
// repairs MLflow's marks.
func (p *Promoter) Promote(ctx context.Context, req mlexp.PromoteRequest) (*mlexp.Promotion, error) {
	if err := checkPromoter(req.By, req.Note); err != nil {
		return nil, err
	}
	if req.RunID == "" {
		return nil, mlexp.InvalidField("run_id", "is required")
	}
	t, err := p.inspect(ctx, req.RunID)
	if err != nil {
		return nil, err
	}
	model, err := mlexp.CheckPromotion(mlexp.Promotable{Run: t.run, Deleted: t.deleted, ModelURI: t.modelURI, RunModel: t.model, AskedFor: req.ModelID})
	if err != nil {
		return nil, err
	}
	return p.switchTo(ctx, model, mlexp.ActionPromote, req.By, req.Note, func(context.Context, *mlexp.Deployment) (*target, error) { return t, nil })
}

// Rollback promotes again the run that was deployed before the model's current one. It is
// recorded as a promotion of its own (action rollback), so rolling back twice returns to
// where it started. The run must still pass the guard rails.
func (p *Promoter) Rollback(ctx context.Context, modelID, by, note string) (*mlexp.Promotion, error) {
	if err := checkPromoter(by, note); err != nil {
		return nil, err
	}
	if modelID == "" {
		return nil, mlexp.InvalidField("model_id", "is required")
	}
	return p.switchTo(ctx, modelID, mlexp.ActionRollback, by, note, func(ctx context.Context, cur *mlexp.Deployment) (*target, error) {
		if cur == nil || cur.PreviousRunID == "" {
			return nil, &mlexp.Error{Code: mlexp.ECONFLICT, Field: "model_id", Details: map[string]any{"reason": "no_previous"},
				Message: fmt.Sprintf("model_id: model %s has no previous deployment to roll back to: its history records no earlier run", modelID)}
		}
		t, err := p.inspect(ctx, cur.PreviousRunID)
		if err != nil {
			return nil, err
		}
		if _, err := mlexp.CheckPromotion(mlexp.Promotable{Run: t.run, Deleted: t.deleted, ModelURI: t.modelURI, RunModel: t.model, AskedFor: modelID}); err != nil {
			return nil, fmt.Errorf("rolling back to run %s: %w", cur.PreviousRunID, err)
		}
		return t, nil
	})
}

// History is the model's deployment history, newest first (all of it when limit ≤ 0).
func (p *Promoter) History(ctx context.Context, modelID string, limit int) ([]mlexp.Deployment, error) {
	return p.store.Deployments(ctx, modelID, limit)
}

// Reconcile makes MLflow show the model's newest recorded deployment, under the model's lock:
// it marks that run deployed and clears every other mark of the model's experiments, also
// marks set by hand or left by a process that died half-way. It returns the newest
// deployment (nil for a model without history, which is left as it is) and the runs whose
// mark it cleared. ctx bounds the wait for the lock; the MLflow calls have a deadline of
// their own.
func (p *Promoter) Reconcile(ctx context.Context, modelID string) (*mlexp.Deployment, []string, error) {
	if modelID == "" {
		return nil, nil, mlexp.InvalidField("model_id", "is required")
	}
	cleared := []string{}
	cur, err := p.store.Promote(ctx, modelID, func(ctx context.Context, cur *mlexp.Deployment) (*mlexp.Deployment, error) {
		if cur == nil {
			return nil, nil
		}
		ctx, cancel := context.WithTimeout(ctx, promotionTimeout)
		defer cancel()
		_, c, err := p.mark(ctx, modelID, cur.RunID, nil)
		cleared = append(cleared, c...)
		if err != nil {
			return nil, err
		}
		return nil, p.alignAlias(ctx, cur)
	})
	if err != nil {
		return nil, cleared, err
	}
	return cur, cleared, nil
}

// switchTo runs one promotion under the model's lock: pick the target given the current
// deployment, make MLflow show it, and record it. ctx bounds only the wait for the lock (see
// sqlstore's Promote): under it, lockCtx is not cancelled with the caller, so a promotion
// whose caller goes away still ends with MLflow marked and recorded, or put back.
func (p *Promoter) switchTo(ctx context.Context, modelID, action, by, note string, pick func(ctx context.Context, cur *mlexp.Deployment) (*target, error)) (*mlexp.Promotion, error) {
	out := &mlexp.Promotion{Cleared: []string{}}
	applied := false
	dep, err := p.store.Promote(ctx, modelID, func(lockCtx context.Context, cur *mlexp.Deployment) (*mlexp.Deployment, error) {
		ctx, cancel := context.WithTimeout(lockCtx, promotionTimeout)
		defer cancel()
		t, err := pick(ctx, cur)
		if err != nil {
			return nil, err
		}
		at := p.now().UTC()
		tags := []mlflow.Tag{{Key: TagPromotedBy, Value: by}, {Key: TagPromotedAt, Value: at.Format(time.RFC3339)}}
		same := cur != nil && cur.RunID == t.run.ID && (cur.Version == "" || t.version == "" || cur.Version == t.version)
		if same {
			tags = nil // the marks are repaired, the promotion stays the recorded one
		}
		before, cleared, err := p.mark(ctx, modelID, t.run.ID, tags)
		var moved *aliasMove
		if err == nil {
			moved, err = p.moveAlias(ctx, modelID, t)
		}
		if err != nil {
			p.restore(lockCtx, modelID, cur, t.run.ID, before)
			p.restoreAlias(lockCtx, moved, cur)
			return nil, err
		}
		applied, out.Cleared = true, cleared
		if same {
			return nil, nil
		}
		out.Changed = true
		return newDeployment(action, t, cur, before, moved, by, note, at), nil
	})
	if err != nil {
		if applied {
			// MLflow shows the new run but the store did not record it: put MLflow back to
			// the recorded truth, under the lock again, also when the caller is gone, but
			// not forever.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), repairTimeout)
			defer cancel()
			_, _, _ = p.Reconcile(rctx, modelID)
		}
		return nil, err
	}
	out.Deployment = dep
	return out, nil
}

// newDeployment is the record of a promotion to t, which replaced cur (nil without history;
// then the run MLflow showed deployed before, if any), and moved the alias as m says.
func newDeployment(action string, t *target, cur *mlexp.Deployment, before []mlflow.Run, m *aliasMove, by, note string, at time.Time) *mlexp.Deployment {
	d := &mlexp.Deployment{Action: action, RunID: t.run.ID, RunName: t.run.Name, ExperimentID: t.run.ExperimentID, DatasetID: t.dataset,
		PromotedBy: by, PromotedAt: at, Note: note, RegisteredModel: m.ref.name, Alias: m.ref.alias, Version: m.version, PreviousVersion: m.prior}
	switch {
	case cur != nil:
		d.PreviousRunID, d.PreviousRunName = cur.RunID, cur.RunName
		if cur.Version != "" && cur.RegisteredModel == m.ref.name && cur.Alias == m.ref.alias {
			d.PreviousVersion = cur.Version
		}
	case len(before) > 0 && before[0].Info.RunID != t.run.ID:
		// No history yet: the run MLflow showed deployed is the one replaced.
		d.PreviousRunID, d.PreviousRunName = before[0].Info.RunID, before[0].Info.RunName
	}
	return d
}

// mark makes runID the only run of the model's experiments marked deployed: it lists the
// marked runs (before), marks runID with tags, then clears the others.
func (p *Promoter) mark(ctx context.Context, modelID, runID string, tags []mlflow.Tag) (before []mlflow.Run, cleared []string, err error) {
	before, err = p.markedRuns(ctx, modelID)
	if err != nil {
		return nil, nil, err
	}
	var target *mlflow.Run
	if target, err = p.client.GetRun(ctx, runID); err != nil {
		return before, nil, MLflowError(err, "reading run "+runID)
	}
	if err := p.client.LogBatch(ctx, runID, nil, nil, append([]mlflow.Tag{{Key: TagDeployed, Value: "true"}}, tags...)); err != nil {
		return before, nil, MLflowError(err, "marking run "+runID+" deployed")
	}
	p.notify(target.Info.ExperimentID, runID)
	cleared = []string{}
	for _, r := range before {
		if r.Info.RunID == runID {
			continue
		}
		if err := p.client.SetTag(ctx, r.Info.RunID, mlflow.Tag{Key: TagDeployed, Value: "false"}); err != nil {
			return before, cleared, MLflowError(err, "clearing the deployed mark of run "+r.Info.RunID)
		}
		cleared = append(cleared, r.Info.RunID)
		p.notify(r.Info.ExperimentID, r.Info.RunID)
	}
	return before, cleared, nil
}

// restore puts MLflow back after a failed promotion, best effort and still under the lock
// (lockCtx, the lock's context, not the expired one of the failed calls): to the recorded
// deployment when there is one, else to the marks it had before.
func (p *Promoter) restore(lockCtx context.Context, modelID string, cur *mlexp.Deployment, tried string, before []mlflow.Run) {
	ctx, cancel := context.WithTimeout(lockCtx, promotionTimeout)
	defer cancel()
	if cur != nil {
		_, _, _ = p.mark(ctx, modelID, cur.RunID, nil)
		return
	}
	wasMarked := false
	for _, r := range before {
		wasMarked = wasMarked || r.Info.RunID == tried
		_ = p.client.SetTag(ctx, r.Info.RunID, mlflow.Tag{Key: TagDeployed, Value: "true"})
	}
	if !wasMarked {
		_ = p.client.SetTag(ctx, tried, mlflow.Tag{Key: TagDeployed, Value: "false"})
	}
}

// markedRuns lists the runs marked is_deployed=true in the model's experiments, most
// recently promoted first.
func (p *Promoter) markedRuns(ctx context.Context, modelID string) ([]mlflow.Run, error) {
	return markedRuns(ctx, p.client, modelID)
}

func markedRuns(ctx context.Context, client *mlflow.Client, modelID string) ([]mlflow.Run, error) {
	ids, err := modelExperiments(ctx, client, modelID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	filter, err := mlflow.And(mlflow.Where(mlflow.Tags, TagDeployed, "=", "true"))
	if err != nil {
		return nil, err
	}
	runs, err := client.SearchRuns(ctx, mlflow.SearchRunsRequest{ExperimentIDs: ids, Filter: filter})
	if err != nil {
		return nil, MLflowError(err, "finding the deployed run of model "+modelID)
	}
	promotedAt := func(r mlflow.Run) string { v, _ := r.Data.Tag(TagPromotedAt); return v }
	slices.SortStableFunc(runs, func(a, b mlflow.Run) int { return strings.Compare(promotedAt(b), promotedAt(a)) })
	return runs, nil
}

// modelExperiments lists the ids of the experiments tagged with the model, read afresh.
func modelExperiments(ctx context.Context, client *mlflow.Client, modelID string) ([]string, error) {
	filter, err := mlflow.And(mlflow.Where(mlflow.Tags, TagModelID, "=", modelID))
	if err != nil {
		return nil, err
	}
	exps, err := client.SearchExperiments(ctx, mlflow.SearchExperimentsRequest{Filter: filter})
	if err != nil {
		return nil, MLflowError(err, "listing the experiments of model "+modelID)
	}
	ids := make([]string, len(exps))
	for i, e := range exps {
		ids[i] = e.ID
	}
	return ids, nil
}

// target is a run to be promoted, with what the guard rails look at.
type target struct {
	run       mlexp.Run
	deleted   bool
	model     string // ml_model_id of its experiment
	modelName string // ml_model_name of its experiment
	dataset   string
	version   string // the registered version to point the alias at; "" to find or register it
	modelURI  string
	found     *mlexp.RunModel // the run's model and where it was found; nil when it has none
}

// inspect reads what the guard rails need of a run: the run, its experiment's model, and its
// model URI.
func (p *Promoter) inspect(ctx context.Context, runID string) (*target, error) {
	m, err := p.client.GetRun(ctx, runID)
	if errors.Is(err, mlflow.ErrNotFound) || errors.Is(err, mlflow.ErrInvalidParameter) {
		return nil, &mlexp.Error{Code: mlexp.ENOTFOUND, Field: "run_id", Message: fmt.Sprintf("run_id: run %s does not exist in MLflow", runID), Err: err}
	}
	if err != nil {
		return nil, MLflowError(err, "reading run "+runID)
	}
	t := &target{run: ToRun(m), deleted: m.Info.LifecycleStage == "deleted"}
	exp, err := p.client.GetExperiment(ctx, m.Info.ExperimentID)
	if err != nil {
		return nil, MLflowError(err, "reading the experiment of run "+runID)
	}
	t.model, _ = exp.Tag(TagModelID)
	t.modelName, _ = exp.Tag(TagModelName)
	t.dataset, _ = exp.Tag(TagDatasetID)
	if t.run.DatasetID != "" {
		t.dataset = t.run.DatasetID
	}
	if t.deleted || t.run.Status != mlexp.RunFinished {
		return t, nil // refused whatever its model URI
	}
	if t.found, err = FindRunModel(ctx, p.client, m); t.found != nil {
		t.modelURI = t.found.URI
	}
	return t, err
}

func (p *Promoter) notify(experimentID, runID string) {
	if p.changed != nil {
		p.changed(experimentID)
	}
	if p.runsChanged != nil {
		p.runsChanged(experimentID, []string{runID})
	}
}

// checkPromoter checks who promotes and the note. who becomes the run's mlexp.promoted_by
// tag, so it must be a tag value MLflow takes.
func checkPromoter(by, note string) error {
	if by == "" {
		return mlexp.Errorf(mlexp.EUNAUTHORIZED, "promoting a run needs a signed-in user")
	}
	if !utf8.ValidString(by) || utf8.RuneCountInString(by) > mlflow.MaxTagValueLength {
		return mlexp.InvalidField("by", "who promotes must be valid text of at most %d characters (MLflow's limit for the %s tag)", mlflow.MaxTagValueLength, TagPromotedBy)
	}
	return mlexp.CheckNote(note)
}
