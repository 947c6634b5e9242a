package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/terminal"
)

// The outbox commands look into the ingest outbox of the store serve uses (the same --db,
// or mlexp.db in the same --data-dir) and put failed items back in the queue.

// outboxOptions are the flags of `outbox list` (withList) and `outbox retry`.
func outboxOptions(getenv func(string) string, withList bool) []option {
	var opts []option
	if withList {
		opts = append(opts,
			option{name: "status", arg: "failed|pending|delivered|all", def: sqlstore.OutboxStatusAll, usage: "which items to list (list only)"},
			option{name: "limit", arg: "N", def: "100", usage: "how many items to list, newest first, 1 to 10000 (list only)"})
	}
	return append(opts,
		option{name: "json", arg: "", def: "false", usage: "print the items as JSON"},
		widthOption(),
		option{name: "data-dir", arg: "DIR", env: "MLEXP_DATA_DIR", def: defaultDataDir(getenv),
			usage: "directory for mlexp's own data, such as its database (as for serve)"},
		option{name: "db", arg: "PATH|URL", env: "MLEXP_DB",
			usage: "the database: a SQLite file path or a postgres:// URL (default: mlexp.db in the data directory; as for serve)"})
}

func outboxHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp outbox list [--status failed|pending|delivered|all] [flags]
       mlexp outbox retry ID [ID...] [flags]

Every reported result is committed to mlexp's outbox before it is delivered to MLflow by
'mlexp serve'. An item MLflow refused for good is kept as failed, with MLflow's answer as
its last error.

  mlexp outbox list      lists the items, newest first: id, kind, status, attempts, when
                         it last changed, its idempotency key and last error.
  mlexp outbox retry ID  puts a failed item back in the queue, due now: a running serve on
                         the same database delivers it within a second or so (at the latest
                         when it next starts). Its attempts count from zero again, so the
                         retries back off from a second; its last error stays until the
                         next attempt. Fix the cause first (an MLflow setting, a permission,
                         a conflicting run), or it fails again.

