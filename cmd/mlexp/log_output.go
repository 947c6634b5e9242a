package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// awaitItems polls the items until none is pending or wait is over, reporting progress.
func awaitItems(ctx context.Context, b *backend, items []*mlexp.OutboxItem, wait time.Duration, progress func(done, total int)) []*mlexp.OutboxItem {
	deadline := time.Now().Add(wait)
	for {
		done := 0
		for i, it := range items {
			if it.Status == mlexp.OutboxPending {
				if fresh, err := b.ingest.Status(ctx, it.ID); err == nil {
					items[i] = fresh
				}
			}
			if items[i].Status != mlexp.OutboxPending {
				done++
			}
		}
		progress(done, len(items))
		if done == len(items) || time.Now().After(deadline) || ctx.Err() != nil {
			return items
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// progressBar draws a bar on w when it is a terminal, and nothing otherwise.
func progressBar(w io.Writer) func(done, total int) {
	if !isTerminal(w) {
		return func(int, int) {}
	}
	return func(done, total int) {
		const width = 30
		filled := width * done / max(total, 1)
		fmt.Fprintf(w, "\r[%s%s] %d/%d delivered", strings.Repeat("█", filled), strings.Repeat("·", width-filled), done, total)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}

// reportItems prints what became of each item and fails when not all reached MLflow.
func reportItems(w io.Writer, items []*mlexp.OutboxItem, asJSON bool, db string) error {
	counts := map[string]int{}
	for _, it := range items {
		counts[it.Status]++
	}
	if asJSON {
		enc := json.NewEncoder(w)
		for _, it := range items {
			if err := enc.Encode(it); err != nil {
				return err
			}
		}
	} else {
		for _, it := range items {
			switch it.Status {
			case mlexp.OutboxDelivered:
				fmt.Fprintf(w, "%s  run %s\n", it.IdempotencyKey, it.RunID)
			case mlexp.OutboxFailed:
				fmt.Fprintf(w, "%s  REFUSED by MLflow: %s\n", it.IdempotencyKey, it.LastError)
			default:
				fmt.Fprintf(w, "%s  queued (id %s): %s\n", it.IdempotencyKey, it.ID, it.LastError)
			}
		}
	}
	var problems []string
	if n := counts[mlexp.OutboxFailed]; n > 0 {
		problems = append(problems, fmt.Sprintf("%d refused by MLflow (kept in %s)", n, db))
	}
	if n := counts[mlexp.OutboxPending]; n > 0 {
		problems = append(problems, fmt.Sprintf("%d still queued in %s: 'mlexp serve' or the next 'mlexp log' delivers them once MLflow answers", n, db))
	}
	if len(problems) > 0 {
		return fmt.Errorf("log: %d of %d delivered; %s", counts[mlexp.OutboxDelivered], len(items), strings.Join(problems, "; "))
	}
	return nil
}

// levelFor is the log level of a command's diagnostics: MLEXP_LOG_LEVEL, default warn.
func levelFor(getenv func(string) string) slog.Level {
	lvl := slog.LevelWarn
	_ = lvl.UnmarshalText([]byte(getenv("MLEXP_LOG_LEVEL")))
	return lvl
}
