package insight

import (
	"math"

	"github.com/mlexp-dev/mlexp"
)

// Judge decides whether two configs are within run-to-run noise of each other, from the
// quick tests of one experiment that count. It implements mlexp.NoiseJudge, so that a
// comparison's recommendation can ask for replicates before a full training. A Judge is
// meant for one request: it is not safe for concurrent use.
type Judge struct {
	runs  []mlexp.Run
	cache map[string]map[string]estimate // metric → config → estimate
}

// NewNoiseJudge is a Judge over the runs of one experiment.
func NewNoiseJudge(runs []mlexp.Run) *Judge {
	return &Judge{runs: runs, cache: map[string]map[string]estimate{}}
}

var _ mlexp.NoiseJudge = (*Judge)(nil)

// WithinNoise applies the noise section's test (Welch's t-test at 5%, with the SDs of
// newEstimate: a single run, identical runs or up to SmallSample runs with a smaller SD
// borrow the pooled SD) to the quick tests of configs a and b on metric. It is one
// comparison, not a family, so its p-value is not adjusted. known is false when either
// config has no quick test that counts or no SD can be estimated; runsPerConfig is the
// replicate advice for their gap (RunsPerConfig), 0 when it exceeds MaxReplicates or the
// means are equal (practically equivalent, as the noise section says).
func (j *Judge) WithinNoise(metric, a, b string) (within bool, runsPerConfig int, known bool) {
	est, ok := j.cache[metric]
	if !ok {
		est = map[string]estimate{}
		groups := groupByConfig(counted(j.runs, metric, string(mlexp.QuickTestRun)))
		pooled, df := pooledSD(groups)
		for _, g := range groups {
			est[g.key] = newEstimate(g, pooled, df)
		}
		j.cache[metric] = est
	}
	ea, okA := est[a]
	eb, okB := est[b]
	if !okA || !okB {
		return false, 0, false
	}
	p := welchP(ea, eb)
	if math.IsNaN(p) {
		return false, 0, false
	}
	sd := math.Sqrt((ea.used*ea.used + eb.used*eb.used) / 2)
	n := RunsPerConfig(sd, math.Abs(ea.mean-eb.mean))
	if n > MaxReplicates {
		n = 0
	}
	return p >= Alpha, n, true
}
