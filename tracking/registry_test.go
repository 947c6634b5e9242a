package tracking_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/tracking"
)

// champion asks MLflow's Python client which version, of which run, the alias names:
// MlflowClient().get_model_version_by_alias.
func champion(t *testing.T, name, alias string) (version, runID string) {
	t.Helper()
	out, err := srv.RunPython("registry.py", nil, "get", name, alias)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Version string `json:"version"`
		RunID   string `json:"run_id"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("registry.py printed %s: %v", out, err)
	}
	return v.Version, v.RunID
}

// moveByHand moves the alias with MLflow's Python client, as someone would in MLflow's UI.
func moveByHand(t *testing.T, name, alias, version string) {
	t.Helper()
	if _, err := srv.RunPython("registry.py", nil, "set", name, alias, version); err != nil {
		t.Fatal(err)
	}
}

func TestPromotionMovesTheRegistryAlias(t *testing.T) {
	f := newFleet(t)
	model, name := f.report.Model.ID, f.report.Model.Name
	a := f.training(1, 0.45, noModelURI)
	f.logModel(a, "logged_model")
	b := f.training(2, 0.46)
	p := tracking.NewPromoter(f.c, openStore(t, filepath.Join(t.TempDir(), "mlexp.db")), time.Now)

	got, err := p.Promote(ctx(t), mlexp.PromoteRequest{RunID: a, By: "ana"})
	if d := got.Deployment; err != nil || d.RegisteredModel != name || d.Alias != "champion" || d.Version != "1" || d.PreviousVersion != "" {
		t.Fatalf("promote a: %+v, %v", got, err)
	}
	if v, run := champion(t, name, "champion"); v != "1" || run != a {
		t.Errorf("after promoting a the alias names version %s of run %s", v, run)
	}
	got, err = p.Promote(ctx(t), mlexp.PromoteRequest{RunID: b, By: "bob"})
	if d := got.Deployment; err != nil || d.Version != "2" || d.PreviousVersion != "1" {
		t.Fatalf("promote b: %+v, %v", got, err)
	}
	if v, run := champion(t, name, "champion"); v != "2" || run != b {
		t.Errorf("after promoting b the alias names version %s of run %s", v, run)
	}
	// The rollback points the alias at a's version again, without registering it anew.
	got, err = p.Rollback(ctx(t), model, "carol", "")
	if d := got.Deployment; err != nil || d.RunID != a || d.Version != "1" || d.PreviousVersion != "2" {
		t.Fatalf("rollback: %+v, %v", got, err)
	}
	if v, run := champion(t, name, "champion"); v != "1" || run != a {
		t.Errorf("after the rollback the alias names version %s of run %s", v, run)
	}

	// Someone moves the alias in MLflow: mlexp shows it, and reconcile puts it back.
	moveByHand(t, name, "champion", "2")
	if st, err := p.AliasStatus(ctx(t), model); err != nil || st.InSync || st.Version != "2" || st.RunID != b || st.RecordedVersion != "1" {
		t.Errorf("status after the alias was moved by hand: %+v, %v", st, err)
	}
	if _, _, err := p.Reconcile(ctx(t), model); err != nil {
		t.Fatal(err)
	}
	if v, _ := champion(t, name, "champion"); v != "1" {
		t.Errorf("after reconcile the alias names version %s, want 1", v)
	}
	// Or the history adopts the move.
	moveByHand(t, name, "champion", "2")
	got, err = p.Adopt(ctx(t), model, "dan", "moved in MLflow's UI")
	if d := got.Deployment; err != nil || d.Action != mlexp.ActionAdopt || d.RunID != b || d.Version != "2" || d.PreviousVersion != "1" || d.PreviousRunID != a {
		t.Fatalf("adopt: %+v, %v", got, err)
	}
	if st, err := p.AliasStatus(ctx(t), model); err != nil || !st.InSync || !slices.Equal(f.deployed(), []string{b}) {
		t.Errorf("after adopting: %+v, %v, deployed %v", st, err, f.deployed())
	}
	if h, _ := p.History(ctx(t), model, 0); len(h) != 4 {
		t.Errorf("history has %d entries, want 4", len(h))
	}
}

func TestRegistryErrorsRecordNothing(t *testing.T) {
	f := newFleet(t)
	model, name := f.report.Model.ID, f.report.Model.Name
	a, b := f.training(1, 0.45), f.training(2, 0.46)
	store := openStore(t, filepath.Join(t.TempDir(), "mlexp.db"))
	p := tracking.NewPromoter(f.c, store, time.Now)
	if _, err := p.Promote(ctx(t), mlexp.PromoteRequest{RunID: a, By: "ana"}); err != nil {
		t.Fatal(err)
	}
	// A registered model name MLflow refuses: registering b's model fails.
	bad := tracking.NewPromoter(f.c, store, time.Now)
	bad.SetRegistry(tracking.RegistryConfig{Names: map[string]string{model: "no/slashes"}})
	if _, err := bad.Promote(ctx(t), mlexp.PromoteRequest{RunID: b, By: "bob"}); err == nil || !strings.Contains(err.Error(), "no/slashes") {
		t.Fatalf("promotion with a registry error: %v", err)
	}
	if h, _ := p.History(ctx(t), model, 0); len(h) != 1 || h[0].RunID != a {
		t.Errorf("history after the failed promotion: %+v", h)
	}
	if d := f.deployed(); !slices.Equal(d, []string{a}) {
		t.Errorf("MLflow shows %v deployed, want a", d)
	}
	if v, run := champion(t, name, "champion"); v != "1" || run != a {
		t.Errorf("the alias names version %s of run %s, want 1 of a", v, run)
	}
}