`)
	writeOptions(w, outboxOptions(e.getenv, true))
}

// outbox runs `mlexp outbox list|retry`.
func outbox(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return errors.New("outbox: give a command, list or retry; see `mlexp help outbox`")
	}
	switch args[0] {
	case "-h", "-help", "--help":
		printHelp(e.stdout, outboxHelp, e)
		return nil
	case "list":
		return outboxList(ctx, args[1:], e)
	case "retry":
		return outboxRetry(ctx, args[1:], e)
	}
	return fmt.Errorf("outbox: unknown outbox command %q: use list or retry; see `mlexp help outbox`", args[0])
}

// openOutbox parses the flags of `outbox name` and opens the store. It returns flag.ErrHelp
// after writing help.
func openOutbox(ctx context.Context, name string, args []string, opts []option, e env) (map[string]setting, []string, *sqlstore.DB, error) {
	flags, positional := splitQueryArgs(args, opts)
	s, rest, err := parseOptions("outbox "+name, flags, opts, outboxHelp, e)
	if err != nil {
		return nil, nil, nil, err
	}
	db := s["db"].value
	if db == "" {
		if s["data-dir"].value == "" {
			return nil, nil, nil, s["data-dir"].errorf("must not be empty")
		}
		db = filepath.Join(s["data-dir"].value, "mlexp.db")
	}
	store, err := sqlstore.Open(ctx, db)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("outbox %s: database %s: %w", name, db, err)
	}
	return s, append(positional, rest...), store, nil
}

// outboxList runs `mlexp outbox list`.
func outboxList(ctx context.Context, args []string, e env) error {
	opts := outboxOptions(e.getenv, true)
	s, positional, store, err := openOutbox(ctx, "list", args, opts, e)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	defer store.Close()
	if len(positional) > 0 {
		return fmt.Errorf("outbox list: unexpected argument %q", positional[0])
	}
	status := s["status"]
	switch status.value {
	case sqlstore.OutboxStatusAll, mlexp.OutboxPending, mlexp.OutboxDelivered, mlexp.OutboxFailed:
	default:
		return status.errorf("not a status: use failed, pending, delivered or all")
	}
	limit, err := strconv.Atoi(s["limit"].value)
	if err != nil || limit < 1 || limit > 10000 {
		return s["limit"].errorf("not a number of items from 1 to 10000")
	}
	items, err := store.OutboxItems(ctx, status.value, limit)
	if err != nil {
		return fmt.Errorf("outbox list: %w", err)
	}
	counts, err := store.OutboxCounts(ctx)
	if err != nil {
		return fmt.Errorf("outbox list: %w", err)
	}
	if items == nil {
		items = []mlexp.OutboxItem{}
	}
	if s["json"].value == "true" {
		return printIndented(e.stdout, map[string]any{"items": items, "counts": counts})
	}
	var o terminal.Options
	if err := parseWidth(s["width"], &o); err != nil {
		return err
	}
	return printOutboxItems(e.stdout, items, counts, status.value, o)
}

// printOutboxItems writes items as a table that fits the width of o, each item's key and its
// last error or MLflow run on lines of their own under it. Ids and keys are never cut.
func printOutboxItems(w io.Writer, items []mlexp.OutboxItem, counts map[string]int, status string, o terminal.Options) error {
	what := "items"
	if status != sqlstore.OutboxStatusAll {
		what = status + " items"
	}
	if len(items) == 0 {
		_, err := fmt.Fprintf(w, "no %s (pending %d, delivered %d, failed %d)\n", what,
			counts[mlexp.OutboxPending], counts[mlexp.OutboxDelivered], counts[mlexp.OutboxFailed])
		return err
	}
	wID, wKind, wStatus := len("ID"), len("KIND"), len("STATUS")
	for _, it := range items {
		wID, wKind, wStatus = max(wID, len(it.ID)), max(wKind, len(it.Kind)), max(wStatus, len(it.Status))
	}
	row := fmt.Sprintf("%%-%ds  %%-%ds  %%-%ds  %%5s  %%s", wID, wKind, wStatus)
	fmt.Fprintln(w, terminal.Truncate(o, fmt.Sprintf(row, "ID", "KIND", "STATUS", "TRIES", "UPDATED")))
	for _, it := range items {
		fmt.Fprintln(w, terminal.Truncate(o, fmt.Sprintf(row, it.ID, it.Kind, it.Status, strconv.Itoa(it.Attempts), it.UpdatedAt.UTC().Format(time.RFC3339))))
		fmt.Fprintln(w, "  key: "+it.IdempotencyKey) // whole, however wide: it names the result
		switch {
		case it.LastError != "":
			terminal.Paragraph(w, o, "  last error: ", oneLine(it.LastError, 300))
		case it.RunID != "":
			fmt.Fprintf(w, "  MLflow run: %s\n", it.RunID)
		}
	}
	fmt.Fprintln(w)
	terminal.Paragraph(w, o, "", fmt.Sprintf("%d %s shown (pending %d, delivered %d, failed %d), newest first", len(items), what,
		counts[mlexp.OutboxPending], counts[mlexp.OutboxDelivered], counts[mlexp.OutboxFailed]))
	for _, it := range items {
		if it.Status == mlexp.OutboxFailed {
			_, err := fmt.Fprintf(w, "Once the cause is fixed, queue a failed item again:\n  mlexp outbox retry %s\n", it.ID)
			return err
		}
	}
	return nil
}

// outboxRetry runs `mlexp outbox retry ID...`.
func outboxRetry(ctx context.Context, args []string, e env) error {
	s, ids, store, err := openOutbox(ctx, "retry", args, outboxOptions(e.getenv, false), e)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	defer store.Close()
	if len(ids) == 0 {
		return errors.New("outbox retry: give the ID of a failed item (see `mlexp outbox list --status failed`)")
	}
	asJSON := s["json"].value == "true"
	requeued := []*mlexp.OutboxItem{}
	for _, id := range ids {
		it, rerr := store.Requeue(ctx, id, time.Now())
		if rerr != nil {
			err = fmt.Errorf("outbox retry: %s", promotionMessage(rerr))
			break
		}
		requeued = append(requeued, it)
		if !asJSON {
			fmt.Fprintf(e.stdout, "item %s (%s) is pending again, due now; serve delivers it (last error: %s)\n",
				it.ID, it.IdempotencyKey, oneLine(it.LastError, 200))
		}
	}
	if asJSON {
		if perr := printIndented(e.stdout, map[string]any{"items": requeued}); perr != nil {
			return errors.Join(err, perr)
		}
	}
	return err
}

// oneLine is s on one line, at most n characters long.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
