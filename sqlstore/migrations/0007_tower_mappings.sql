-- Tower mappings: which tower each feature of a model belongs to, set once by a user, for
-- runs logged without the query_tower / candidate_tower params. Feature lists are JSON
-- arrays of names.
CREATE TABLE tower_mappings (
    model_id        TEXT PRIMARY KEY,
    query_tower     TEXT NOT NULL,
    candidate_tower TEXT NOT NULL,
    updated_at      BIGINT NOT NULL,
    updated_by      TEXT NOT NULL DEFAULT ''
);
