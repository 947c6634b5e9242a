package main

import (
	"fmt"
	"io"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/terminal"
)

// printReconciled says what reconcile did, or prints it as JSON.
func printReconciled(w io.Writer, modelID string, d *mlexp.Deployment, cleared []string, asJSON bool) error {
	if asJSON {
		return printIndented(w, map[string]any{"model_id": modelID, "current": d, "cleared": cleared})
	}
	if d == nil {
		_, err := fmt.Fprintf(w, "model %s: no promotion is recorded yet; MLflow is left as it is\n", modelID)
		return err
	}
	fmt.Fprintf(w, "model %s: MLflow shows run %s (%s) deployed, as recorded in deployment #%d\n", modelID, d.RunID, d.RunName, d.Seq)
	printAlias(w, d)
	for _, c := range cleared {
		fmt.Fprintf(w, "run %s is no longer marked deployed\n", c)
	}
	return nil
}

// printAlias says which version the deployment's registry alias names.
func printAlias(w io.Writer, d *mlexp.Deployment) {
	if d == nil || d.Version == "" {
		return
	}
	fmt.Fprintf(w, "models:/%s@%s is version %s", d.RegisteredModel, d.Alias, d.Version)
	if d.PreviousVersion != "" && d.PreviousVersion != d.Version {
		fmt.Fprintf(w, " (was version %s)", d.PreviousVersion)
	}
	fmt.Fprintln(w)
}

// printAliasStatus warns when the registry alias no longer names the recorded version.
func printAliasStatus(w io.Writer, modelID string, st *mlexp.AliasStatus, o terminal.Options) {
	if st == nil || st.InSync {
		return
	}
	now := "names no version"
	if st.Version != "" {
		now = fmt.Sprintf("names version %s (run %s)", st.Version, st.RunID)
	}
	recorded := "the run " + st.RecordedRunID
	if st.RecordedVersion != "" {
		recorded = fmt.Sprintf("version %s (run %s)", st.RecordedVersion, st.RecordedRunID)
	}
	terminal.Paragraph(w, o, "! ", fmt.Sprintf("models:/%s@%s %s in MLflow, but the history records %s: `mlexp reconcile %s` puts the alias back, `mlexp reconcile --adopt %s` records the move",
		st.RegisteredModel, st.Alias, now, recorded, modelID, modelID))
}
