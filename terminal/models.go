package terminal

import (
	"io"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// Models writes the models that have experiments in MLflow, one row per dataset
// (experiment), most recently active dataset first within a model.
func Models(w io.Writer, models []mlexp.ModelInfo, o Options) error {
	t := newTermWriter(w)
	t.section(o, "MODELS")
	if len(models) == 0 {
		t.line("No MLflow experiment is tagged with a model yet.")
		return t.flush()
	}
	tb := termModelsTable(models, o, false)
	if tb.total() > o.width() { // too narrow: each name goes under its id
		tb = termModelsTable(models, o, true)
	}
	tb.write(t)
	return t.flush()
}

// termModelsTable is the table of the models, one row per dataset, fitted to the width. Ids
// are never cut: they are what --model and --dataset take. Names give way. Stacked, each
// name is under its id in the same cell, which saves two columns.
func termModelsTable(models []mlexp.ModelInfo, o Options, stacked bool) *termTable {
	tb := &termTable{align: []termAlign{termLeft, termLeft, termLeft, termLeft, termRight, termLeft, termLeft}, maxWidth: []int{0, 32, 0, 32, 0, 0, 48}}
	head := []string{"Model ID", "Model Name", "Dataset ID", "Dataset Name", "Exp. ID", "Updated", "Experiment"}
	if stacked {
		tb = &termTable{align: []termAlign{termLeft, termLeft, termRight, termLeft, termLeft}, maxWidth: []int{32, 32, 0, 0, 48}, minWidth: []int{0, 0}}
		head = []string{"Model", "Dataset", "Exp. ID", "Updated", "Experiment"}
	}
	for _, h := range head {
		tb.head = append(tb.head, []string{h})
	}
	now := o.now()
	for _, m := range models {
		for i, d := range m.Datasets {
			id, name := m.ID, m.Name
			if i > 0 { // the model once, on its first row
				id, name = "", ""
			}
			updated := mlexp.NoValue
			if d.LastUpdateTime > 0 {
				updated = termAgo(time.UnixMilli(d.LastUpdateTime), now)
			}
			if !stacked {
				tb.rows = append(tb.rows, [][]string{{id}, {name}, {d.ID}, {d.Name}, {d.ExperimentID}, {updated}, {d.ExperimentName}})
				continue
			}
			model := []string{id, name}
			if id == "" {
				model = nil
			}
			tb.minWidth[0] = max(tb.minWidth[0], StringWidth(id))
			tb.minWidth[1] = max(tb.minWidth[1], StringWidth(d.ID))
			tb.rows = append(tb.rows, [][]string{model, {d.ID, d.Name}, {d.ExperimentID}, {updated}, {d.ExperimentName}})
		}
	}
	if stacked {
		tb.rules = true
		tb.shrink(4, o.width(), 16)
		tb.shrink(1, o.width(), 16)
		tb.shrink(0, o.width(), 16)
		for c := 4; c >= 2 && tb.total() > o.width(); c-- { // long ids: Experiment, then Updated, then Exp. ID go
			tb.drop(c)
		}
		return tb
	}
	tb.shrink(6, o.width(), 16)
	tb.shrink(3, o.width(), 16)
	tb.shrink(1, o.width(), 16)
	return tb
}
