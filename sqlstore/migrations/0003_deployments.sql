-- The deployment history of each model: every promotion (and rollback), newest seq last.
-- The newest row of a model is the truth about its deployed run; MLflow's is_deployed tag
-- mirrors it.
CREATE TABLE deployments (
    id                TEXT PRIMARY KEY,
    model_id          TEXT NOT NULL,
    seq               BIGINT NOT NULL,
    action            TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    run_name          TEXT NOT NULL DEFAULT '',
    experiment_id     TEXT NOT NULL DEFAULT '',
    dataset_id        TEXT NOT NULL DEFAULT '',
    previous_run_id   TEXT NOT NULL DEFAULT '',
    previous_run_name TEXT NOT NULL DEFAULT '',
    promoted_by       TEXT NOT NULL,
    promoted_at       BIGINT NOT NULL,
    note              TEXT NOT NULL DEFAULT '',
    UNIQUE (model_id, seq)
);
-- One row per model that was ever promoted: promotions of a model lock it (SELECT … FOR
-- UPDATE on PostgreSQL), so that they run one at a time across processes.
CREATE TABLE deployment_locks (
    model_id TEXT PRIMARY KEY
);
