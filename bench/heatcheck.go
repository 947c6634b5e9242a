package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/tracking"
)

// heatmapCheck times, over n synthetic runs, the parts of a heatmap API request after the
// cache: HeatmapQuery.Check, the fast check proposed in docs/benchmarks.md, BuildHeatmap
// and the JSON encoding of the answer (`go run ./bench -heatmap-check 10000`).
func heatmapCheck(n int) error {
	runs := make([]mlexp.Run, n)
	for i := range runs {
		r := syntheticRun(i)
		runs[i] = tracking.ToRun(&r)
	}
	var check, fast, build, encode []time.Duration
	for range 21 {
		t0 := time.Now()
		q := mlexp.HeatmapQuery{}
		if err := q.Check(runs); err != nil {
			return err
		}
		t1 := time.Now()
		q2 := mlexp.HeatmapQuery{}
		if err := fastCheck(&q2, runs); err != nil {
			return err
		}
		t2 := time.Now()
		h := mlexp.BuildHeatmap(runs, q)
		t3 := time.Now()
		if _, err := json.Marshal(h); err != nil {
			return err
		}
		t4 := time.Now()
		check, fast, build, encode = append(check, t1.Sub(t0)), append(fast, t2.Sub(t1)), append(build, t3.Sub(t2)), append(encode, t4.Sub(t3))
	}
	fmt.Printf("runs %d: Check %s, proposed check %s, BuildHeatmap %s, JSON %s (medians of 21)\n",
		n, ms(median(check)), ms(median(fast)), ms(median(build)), ms(median(encode)))
	return nil
}

// fastCheck is the proposed HeatmapQuery.Check: the same defaults and answers, but a known
// metric or axis is accepted without listing every metric and param of every run; the
// full lists are made only for the error message.
func fastCheck(q *mlexp.HeatmapQuery, runs []mlexp.Run) error {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&q.Metric, mlexp.MetricRecallAt100)
	def(&q.XAxis, mlexp.AxisEmbeddingDims)
	def(&q.YAxis, mlexp.AxisCrossFeatures)
	def(&q.RunType, mlexp.RunTypeAll)
	def(&q.Agg, mlexp.AggBest)
	known := func(metric string) bool {
		if slices.Contains(mlexp.StandardMetrics, metric) {
			return true
		}
		for i := range runs {
			if _, ok := runs[i].Metrics[metric]; ok {
				return true
			}
		}
		return false
	}
	builtin := []string{mlexp.AxisEmbeddingDims, mlexp.AxisCrossFeatures, mlexp.AxisEpochs, mlexp.AxisRunType, mlexp.AxisNumCrosses}
	axis := func(a string) bool {
		if slices.Contains(builtin, a) {
			return true
		}
		for i := range runs {
			if _, ok := runs[i].Params[a]; ok {
				return true
			}
		}
		return false
	}
	if !known(q.Metric) || !axis(q.XAxis) || !axis(q.YAxis) {
		return q.Check(runs) // the error, with the lists of valid values
	}
	return nil
}
