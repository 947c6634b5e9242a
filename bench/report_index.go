package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp/tracking"
)

// indexMarkdown is the run index's part of the report: what issue 14 asks, beside what the
// reader without the index did in the same run.
func (r *results) indexMarkdown() string {
	var b strings.Builder
	for _, ir := range r.index {
		r.indexTable(&b, ir)
		pageTable(&b, ir)
	}
	if r.indexMem != nil {
		r.indexMemTable(&b, *r.indexMem)
	}
	return b.String()
}

// oldLoad is the cold load without the index of n runs from MLflow on backend, if measured.
func (r *results) oldLoad(n int, backend string) (coldLoad, bool) {
	i := slices.IndexFunc(r.loads, func(l coldLoad) bool { return l.n == n && l.backend == backend })
	if i < 0 {
		return coldLoad{}, false
	}
	return r.loads[i], true
}

// restartTarget is issue 14's bound on a restart's first heatmap at n runs.
func restartTarget(n int) time.Duration {
	if n <= 10_000 {
		return time.Second
	}
	return 5 * time.Second
}

func (r *results) indexTable(b *strings.Builder, ir indexResult) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	old, ok := r.oldLoad(ir.n, ir.backend)
	oldRead, oldFirst, oldPy := "–", "–", "–"
	if ok {
		oldRead = fmt.Sprintf("cold load, %d searches: %s", old.parts, ms(median(old.split)))
		oldFirst = fmt.Sprintf("cold load + heatmap: %s", ms(median(old.split)+median(old.heatmap)))
		oldPy = ms(median(old.pySearch))
	}
	oldAPI, oldAPIp50 := "–", "–"
	if r.api.n == ir.n && ir.backend == "SQLite" {
		oldAPI, oldAPIp50 = ms(r.api.first), ms(percentile(r.api.seq, 50))
	}
	def := ir.loads[slices.IndexFunc(ir.loads, func(p pageLoad) bool { return p.size == tracking.DefaultSyncConfig.PageSize })]
	w("### Run index (issue 14): %d runs, MLflow on %s, index in %s\n\n", ir.n, ir.backend, ir.store)
	w("| measure | without the index (same run) | with the index | target |\n|---|---:|---:|---|\n")
	w("| first load into the index, pages of %d, median of %d | %s; Python `search_runs`: %s | %s, %.0f runs/s; %d loading answers (%s) | opens, with progress shown: %s |\n",
		def.size, len(def.times), oldRead, oldPy, ms(median(def.times)), float64(ir.n)/median(def.times).Seconds(), len(def.progress), progressText(def.progress), verdict(len(def.progress) > 0))
	lim := restartTarget(ir.n)
	w("| restart, then first heatmap in process (new reader and syncer: `Runs` → explore's heatmap → JSON), median of %d | %s | %s (%d runs) | ≤ %s: %s |\n",
		len(ir.restart), oldFirst, ms(median(ir.restart)), ir.restartRun, ms(lim), verdict(median(ir.restart) <= lim))
	w("| restart, then first heatmap API request (new reader, syncer and web server), median of %d | first request, cache empty: %s | %s | ≤ %s: %s |\n",
		len(ir.restartAPI), oldAPI, ms(median(ir.restartAPI)), ms(lim), verdict(median(ir.restartAPI) <= lim))
	created, finished := visibilityTimes(ir.visible)
	vlim := ir.ttl + 2*time.Second
	w("| a run logged by MLflow's Python client shows in `Runs` (TTL %s, asked every 100 ms), from `create_run`: max (median) of %d | TTL + a full read: about %s | %s (%s) | ≤ TTL + 2 s = %s: %s |\n",
		ms(ir.ttl), len(created), ms(ir.ttl+median(old.split)), ms(slices.Max(created)), ms(median(created)), ms(vlim), verdict(slices.Max(created) <= vlim))
	w("| the same run shows as FINISHED, from `set_terminated`: max (median) | | %s (%s) | ≤ %s: %s |\n",
		ms(slices.Max(finished)), ms(median(finished)), ms(vlim), verdict(slices.Max(finished) <= vlim))
	for _, s := range ir.steady {
		w("| runs MLflow returns to a sync, %d new runs before it (none unfinished) | %d (every run, each refresh) | %d in %d requests, %s; the index has %d runs started within %s of the newest, which every sync reads again | ≤ new + unfinished = %d: %s |\n",
			s.added, ir.n, s.returned, s.requests, ms(s.d), s.margin, tracking.DefaultSyncConfig.Margin, s.added, verdict(s.returned <= int64(s.added)))
	}
	w("| warm heatmap in process (`Runs` → explore's heatmap, built once per snapshot → JSON), p50 of %d | | %s (p99 %s) | < 5 ms (at 100,000): %s at %d |\n",
		len(ir.warm), ms(median(ir.warm)), ms(percentile(ir.warm, 99)), verdict(median(ir.warm) < 5*time.Millisecond), ir.n)
	w("| warm heatmap API request, p50 of %d | %s | %s | |\n", len(ir.warmAPI), oldAPIp50, ms(median(ir.warmAPI)))
	w("| heatmap answer (JSON), %d cells | %.1f kB listing every run id | %.1f kB | < 50 kB: %s |\n",
		ir.cells, float64(ir.answerAll)/1e3, float64(ir.answer)/1e3, verdict(ir.answer < 50_000))
	w("| a restarted process (a new replica name) syncs at once | | %s | |\n\n", map[bool]string{true: "no: its predecessor's lease holds the sync for up to 2 min", false: "yes"}[ir.leaseHeld])
}

