package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/explore"
)

// towersOptions are the flags of towers.
func towersOptions(getenv func(string) string) []option {
	return append([]option{
		{name: "query-tower", arg: "FEATURES", usage: "set the query tower: comma-separated feature names, e.g. user_id,city"},
		{name: "candidate-tower", arg: "FEATURES", usage: "set the candidate tower: comma-separated feature names, e.g. product_id,category"},
		{name: "by", arg: "USER", env: "MLEXP_USER", def: osUser(getenv), usage: "who sets the mapping, as recorded with it (default: the OS user)"},
		{name: "json", arg: "", def: "false", usage: "print the API's answer as JSON"},
	}, storeOptions(getenv)...)
}

func towersHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp towers MODEL_ID [--query-tower F,F... --candidate-tower F,F...] [flags]

Shows, or with --query-tower / --candidate-tower sets, which tower each feature of the model
belongs to. Runs logged in the spec's bare shape have {feature}_embedding_dim params but no
query_tower / candidate_tower params; the comparison's configuration diff groups their
features by this mapping instead of listing them under Other. A run's own tower params win.
Setting replaces the whole mapping (both towers). It is kept in mlexp's database, the one
serve uses (--db), and serve's comparisons use it.

`)
	writeOptions(w, towersOptions(e.getenv))
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

// towers runs `mlexp towers MODEL_ID`.
func towers(ctx context.Context, args []string, e env) error {
	s, modelID, b, err := startDeployment(ctx, "towers", "MODEL_ID", args, towersOptions(e.getenv), towersHelp, e)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	defer b.close()
	svc := explore.New(explore.Deps{Runs: b.reader, Towers: b.store})
	query, cand := s["query-tower"], s["candidate-tower"]
	if query.value != "" || cand.value != "" {
		m := &mlexp.TowerMapping{ModelID: modelID, QueryTower: mlexp.SplitList(query.value), CandidateTower: mlexp.SplitList(cand.value), UpdatedBy: s["by"].value}
		if err := svc.SetTowers(ctx, m); err != nil {
			return fmt.Errorf("towers: %s", towersFlagMessage(err))
		}
	}
	t, err := svc.Towers(ctx, modelID)
	if err != nil {
		return fmt.Errorf("towers: %w", err)
	}
	if asJSON, err := boolSetting(s["json"]); err != nil {
		return fmt.Errorf("towers: %w", err)
	} else if asJSON {
		return printIndented(e.stdout, t)
	}
	list := func(fs []string) string {
		if len(fs) == 0 {
			return mlexp.NoValue
		}
		return strings.Join(fs, ", ")
	}
	fmt.Fprintf(e.stdout, "Towers of model %s\n  Query Tower:     %s\n  Candidate Tower: %s\n", modelID, list(t.QueryTower), list(t.CandidateTower))
	if len(t.Unplaced) > 0 {
		fmt.Fprintf(e.stdout, "  Not in a tower:  %s\n", list(t.Unplaced))
	}
	if !t.UpdatedAt.IsZero() {
		fmt.Fprintf(e.stdout, "  Set by %s, %s\n", t.UpdatedBy, t.UpdatedAt.Format("2006-01-02 15:04 UTC"))
	}
	return nil
}

// towersFlagMessage names the flag of an invalid mapping: --query-tower for query_tower[2].
func towersFlagMessage(err error) string {
	var e *mlexp.Error
	if !errors.As(err, &e) || e.Field == "" {
		return err.Error()
	}
	msg := e.Message
	for field, flagName := range map[string]string{"query_tower": "--query-tower", "candidate_tower": "--candidate-tower"} {
		if strings.HasPrefix(e.Field, field) {
			msg = flagName + " (" + e.Field + ")" + strings.TrimPrefix(msg, e.Field)
		}
	}
	return msg
}
