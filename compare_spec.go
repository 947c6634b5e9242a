package mlexp

// specMetrics are a run's metrics for the spec's answer: never nil.
func specMetrics(r Run) MetricValues {
	if r.Metrics.Len() == 0 {
		return MetricValues{}
	}
	return r.Metrics
}

// specParams are a run's params for the spec's answer: never nil.
func specParams(r Run) map[string]string {
	if r.Params.Len() == 0 {
		return map[string]string{}
	}
	return r.Params.Map()
}

// paramsDiff is the spec's params_diff: every param that some run has and whose values
// are not all the same (numbers compared numerically, "64" = "64.0"; a run that lacks it
// differs from one that has it), with each run's value by run id, nil where it lacks it.
func paramsDiff(runs []Run) map[string]map[string]*string {
	out := map[string]map[string]*string{}
	for _, r := range runs {
		for k := range r.Params.All() {
			if _, done := out[k]; done || !paramDiffers(runs, k) {
				continue
			}
			byRun := make(map[string]*string, len(runs))
			for _, x := range runs {
				if v, ok := x.Params.Lookup(k); ok {
					byRun[x.ID] = &v
				} else {
					byRun[x.ID] = nil
				}
			}
			out[k] = byRun
		}
	}
	return out
}

// paramDiffers tells whether the runs' values of param k are not all the same.
func paramDiffers(runs []Run, k string) bool {
	first, has := runs[0].Params.Lookup(k)
	for _, r := range runs[1:] {
		v, ok := r.Params.Lookup(k)
		if ok != has || (ok && !sameParam(v, first)) {
			return true
		}
	}
	return false
}
