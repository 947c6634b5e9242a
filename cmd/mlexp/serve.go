package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/web"
)

// Timeouts of the HTTP server. They bound what a slow or malicious client can hold; the
// write timeout is generous because a cold load of a large experiment from MLflow may take
// a while.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = time.Minute
	writeTimeout      = 5 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 1 << 20
)

// serve runs `mlexp serve` until ctx is done, then shuts down gracefully. Once it listens it
// logs "listening" with the actual address (addr) and its URL (url), so that a caller that
// asked for port 0 learns the port.
func serve(ctx context.Context, args []string, e env) error {
	cfg, err := parseServeConfig(args, e)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := newLogger(e.stdout, cfg.logFormat, cfg.logLevel)
	metrics := web.NewMetrics()
	observe := func(c mlflow.Call) { metrics.ObserveMLflowCall(c.Endpoint, c.Status, c.Duration, c.Err) }
	b, err := openBackend(ctx, cfg.store, e.getenv, logger, cfg.ingestWait, observe)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	b.syncer.Corrected = metrics.ObserveReconciled
	b.syncer.Served, b.syncer.DatabaseFailed = metrics.ObserveIndexRead, metrics.ObserveDatabaseFallback
	dbNote, closeDB := useMLflowDB(ctx, cfg.mlflowDB, b.syncer, logger)
	defer closeDB()
	var notes map[string]string
	if dbNote != "" {
		notes = map[string]string{mlflowDBNote: dbNote}
	}
	lineage, closeLineage := openLineage(ctx, cfg.mlmdDB, logger)
	defer closeLineage()
	b.startDelivery(ctx)
	defer b.close() // after the HTTP server has stopped: deliveries in flight finish
	// Listening first: the hosts served depend on the port, which may have been 0.
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("serve: cannot listen on %s: %w", cfg.addr, err)
	}
	handler := web.NewServer(web.Deps{
		Logger: logger,
		Checks: []web.Check{
			{Name: "mlflow", Check: b.client.Ping},
			{Name: "database", Check: b.store.Ping},
		},
		Metrics:       metrics,
		Now:           time.Now,
		Ingest:        b.ingest,
		Promoter:      b.promoter,
		Best:          b.promoter,
		Attacher:      b.logger,
		Runs:          b.reader,
		MLflowUIURL:   cfg.mlflowUI,
		Artifacts:     b.reader,
		Lineage:       lineage,
		LineageRefs:   b.reader,
		TrainingURL:   cfg.trainingURL,
		Comparisons:   b.store,
		Towers:        b.store,
		Auth:          cfg.auth,
		Sessions:      b.store,
		SessionSecret: []byte(cfg.sessionSecret), // empty: the database's
		AllowedHosts:  hostsToServe(cfg, ln.Addr()),
		ReadPath:      b.syncer.ServedBy,
		ReadyNotes:    notes,
	})

	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	addr := ln.Addr().String()
	logger.Info("listening", "addr", addr, "url", "http://"+addr,
		"mlflow", b.client.TrackingURI(), "db", cfg.store.db, "version", buildVersion())
	return serveUntilDone(ctx, srv, ln, cfg.shutdownTimeout, logger)
}

// serveUntilDone serves on ln until ctx is done, then stops accepting connections and
// gives in-flight requests up to timeout to finish. A shutdown asked for through ctx is the
// normal end and returns nil.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, timeout time.Duration, logger *slog.Logger) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err) // Serve returns only on failure until Shutdown
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", "timeout", timeout.String())
	// The shutdown's own deadline, not ctx: ctx is already done.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("serve: shutdown: requests still running after %s were cut off: %w", timeout, err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}
