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
	// Ids are never cut: they are what --model and --dataset take. Names give way.
	tb := &termTable{align: []termAlign{termLeft, termLeft, termLeft, termLeft, termRight, termLeft, termLeft}, maxWidth: []int{0, 32, 0, 32, 0, 0, 48}}
	for _, h := range []string{"Model ID", "Model Name", "Dataset ID", "Dataset Name", "Exp. ID", "Updated", "Experiment"} {
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
			tb.rows = append(tb.rows, [][]string{{id}, {name}, {d.ID}, {d.Name}, {d.ExperimentID}, {updated}, {d.ExperimentName}})
		}
	}
	tb.shrink(6, o.width(), 16)
	tb.shrink(3, o.width(), 16)
	tb.shrink(1, o.width(), 16)
	tb.write(t)
	return t.flush()
}
