-- Saved comparisons (the spec's ExperimentComparison): run ids only; runs stay in MLflow.
CREATE TABLE comparisons (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    model_id   TEXT NOT NULL,
    run_ids    TEXT NOT NULL,
    notes      TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX comparisons_by_model ON comparisons (model_id, created_at);
