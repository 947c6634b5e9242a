package tracking

import (
	"context"
	"errors"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// DefaultAlias is the Model Registry alias promotions move unless configured: deployers load
// models:/<registered model>@champion.
const DefaultAlias = "champion"

// RegistryConfig says which Model Registry alias a model's promotions move.
type RegistryConfig struct {
	// Alias is moved to the promoted run's version; DefaultAlias when "".
	Alias string
	// Names maps an mlexp model id to its registered model. A model not in it is registered
	// under its name (the ml_model_name tag of its experiment, '/' and ':' made '-', which
	// MLflow refuses in names), or its id when it has none.
	Names map[string]string
}

// SetRegistry configures the alias promotions move; call it before the promoter is used.
func (p *Promoter) SetRegistry(cfg RegistryConfig) {
	if cfg.Alias == "" {
		cfg.Alias = DefaultAlias
	}
	p.registry = cfg
}

// aliasRef is the alias a model's promotions move: models:/<name>@<alias>.
type aliasRef struct{ name, alias string }

// aliasFor names the alias of modelID, whose name (ml_model_name) is modelName.
func (p *Promoter) aliasFor(modelID, modelName string) aliasRef {
	alias := p.registry.Alias
	if alias == "" {
		alias = DefaultAlias
	}
	if n := p.registry.Names[modelID]; n != "" {
		return aliasRef{name: n, alias: alias}
	}
	if modelName == "" {
		modelName = modelID
	}
	return aliasRef{name: strings.NewReplacer("/", "-", ":", "-").Replace(modelName), alias: alias}
}

// aliasMove is what a promotion did to the alias: the version it names now, and the one it
// named before ("" when none).
type aliasMove struct {
	ref            aliasRef
	version, prior string
}

// moveAlias points the model's alias at the version of t's model, registering the model as a
// new version when no version of the run has its URI as source. The returned move is not nil
// once the alias's prior version is known, also on error, so that it can be put back.
func (p *Promoter) moveAlias(ctx context.Context, modelID string, t *target) (*aliasMove, error) {
	ref := p.aliasFor(modelID, t.modelName)
	cur, err := p.client.GetModelVersionByAlias(ctx, ref.name, ref.alias)
	if err != nil {
		return nil, MLflowError(err, "reading the alias "+ref.alias+" of registered model "+ref.name)
	}
	m := &aliasMove{ref: ref}
	if cur != nil {
		m.prior = cur.Version
	}
	if m.version = t.version; m.version == "" {
		if m.version, err = p.versionOf(ctx, ref, t); err != nil {
			return m, err
		}
	}
	if m.version != m.prior {
		if err := p.client.SetRegisteredModelAlias(ctx, ref.name, ref.alias, m.version); err != nil {
			return m, MLflowError(err, "moving the alias "+ref.alias+" of registered model "+ref.name+" to version "+m.version)
		}
	}
	return m, nil
}

// versionOf returns the version of ref's registered model that holds t's model: the newest
// version of the run with the model's URI as source, else a new one.
func (p *Promoter) versionOf(ctx context.Context, ref aliasRef, t *target) (string, error) {
	vs, err := p.client.SearchModelVersions(ctx, ref.name, t.run.ID)
	if err != nil && !errors.Is(err, mlflow.ErrNotFound) {
		return "", MLflowError(err, "listing the versions of registered model "+ref.name)
	}
	for _, v := range vs {
		if v.Source == t.modelURI || (t.found != nil && t.found.LoggedModelID != "" && v.ModelID == t.found.LoggedModelID) {
			return v.Version, nil
		}
	}
	if err := p.client.EnsureRegisteredModel(ctx, ref.name); err != nil {
		return "", MLflowError(err, "creating registered model "+ref.name)
	}
	req := mlflow.CreateModelVersionRequest{Name: ref.name, Source: t.modelURI, RunID: t.run.ID}
	if t.found != nil {
		req.ModelID = t.found.LoggedModelID
	}
	v, err := p.client.CreateModelVersion(ctx, req)
	if err != nil {
		return "", MLflowError(err, "registering the model of run "+t.run.ID+" as a version of "+ref.name)
	}
	return v.Version, nil
}

// restoreAlias puts the alias back after a failed promotion, best effort, still under the
// lock: to the recorded deployment's version when it recorded one of this alias, else to
// what the alias named before (deleting it when it named none).
func (p *Promoter) restoreAlias(ctx context.Context, m *aliasMove, cur *mlexp.Deployment) {
	if m == nil {
		return
	}
	to := m.prior
	if cur != nil && cur.Version != "" && cur.RegisteredModel == m.ref.name && cur.Alias == m.ref.alias {
		to = cur.Version
	}
	if to == "" {
		_ = p.client.DeleteRegisteredModelAlias(ctx, m.ref.name, m.ref.alias)
		return
	}
	_ = p.client.SetRegisteredModelAlias(ctx, m.ref.name, m.ref.alias, to)
}

// alignAlias points the recorded deployment's alias at its recorded version (Reconcile).
func (p *Promoter) alignAlias(ctx context.Context, d *mlexp.Deployment) error {
	if d == nil || d.Version == "" || d.RegisteredModel == "" {
		return nil
	}
	if err := p.client.SetRegisteredModelAlias(ctx, d.RegisteredModel, d.Alias, d.Version); err != nil {
		return MLflowError(err, "moving the alias "+d.Alias+" of registered model "+d.RegisteredModel+" back to version "+d.Version)
	}
	return nil
}

// Adopt makes the history follow MLflow when the model's alias was moved there (MLflow's UI):
// it records the run of the version the alias names as the deployed one (action adopt) and
// marks it is_deployed, as a promotion would, under the model's lock. The run must pass the
// guard rails. When the alias already names the recorded version nothing is recorded.
func (p *Promoter) Adopt(ctx context.Context, modelID, by, note string) (*mlexp.Promotion, error) {
	if err := checkPromoter(by, note); err != nil {
		return nil, err
	}
	if modelID == "" {
		return nil, mlexp.InvalidField("model_id", "is required")
	}
	return p.switchTo(ctx, modelID, mlexp.ActionAdopt, by, note, func(ctx context.Context, cur *mlexp.Deployment) (*target, error) {
		ref, err := p.modelAlias(ctx, modelID, cur)
		if err != nil {
			return nil, err
		}
		v, err := p.client.GetModelVersionByAlias(ctx, ref.name, ref.alias)
		if err != nil {
			return nil, MLflowError(err, "reading the alias "+ref.alias+" of registered model "+ref.name)
		}
		if v == nil || v.RunID == "" {
			return nil, &mlexp.Error{Code: mlexp.ECONFLICT, Field: "model_id", Details: map[string]any{"reason": "no_alias"},
				Message: "model_id: the alias " + ref.alias + " of registered model " + ref.name + " names no version of a run: there is nothing to adopt"}
		}
		t, err := p.inspect(ctx, v.RunID)
		if err != nil {
			return nil, err
		}
		if t.modelURI == "" {
			t.modelURI = v.Source
		}
		if _, err := mlexp.CheckPromotion(mlexp.Promotable{Run: t.run, Deleted: t.deleted, ModelURI: t.modelURI, RunModel: t.model, AskedFor: modelID}); err != nil {
			return nil, err
		}
		t.version = v.Version
		return t, nil
	})
}

// AliasStatus compares the model's alias in MLflow with its newest recorded deployment.
func (p *Promoter) AliasStatus(ctx context.Context, modelID string) (*mlexp.AliasStatus, error) {
	h, err := p.store.Deployments(ctx, modelID, 1)
	if err != nil {
		return nil, err
	}
	var cur *mlexp.Deployment
	if len(h) > 0 {
		cur = &h[0]
	}
	ref, err := p.modelAlias(ctx, modelID, cur)
	if err != nil {
		return nil, err
	}
	v, err := p.client.GetModelVersionByAlias(ctx, ref.name, ref.alias)
	if err != nil {
		return nil, MLflowError(err, "reading the alias "+ref.alias+" of registered model "+ref.name)
	}
	st := &mlexp.AliasStatus{RegisteredModel: ref.name, Alias: ref.alias}
	if v != nil {
		st.Version, st.RunID = v.Version, v.RunID
	}
	switch {
	case cur == nil:
		st.InSync = v == nil
	case cur.Version != "":
		st.RecordedVersion, st.RecordedRunID = cur.Version, cur.RunID
		st.InSync = st.Version == cur.Version
	default:
		st.RecordedRunID = cur.RunID
		st.InSync = v == nil || v.RunID == cur.RunID
	}
	return st, nil
}

// modelAlias is the alias of the model: the one its newest deployment moved, else the
// configured one, named after the model (read from its experiments' tags).
func (p *Promoter) modelAlias(ctx context.Context, modelID string, cur *mlexp.Deployment) (aliasRef, error) {
	if cur != nil && cur.RegisteredModel != "" {
		return aliasRef{name: cur.RegisteredModel, alias: cur.Alias}, nil
	}
	if n := p.registry.Names[modelID]; n != "" {
		return p.aliasFor(modelID, ""), nil
	}
	filter, err := mlflow.And(mlflow.Where(mlflow.Tags, TagModelID, "=", modelID))
	if err != nil {
		return aliasRef{}, err
	}
	exps, err := p.client.SearchExperiments(ctx, mlflow.SearchExperimentsRequest{Filter: filter})
	if err != nil {
		return aliasRef{}, MLflowError(err, "listing the experiments of model "+modelID)
	}
	name := ""
	for _, e := range exps {
		if n, _ := e.Tag(TagModelName); n != "" {
			name = n
			break
		}
	}
	return p.aliasFor(modelID, name), nil
}
