package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// storeOptions are the flags of every command that uses mlexp's database and MLflow.
func storeOptions(getenv func(string) string) []option {
	return []option{
		{name: "mlflow-tracking-uri", arg: "URL", env: "MLFLOW_TRACKING_URI",
			usage: "URL of the MLflow tracking server, e.g. http://127.0.0.1:5000 (required)"},
		{name: "data-dir", arg: "DIR", env: "MLEXP_DATA_DIR", def: defaultDataDir(getenv),
			usage: "directory for mlexp's own data, such as its database; created when first needed"},
		{name: "db", arg: "PATH", env: "MLEXP_DB",
			usage: "the database: a SQLite file path or a postgres:// URL (default: mlexp.db in the data directory)"},
		{name: "outbox-workers", arg: "N", env: "MLEXP_OUTBOX_WORKERS", def: "4",
			usage: "how many results are delivered to MLflow at once"},
		{name: "outbox-lease", arg: "DURATION", env: "MLEXP_OUTBOX_LEASE", def: "30s",
			usage: "how long a delivery holds its result; after a crash, others take it over once this passes"},
		{name: "cache-ttl", arg: "DURATION", env: "MLEXP_CACHE_TTL", def: "30s",
			usage: "how long runs read from MLflow are served before a refresh (older ones are served while refreshing)"},
		{name: "mlflow-read-parts", arg: "N", env: "MLEXP_MLFLOW_READ_PARTS", def: strconv.Itoa(defaultReadParts),
			usage: "how many searches at once load the runs of an experiment, split by start time, when it is read without the run index"},
		{name: "sync-page-size", arg: "N", env: "MLEXP_SYNC_PAGE_SIZE", def: strconv.Itoa(tracking.DefaultSyncConfig.PageSize),
			usage: "runs per MLflow search page when the run index loads and syncs an experiment (100 to 50000)"},
		{name: "sync-page-timeout", arg: "DURATION", env: "MLEXP_SYNC_PAGE_TIMEOUT", def: tracking.DefaultSyncConfig.PageTimeout.String(),
			usage: "how long one search page may take; a slower one is asked again from where the load stopped"},
		{name: "sync-deletions-every", arg: "DURATION", env: "MLEXP_SYNC_DELETIONS_EVERY", def: tracking.DefaultSyncConfig.DeletionsEvery.String(),
			usage: "how often a sync looks for runs deleted or restored in MLflow"},
		{name: "reconcile-every", arg: "DURATION", env: "MLEXP_RECONCILE_EVERY", def: tracking.DefaultSyncConfig.ReconcileEvery.String(),
			usage: "how often the run index reads every run of an experiment again, for edits made elsewhere to finished runs; 0 never"},
		{name: "registry-alias", arg: "ALIAS", env: "MLEXP_REGISTRY_ALIAS", def: tracking.DefaultAlias,
			usage: "the Model Registry alias a promotion moves to the promoted run's version: deployers load models:/NAME@ALIAS"},
		{name: "registered-models", arg: "MODEL=NAME,…", env: "MLEXP_REGISTERED_MODELS",
			usage: "the registered model of each mlexp model, e.g. model-7=Retail Recs (default: the model's name)"},
	}
}

// defaultReadParts is how many concurrent searches load an experiment unless configured:
// twice as fast as one against an MLflow server with two workers or more (docs/benchmarks.md).
const defaultReadParts = 2

// storeConfig is the resolved configuration of the database and MLflow.
type storeConfig struct {
	trackingURI setting
	dataDir     string
	db          string
	workers     int
	lease       time.Duration
	cacheTTL    time.Duration
	readParts   int
	sync        tracking.SyncConfig
	registry    tracking.RegistryConfig
}

