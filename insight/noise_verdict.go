package insight

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// judge sets the verdict, the message and the replicate advice. measured are the values of
// the finished full trainings of each config: a clear quick-test winner that has some is
// not sent to another full training.
func (n *Noise) judge(metric string, est []estimate, measured map[string][]float64) {
	label := mlexp.MetricLabel(metric)
	if len(est) == 0 {
		n.Verdict, n.Message = NoiseInsufficientData, "No finished run has "+label+"."
		return
	}
	best := est[0]
	n.BestConfig = n.Configs[0].ConfigID
	if len(est) == 1 {
		n.Verdict, n.Message = NoiseInsufficientData, "Only "+best.g.name+" has "+label+"; there is nothing to rank it against."
		return
	}
	before := "before a full training"
	if n.RunType != string(mlexp.QuickTestRun) {
		before = "before promoting either"
	}
	if n.PooledSD == nil {
		n.Verdict = NoiseUnknown
		why := "No config has repeated runs"
		if n.Replicated > 0 {
			why = "The repeated runs of every config are identical (the same seed, or a run logged twice?)"
		}
		n.Message = fmt.Sprintf("%s, so run-to-run noise is unknown: %s leads %s by %s without a margin of error. "+
			"Repeat both (at least 2 runs each, with different seeds) %s.", why, best.g.name, est[1].g.name, gapText(metric, best.mean-est[1].mean), before)
		return
	}
	if len(n.Tied) == 0 {
		n.Verdict = NoiseClearWinner
		then := "Run a Full Training of " + best.g.name + " to confirm."
		if n.RunType != string(mlexp.QuickTestRun) {
			then = best.g.name + " is the one to promote."
		} else if full := measured[best.g.key]; len(full) > 0 {
			then = fmt.Sprintf("%s already has %s, measured at %s%s: compare with it rather than run another.", best.g.name,
				map[bool]string{true: "a Full Training", false: fmt.Sprintf("%d Full Trainings", len(full))}[len(full) == 1],
				fmtValue(metric, meanOf(full)), map[bool]string{true: "", false: " (mean)"}[len(full) == 1])
		}
		n.Message = fmt.Sprintf("%s leads every other config beyond noise (Welch's t-test, Holm-adjusted at the 5%% level; closest: %s, %s behind, p = %s, adjusted %s). %s%s",
			best.g.name, est[1].g.name, gapText(metric, best.mean-est[1].mean), pText(n.Configs[1].PValue), pText(n.Configs[1].PAdjusted), then, n.shrunkText(metric))
		return
	}
	n.Verdict = NoiseWithinNoise
	ri := slices.IndexFunc(n.Configs, func(c ConfigStats) bool { return c.Tied })
	n.Advice = replicateAdvice(n.Configs[0].ConfigID, n.Configs[ri].ConfigID, best, est[ri])
	others := "1 other config"
	if len(n.Tied) > 1 {
		others = fmt.Sprintf("%d other configs", len(n.Tied))
	}
	rival := est[ri]
	msg := fmt.Sprintf("%s leads, but is within noise of %s (closest: %s, %s behind, p = %s, Holm-adjusted %s). ", best.g.name, others, rival.g.name,
		gapText(metric, best.mean-rival.mean), pText(n.Configs[ri].PValue), pText(n.Configs[ri].PAdjusted))
	a := n.Advice
	switch {
	case a.EqualMeans:
		msg += fmt.Sprintf("Their means are equal: no number of runs separates them, so treat them as equivalent and choose on cost %s.", before)
	case a.Capped:
		msg += fmt.Sprintf("Telling them apart would take more than %d runs each: treat them as equivalent and choose on cost %s.", MaxReplicates, before)
	default:
		msg += fmt.Sprintf("Run %d more of %s and %d more of %s (%d each gives 80%% power at the 5%% level) %s.",
			a.More[0], best.g.name, a.More[1], rival.g.name, a.RunsPerConfig, before)
	}
	n.Message = msg + n.shrunkText(metric)
}

// replicateAdvice is the runs per config that would tell best from rival.
func replicateAdvice(bestID, rivalID string, best, rival estimate) *ReplicateAdvice {
	sd := math.Sqrt((best.used*best.used + rival.used*rival.used) / 2)
	gap := math.Abs(best.mean - rival.mean)
	a := &ReplicateAdvice{Configs: []string{bestID, rivalID}, Gap: mlexp.Number(gap), SD: mlexp.Number(sd), RunsPerConfig: RunsPerConfig(sd, gap)}
	if a.RunsPerConfig > MaxReplicates {
		a.Capped, a.RunsPerConfig = true, MaxReplicates
	}
	a.More = []int{max(0, a.RunsPerConfig-best.n), max(0, a.RunsPerConfig-rival.n)}
	if sameValue(best.mean, rival.mean) {
		a.Gap, a.EqualMeans, a.More = 0, true, []int{0, 0}
	}
	return a
}

// shrunkText says what shrinking the means towards the grand mean does to the winner.
func (n *Noise) shrunkText(metric string) string {
	if n.GrandMean == nil {
		return ""
	}
	best, raw := n.Configs[0], float64(n.Configs[0].Mean)
	if n.BestShrunk != n.BestConfig {
		i := slices.IndexFunc(n.Configs, func(c ConfigStats) bool { return c.ConfigID == n.BestShrunk })
		return fmt.Sprintf(" Shrunk towards the grand mean (empirical Bayes), %s ranks first instead (%s against %s's %s): %s's lead may be luck.",
			n.Configs[i].ConfigName, fmtValue(metric, float64(*n.Configs[i].MeanShrunk)), best.ConfigName, fmtValue(metric, float64(*best.MeanShrunk)), best.ConfigName)
	}
	return fmt.Sprintf(" Shrunk towards the grand mean (empirical Bayes), %s is expected at %s (raw mean %s).",
		best.ConfigName, fmtValue(metric, float64(*best.MeanShrunk)), fmtValue(metric, raw))
}

// gapText writes a difference in the metric's unit: "0.8 pp" for fractions.
func gapText(metric string, d float64) string {
	d = math.Abs(d)
	if mlexp.IsFraction(metric) {
		d *= 100 // in percentage points
	}
	return strings.TrimLeft(mlexp.FormatMetricDiff(metric, d), "+-")
}

func pText(p *mlexp.Number) string {
	if p == nil {
		return "n/a"
	}
	if *p < 0.001 {
		return "< 0.001"
	}
	return fmt.Sprintf("%.3f", float64(*p))
}
