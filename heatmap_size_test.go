package mlexp_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// TestHeatmapAnswerIsSizedByItsGrid checks that the JSON of a heatmap lists at most
// MaxCellRunIDs run ids a cell, and counts the others, so that an answer's size follows its
// grid whatever the number of runs; the heatmap itself keeps every id (for the exports).
func TestHeatmapAnswerIsSizedByItsGrid(t *testing.T) {
	size := func(n int) (int, *mlexp.Heatmap) {
		runs := make([]mlexp.Run, n)
		for i := range runs {
			runs[i] = mlexp.Run{ID: fmt.Sprintf("%032x", i), Status: mlexp.RunFinished, Type: mlexp.QuickTestRun,
				Params:  mlexp.NewParams(map[string]string{"user_id_embedding_dim": []string{"32", "64"}[i%2], "product_id_embedding_dim": "32", "cross_features": "none"}),
				Metrics: mlexp.NewMetricValues(map[string]float64{"recall_at_100": 0.4 + float64(i%7)/100})}
			runs[i].Prepare()
		}
		q := mlexp.HeatmapQuery{Metric: "recall_at_100", XAxis: "embedding_dims", YAxis: "cross_features", Agg: mlexp.AggBest}
		if err := q.Check(runs); err != nil {
			t.Fatal(err)
		}
		h := mlexp.BuildHeatmap(runs, q)
		b, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		return len(b), h
	}
	small, _ := size(40)
	big, h := size(4000)
	if big > small+small/10 { // counts and aggregates may take a few more digits
		t.Errorf("the answer of 4,000 runs is %d bytes, of 40 runs %d: want about the same size for the same grid", big, small)
	}
	if len(h.Cells[0].RunIDs) != 2000 {
		t.Errorf("the heatmap keeps %d run ids of a cell, want all 2000", len(h.Cells[0].RunIDs))
	}
	var decoded struct {
		Cells []struct {
			RunIDs     []string `json:"run_ids"`
			RunIDsMore int      `json:"run_ids_more"`
		} `json:"cells"`
	}
	b, _ := json.Marshal(h)
	if err := json.Unmarshal(b, &decoded); err != nil || len(decoded.Cells[0].RunIDs) != mlexp.MaxCellRunIDs || decoded.Cells[0].RunIDsMore != 2000-mlexp.MaxCellRunIDs {
		t.Errorf("cell JSON lists %d ids and %d more, %v", len(decoded.Cells[0].RunIDs), decoded.Cells[0].RunIDsMore, err)
	}
}