func parseStoreConfig(s map[string]setting) (storeConfig, error) {
	cfg := storeConfig{trackingURI: s["mlflow-tracking-uri"], dataDir: s["data-dir"].value, db: s["db"].value}
	if cfg.dataDir == "" {
		return cfg, s["data-dir"].errorf("must not be empty")
	}
	if cfg.db == "" {
		cfg.db = filepath.Join(cfg.dataDir, "mlexp.db")
	}
	w := s["outbox-workers"]
	n, err := strconv.Atoi(w.value)
	if err != nil || n < 1 || n > 64 {
		return cfg, w.errorf("not a number of workers from 1 to 64")
	}
	cfg.workers = n
	l := s["outbox-lease"]
	if cfg.lease, err = time.ParseDuration(l.value); err != nil || cfg.lease < time.Second {
		return cfg, l.errorf("not a duration of at least 1s, such as 30s")
	}
	ttl := s["cache-ttl"]
	if cfg.cacheTTL, err = time.ParseDuration(ttl.value); err != nil || cfg.cacheTTL <= 0 {
		return cfg, ttl.errorf("not a positive duration such as 30s")
	}
	rp := s["mlflow-read-parts"]
	if cfg.readParts, err = strconv.Atoi(rp.value); err != nil || cfg.readParts < 1 || cfg.readParts > 32 {
		return cfg, rp.errorf("not a number of searches from 1 to 32")
	}
	if cfg.sync, err = parseSyncConfig(s); err != nil {
		return cfg, err
	}
	if cfg.registry, err = parseRegistryConfig(s); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// requireMLflow refuses a configuration without an MLflow tracking server, for the
// commands that talk to MLflow (all but deployments and outbox).
func (c storeConfig) requireMLflow() error {
	if c.trackingURI.value == "" {
		return fmt.Errorf("no MLflow tracking server: set --mlflow-tracking-uri or MLFLOW_TRACKING_URI, e.g. http://127.0.0.1:5000")
	}
	return nil
}

// parseSyncConfig reads the run index's flags.
func parseSyncConfig(s map[string]setting) (tracking.SyncConfig, error) {
	var c tracking.SyncConfig
	ps := s["sync-page-size"]
	n, err := strconv.Atoi(ps.value)
	if err != nil || n < 100 || n > 50000 {
		return c, ps.errorf("not a page size from 100 to 50000")
	}
	c.PageSize = n
	for _, d := range []struct {
		name string
		dst  *time.Duration
		zero bool
	}{{"sync-page-timeout", &c.PageTimeout, false}, {"sync-deletions-every", &c.DeletionsEvery, false}, {"reconcile-every", &c.ReconcileEvery, true}} {
		v := s[d.name]
		if *d.dst, err = time.ParseDuration(v.value); err != nil || *d.dst < 0 || (*d.dst == 0 && !d.zero) {
			return c, v.errorf("not a positive duration such as 1m")
		}
	}
	return c, nil
}

// parseRegistryConfig reads which Model Registry alias promotions move.
func parseRegistryConfig(s map[string]setting) (tracking.RegistryConfig, error) {
	c := tracking.RegistryConfig{Alias: strings.TrimSpace(s["registry-alias"].value), Names: map[string]string{}}
	if c.Alias == "" || strings.ContainsAny(c.Alias, "/:@") {
		return c, s["registry-alias"].errorf("not an alias name such as champion")
	}
	rm := s["registered-models"]
	for pair := range strings.SplitSeq(rm.value, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		model, name, ok := strings.Cut(pair, "=")
		model, name = strings.TrimSpace(model), strings.TrimSpace(name)
		if !ok || model == "" || name == "" || strings.ContainsAny(name, "/:") {
			return c, rm.errorf("%q is not MODEL=NAME (a registered model name without / or :)", pair)
		}
		c.Names[model] = name
	}
	return c, nil
}

// backend is what commands use of the outside world: MLflow, the store, and the logging,
// delivery and ingest built on them.
type backend struct {
	client   *mlflow.Client
	store    *sqlstore.DB
	logger   *tracking.Logger
	delivery *tracking.Delivery
	ingest   *tracking.Ingest
	reader   *tracking.Reader
	syncer   *tracking.Syncer
	promoter *tracking.Promoter

	stop func() // stops the delivery started by startDelivery and waits for it
}

// openBackend connects to MLflow (lazily: nothing is asked yet) and opens the store. observe,
// when not nil, sees every attempt of the MLflow client (for metrics); so does the reader's
// Health.
func openBackend(ctx context.Context, cfg storeConfig, getenv func(string) string, log *slog.Logger, ingestWait time.Duration, observe func(mlflow.Call)) (*backend, error) {
	if err := cfg.requireMLflow(); err != nil {
		return nil, err
	}
	withURI := func(key string) string {
		if key == "MLFLOW_TRACKING_URI" {
			return cfg.trackingURI.value
		}
		return getenv(key)
	}
	health := tracking.NewHealth(time.Now)
	client, err := mlflow.NewClientFromEnv(withURI, mlflow.WithObserver(func(c mlflow.Call) {
		health.Observe(c)
		if observe != nil {
			observe(c)
		}
	}))
	if err != nil {
		return nil, fmt.Errorf("MLflow settings (%s): %w", cfg.trackingURI.source, err)
	}
	store, err := sqlstore.Open(ctx, cfg.db)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", cfg.db, err)
	}
	b := &backend{client: client, store: store, stop: func() {}}
	b.logger = tracking.NewLogger(client, chart.TrainingCurves)
	b.syncer = tracking.NewSyncer(client, store, cfg.sync, replicaName(), time.Now, log)
	b.reader = tracking.NewReader(client, cfg.cacheTTL, time.Now, log, tracking.ReadInParts(cfg.readParts), tracking.WatchHealth(health),
		tracking.WithIndex(b.syncer))
	b.logger.OnChange(func(string) { b.reader.ModelsChanged() })
	b.logger.OnRunsChange(b.reader.InvalidateRuns) // what mlexp logs shows at once
	b.promoter = tracking.NewPromoter(client, store, time.Now)
	b.promoter.SetRegistry(cfg.registry)
	b.promoter.OnRunsChange(b.reader.InvalidateRuns) // a promotion shows at once
	b.delivery = tracking.NewDelivery(store, b.logger, log, tracking.DeliveryConfig{Workers: cfg.workers, Lease: cfg.lease})
	b.ingest = tracking.NewIngest(store, b.delivery, ingestWait)
	return b, nil
}

// openStoreOnly opens mlexp's database alone, for a command that reads only it when no
// MLflow server is configured: the backend has no MLflow client, promoter or reader.
func openStoreOnly(ctx context.Context, cfg storeConfig) (*backend, error) {
	store, err := sqlstore.Open(ctx, cfg.db)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", cfg.db, err)
	}
	return &backend{store: store, stop: func() {}}, nil
}

// startDelivery delivers the outbox in the background until close.
func (b *backend) startDelivery(ctx context.Context) {
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); b.delivery.Run(dctx) }()
	b.stop = func() { cancel(); wg.Wait() }
}

// close stops the delivery (letting deliveries in flight finish), gives up the run index's
// sync leases, and closes the store.
func (b *backend) close() error {
	b.stop()
	if b.syncer != nil { // nil in a backend of the database alone (openStoreOnly)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = b.syncer.Release(ctx) // at worst the next replica waits a lease's length
	}
	return b.store.Close()
}

// replicaName names this process among the replicas that share a run index: host, process
// id and a random part, so that a restarted process never takes itself for its predecessor.
func replicaName() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%x", host, os.Getpid(), b)
}
