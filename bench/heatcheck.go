package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/tracking"
)

// heatmapCheck times, over n synthetic runs, the parts of a heatmap API request after the
// cache: HeatmapQuery.Check, BuildHeatmap and the JSON encoding of the answer
// (`go run ./bench -heatmap-check 10000`).
func heatmapCheck(n int) error {
	runs := make([]mlexp.Run, n)
	for i := range runs {
		r := syntheticRun(i)
		runs[i] = tracking.ToRun(&r)
	}
	var check, build, encode []time.Duration
	for range 21 {
		t0 := time.Now()
		q := mlexp.HeatmapQuery{}
		if err := q.Check(runs); err != nil {
			return err
		}
		t1 := time.Now()
		h := mlexp.BuildHeatmap(runs, q)
		t2 := time.Now()
		if _, err := json.Marshal(h); err != nil {
			return err
		}
		t3 := time.Now()
		check, build, encode = append(check, t1.Sub(t0)), append(build, t2.Sub(t1)), append(encode, t3.Sub(t2))
	}
	fmt.Printf("runs %d: Check %s, BuildHeatmap %s, JSON %s (medians of 21)\n",
		n, ms(median(check)), ms(median(build)), ms(median(encode)))
	return nil
}
