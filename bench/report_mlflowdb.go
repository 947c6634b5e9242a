package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// dbMarkdown is the table of the loads from MLflow's database (issue 15).
func (r *results) dbMarkdown() string {
	if len(r.db) == 0 {
		return ""
	}
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("#### MLflow's database (issue 15): first loads into the run index (kept in the same kind of database as MLflow's store)\n\n")
	w("Runs inserted by SQL into MLflow's store (shaped as the quick tests above: about 20 params, 8 metrics, 8 tags each); every measure side by side in one run, medians of %d, in an order rotated between rounds. A first load is `Syncer.Load` into an empty index with the defaults of `mlexp serve` (pages of 2,000 runs through REST; from the database a first page of 2,500, each page after it twice the one before up to 20,000, each read while the one before is written); the bare SQL read is one plain query per table (runs, params, tags, latest_metrics) scanning every row and keeping nothing. The ratio of the load to the bare read is taken round by round (both measured in the same round, so that the machine's drift between rounds cancels out), and the median of the rounds is the one judged.\n\n", len(r.db[0].db))
	w("| runs | MLflow's store | first load through REST | first load from the database | speed-up (target ≥ 10×) | bare SQL read | database load / bare read: median of the rounds (lowest–highest) (target ≤ 1.5×) | mlflowdb read alone (no index) | open from the database: first request → every run served (target < 10 s at 100,000) |\n")
	w("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, d := range r.db {
		db, bare := median(d.db), median(d.bare)
		rest, speed := "not measured", "—"
		if len(d.rest) > 0 {
			s := float64(median(d.rest)) / float64(db)
			rest = fmt.Sprintf("%s (%d runs/search requests)", ms(median(d.rest)), d.restRequests)
			speed = fmt.Sprintf("%.1f× %s", s, verdict(s >= 10))
		}
		ratio, lo, hi := pairedRatio(d.db, d.bare)
		w("| %d | %s | %s | %s | %s | %s | %.2f× (%.2f–%.2f) %s | %s | %s %s |\n", d.n, d.backend, rest, ms(db), speed, ms(bare), ratio, lo, hi, verdict(ratio <= 1.5),
			ms(median(d.dbRead)), ms(d.open), verdict(d.n < 100_000 || d.open.Seconds() < 10))
	}
	return b.String() + "\n" + r.restOpenMarkdown()
}

// pairedRatio is the median of a[i]/b[i], the two measured in round i (of an even number,
// the higher of the two middle ones), with the lowest and highest of them.
func pairedRatio(a, b []time.Duration) (med, lo, hi float64) {
	var rs []float64
	for i := range min(len(a), len(b)) {
		rs = append(rs, float64(a[i])/float64(b[i]))
	}
	if len(rs) == 0 {
		return 0, 0, 0
	}
	slices.Sort(rs)
	return rs[len(rs)/2], rs[0], rs[len(rs)-1]
}
