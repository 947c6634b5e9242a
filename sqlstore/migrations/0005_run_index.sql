-- The run index: every run of the experiments mlexp has opened, as last read from MLflow, so
-- that a restart serves from here and a refresh asks MLflow only for what may have changed.
-- body is the run as the syncer encodes it; version is the run_index_state version of the
-- write that stored the row, so that readers pick up what changed since they last read.
CREATE TABLE run_index (
    experiment_id TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    start_time    BIGINT NOT NULL,
    status        TEXT NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    version       BIGINT NOT NULL,
    body          TEXT NOT NULL,
    PRIMARY KEY (experiment_id, run_id)
);
CREATE INDEX run_index_by_version ON run_index (experiment_id, version);
-- How far each experiment's index is synced, and who syncs it (a lease, for replicas that
-- share one PostgreSQL).
CREATE TABLE run_index_state (
    experiment_id TEXT PRIMARY KEY,
    codec         INTEGER NOT NULL DEFAULT 0,
    complete      INTEGER NOT NULL DEFAULT 0,
    loaded        BIGINT NOT NULL DEFAULT 0,
    cursor_start  BIGINT NOT NULL DEFAULT 0,
    cursor_run    TEXT NOT NULL DEFAULT '',
    newest_start  BIGINT NOT NULL DEFAULT 0,
    synced_at     BIGINT NOT NULL DEFAULT 0,
    deletions_at  BIGINT NOT NULL DEFAULT 0,
    reconciled_at BIGINT NOT NULL DEFAULT 0,
    version       BIGINT NOT NULL DEFAULT 0,
    lease_owner   TEXT NOT NULL DEFAULT '',
    lease_until   BIGINT NOT NULL DEFAULT 0
);
-- Runs mlexp changed (logged, promoted) that the next sync of their experiment reads again,
-- whichever process or replica syncs it.
CREATE TABLE run_index_recheck (
    experiment_id TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    PRIMARY KEY (experiment_id, run_id)
);
