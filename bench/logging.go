package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// logParallel logs quick tests from..to of model m with workers goroutines; the first one
// alone, so that the experiment is made once.
func logParallel(ctx context.Context, l *tracking.Logger, m mlexp.Model, from, to, workers int) error {
	return logParallelFn(ctx, l, from, to, workers, func(i int) mlexp.QuickTestReport { return quickTest(m, i) })
}

// logParallelFn logs the quick tests report(from)..report(to-1) with workers goroutines; the
// first one alone, so that the experiment is made once.
func logParallelFn(ctx context.Context, l *tracking.Logger, from, to, workers int, report func(i int) mlexp.QuickTestReport) error {
	if from < to {
		if _, err := l.LogQuickTest(ctx, report(from)); err != nil {
			return err
		}
		from++
	}
	var next atomic.Int64
	next.Store(int64(from))
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= to {
					return
				}
				if _, err := l.LogQuickTest(ctx, report(i)); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

const logWorkers = 16

// logging compares logging 1,000 quick tests with mlexp's logger (one at a time, and in
// parallel) with one MLflow call per param, metric and tag through the Python client.
func (b *bench) logging(n int) error {
	ctx := context.Background()
	lr := logResult{n: n}
	if err := b.logOneAtATime(ctx, &lr); err != nil {
		return err
	}
	if err := b.logInParallel(ctx, &lr); err != nil {
		return err
	}
	if err := b.logPerCallPython(ctx, &lr); err != nil {
		return err
	}
	b.res.log = lr
	return nil
}

// logOneAtATime logs lr.n quick tests with mlexp's logger one at a time, counting the
// requests of each.
func (b *bench) logOneAtATime(ctx context.Context, lr *logResult) error {
	n := lr.n
	m := benchModel(n, "log-seq")
	var calls atomic.Int64
	l := tracking.NewLogger(b.newClient(func(mlflow.Call) { calls.Add(1) }), nil)
	if _, err := l.LogQuickTest(ctx, quickTest(m, 0)); err != nil { // makes the experiment
		return err
	}
	lr.firstRequests = calls.Load()
	logf("logging %d quick tests with mlexp's logger, one at a time", n)
	t := time.Now()
	for i := 1; i <= n; i++ {
		calls.Store(0)
		if _, err := l.LogQuickTest(ctx, quickTest(m, i)); err != nil {
			return err
		}
		lr.maxRequests = max(lr.maxRequests, calls.Load())
		lr.totalRequests += calls.Load()
	}
	lr.mlexpSeq = time.Since(t)
	return nil
}

// logInParallel times logging lr.n quick tests with mlexp's logger in parallel: measured
// while logging the cold-load runs of the same size, else now.
func (b *bench) logInParallel(ctx context.Context, lr *logResult) error {
	n := lr.n
	for _, s := range b.res.logged {
		if s.n == n {
			lr.mlexpPar = s.d
		}
	}
	if lr.mlexpPar == 0 {
		m := benchModel(n, "log-par")
		t := time.Now()
		if err := logParallel(ctx, tracking.NewLogger(b.newClient(nil), nil), m, 0, n, logWorkers); err != nil {
			return err
		}
		lr.mlexpPar = time.Since(t)
	}
	return nil
}

// pyLogRun is a run for log_per_call.py to log.
type pyLogRun struct {
	Name    string             `json:"name"`
	Start   int64              `json:"start"`
	End     int64              `json:"end"`
	Params  map[string]string  `json:"params"`
	Metrics map[string]float64 `json:"metrics"`
	Tags    map[string]string  `json:"tags"`
}

// logPerCallPython times logging up to cfg.pyLogRuns (at most lr.n) quick tests with the
// Python client, one call per value.
func (b *bench) logPerCallPython(ctx context.Context, lr *logResult) error {
	pyN := min(b.cfg.pyLogRuns, lr.n)
	expID, err := b.newClient(nil).CreateExperiment(ctx, "bench-log-python", "", nil)
	if err != nil {
		return err
	}
	job := struct {
		ExperimentID string     `json:"experiment_id"`
		Runs         []pyLogRun `json:"runs"`
	}{ExperimentID: expID}
	for i := range pyN {
		job.Runs = append(job.Runs, pyLogRunOf(syntheticRun(i)))
	}
	js, _ := json.Marshal(job)
	logf("logging %d quick tests with the Python client, one call per value", pyN)
	out, err := b.python("log_per_call.py", js)
	if err != nil {
		return err
	}
	var py struct {
		Seconds float64 `json:"seconds"`
		Runs    int     `json:"runs"`
		Calls   int     `json:"calls"`
	}
	if err := json.Unmarshal(out, &py); err != nil {
		return fmt.Errorf("log_per_call.py: %w: %s", err, out)
	}
	lr.pyN, lr.py, lr.pyCalls = py.Runs, seconds(py.Seconds), py.Calls
	return nil
}

// pyLogRunOf is MLflow run r as log_per_call.py takes it.
func pyLogRunOf(r mlflow.Run) pyLogRun {
	p := pyLogRun{Name: r.Info.RunName, Start: r.Info.StartTime, End: r.Info.EndTime, Params: map[string]string{}, Metrics: map[string]float64{}, Tags: map[string]string{}}
	for _, x := range r.Data.Params {
		p.Params[x.Key] = x.Value
	}
	for _, x := range r.Data.Metrics {
		p.Metrics[x.Key] = float64(x.Value)
	}
	for _, x := range r.Data.Tags {
		p.Tags[x.Key] = x.Value
	}
	return p
}