// progressText shows the first and last runs_read of the loading answers.
func progressText(p []int) string {
	if len(p) == 0 {
		return "none"
	}
	return fmt.Sprintf("runs_read %d … %d", p[0], p[len(p)-1])
}

func visibilityTimes(vs []visibility) (created, finished []time.Duration) {
	for _, v := range vs {
		created, finished = append(created, v.created), append(finished, v.finished)
	}
	if len(vs) == 0 {
		return []time.Duration{0}, []time.Duration{0}
	}
	return created, finished
}

func pageTable(b *strings.Builder, ir indexResult) {
	fmt.Fprintf(b, "First load of %d runs into the index by page size (`--sync-page-size`; a page is one runs/search request, built by one MLflow worker):\n\n", ir.n)
	b.WriteString("| page size | first load, median | runs/s | runs/search requests | longest request | loading answers seen |\n|---:|---:|---:|---:|---:|---:|\n")
	for _, p := range ir.loads {
		fmt.Fprintf(b, "| %d | %s | %.0f | %d | %s | %d |\n", p.size, ms(median(p.times)), float64(ir.n)/median(p.times).Seconds(), p.requests, ms(p.longest), len(p.progress))
	}
	b.WriteString("\n")
}

func (r *results) indexMemTable(b *strings.Builder, m indexMemResult) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	oldRSS, oldLoad, oldHeat := "–", "–", "–"
	if r.mem.Runs == m.Runs {
		oldRSS, oldLoad = fmt.Sprintf("%.0f MB", r.mem.RSSAfterMB), fmt.Sprintf("%.2f s", r.mem.LoadSeconds)
		oldHeat = ms(seconds(r.mem.CheckMedianS + r.mem.BuildMedianS))
	}
	maxRSS := slices.Max(append([]float64{m.RSSLoadedMB, m.RSSRestartedMB}, m.RSSRefreshedMB...))
	w("### Memory with the run index, %d runs\n\n", m.Runs)
	w("In a child process, as the memory above: synthetic runs from an in-process fake of runs/search (it answers the syncer's filters), into a SQLite index, through an index-backed reader (TTL %s); then %d refreshes, each after %d new runs; then a restart over the same index.\n\n", memTTL, len(m.RSSRefreshedMB), m.AddedPerRefresh)
	w("| measure | without the index | with the index | target |\n|---|---:|---:|---|\n")
	w("| RSS after GC, holding the experiment | %s | %.0f MB (Go heap in use %.0f MB) | ≤ 150 MB: %s |\n", oldRSS, m.RSSLoadedMB, m.HeapLoadedMB, verdict(m.RSSLoadedMB <= 150))
	w("| RSS after GC after each refresh | | %s MB | ≤ 150 MB: %s |\n", joinFloats(m.RSSRefreshedMB), verdict(maxRSS <= 150))
	w("| RSS after GC after a restart (new reader and syncer, same index) | | %.0f MB | ≤ 150 MB: %s |\n", m.RSSRestartedMB, verdict(m.RSSRestartedMB <= 150))
	w("| RSS of the process before loading | %.0f MB | %.0f MB | |\n", r.mem.RSSBeforeMB, m.RSSBeforeMB)
	w("| runs the fake returned to each refresh (%d new each; the runs are a minute apart, so %d more start within the margin of the newest) | %d (every run) | %s | ≤ new + unfinished = %d: %s |\n",
		m.AddedPerRefresh, int(tracking.DefaultSyncConfig.Margin/time.Minute)+1, m.Runs, joinInts(m.Returned), m.AddedPerRefresh, verdict(slices.Max(append([]int64{0}, m.Returned...)) <= int64(m.AddedPerRefresh)))
	w("| first load (from the fake) | %s | %.2f s, %d loading answers | |\n", oldLoad, m.LoadSeconds, m.LoadingAnswers)
	w("| restart, then first heatmap in process (`Runs` → … → JSON) | | %s | ≤ %s: %s |\n", ms(seconds(m.RestartSeconds)), ms(restartTarget(m.Runs)), verdict(seconds(m.RestartSeconds) <= restartTarget(m.Runs)))
	w("| warm heatmap in process, p50 of 21 | %s (`Check` + `BuildHeatmap`) | %s | < 5 ms: %s |\n", oldHeat, ms(seconds(m.WarmP50Seconds)), verdict(m.WarmP50Seconds < 0.005))
	w("| heatmap answer (JSON) | | %.1f kB | < 50 kB: %s |\n", float64(m.AnswerBytes)/1e3, verdict(m.AnswerBytes < 50_000))
	w("| the index on disk (SQLite, with its WAL) | | %.0f MB | |\n\n", m.StoreMB)
}

func joinFloats(fs []float64) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = fmt.Sprintf("%.0f", f)
	}
	return strings.Join(s, ", ")
}

func joinInts(ns []int64) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
