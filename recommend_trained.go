package mlexp

import (
	"fmt"
	"strconv"
)

// ExistingFullTraining is a finished full training of the leading quick test's config that
// is not among the compared runs, measured against the recommendation's reference.
type ExistingFullTraining struct {
	RunID    string  `json:"run_id"`
	RunName  string  `json:"run_name"`
	ConfigID string  `json:"config_id"`
	Value    Number  `json:"value"` // its measured value of the recommendation's metric
	Text     string  `json:"text"`  // "47.5%"
	Delta    *Number `json:"delta"` // its improvement over the reference, in the recommendation's DeltaUnit
	Deployed bool    `json:"is_deployed"`
	// Promote says it leads the reference by more than the threshold: worth promoting.
	Promote bool `json:"promote"`
	// CompareRunIDs are the compared runs and it: the comparison to look at next.
	CompareRunIDs []string `json:"compare_run_ids"`
}

// trainedElsewhere turns a recommendation to train the leading quick test c into a pointer
// at the full training its config already has among related (finished, not compared, with
// a finite value; the best of them), measured against the reference r. Nothing changes
// when there is none.
func (rec *Recommendation) trainedElsewhere(runs, related []Run, c, r Run, baseline bool) {
	config := runConfigID(c)
	if config == "" {
		return
	}
	compared := make(map[string]bool, len(runs))
	for _, x := range runs {
		compared[x.ID] = true
	}
	best, bestValue := -1, 0.0
	for i, x := range related { // every run of the experiment: the cheap tests first
		if x.Type != FullTrainingRun || x.Status != RunFinished || compared[x.ID] || runConfigID(x) != config {
			continue
		}
		if v, ok := compareValue(x, rec.Metric); ok && (best < 0 || Better(rec.Metric, v, bestValue)) {
			best, bestValue = i, v
		}
	}
	if best < 0 {
		return
	}
	ft := related[best]
	e := &ExistingFullTraining{RunID: ft.ID, RunName: runTitle(ft), ConfigID: config, Value: Number(bestValue),
		Text: FormatMetric(rec.Metric, bestValue), Deployed: ft.Deployed}
	for _, x := range runs {
		e.CompareRunIDs = append(e.CompareRunIDs, x.ID)
	}
	e.CompareRunIDs = append(e.CompareRunIDs, ft.ID)
	measured := ""
	if refValue, ok := compareValue(r, rec.Metric); ok {
		d := bestValue - refValue
		if LowerIsBetter(rec.Metric) {
			d = -d
		}
		if rec.DeltaUnit == UnitPP {
			d *= 100
		}
		d = roundDiff(d)
		e.Delta = new(Number(d))
		e.Promote = d > float64(rec.Threshold) && !ft.Deployed
		measured = " (" + formatDiff(rec.Metric, rec.DeltaUnit, d) + " over " + refTitle(r, baseline) + ")"
	}
	rec.Kind, rec.FullTraining = RecommendFullTrainingExists, e
	lead := fmt.Sprintf("%s shows %s improvement in %s over %s in its Quick Test,", configTitle(c), formatDiff(rec.Metric, rec.DeltaUnit, float64(*rec.Delta)),
		rec.MetricLabel, refTitle(r, baseline))
	head := fmt.Sprintf("%s but it already has a Full Training: %s measured %s%s.", lead, strconv.Quote(e.RunName), e.Text, measured)
	switch {
	case ft.Deployed:
		rec.Message = head + " It is the deployed run: compare with it rather than run another Full Training."
	case e.Promote:
		rec.Message = head + " Compare with it, or consider promoting it, rather than run another Full Training."
	default:
		rec.Message = fmt.Sprintf("%s It does not lead by more than %s: compare with it rather than run another Full Training.", head, formatThreshold(*rec))
	}
}
