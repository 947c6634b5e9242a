-- A run's body as bytes: the syncer writes it in a binary form (tracking/index_codec.go) that
-- a TEXT column of PostgreSQL cannot hold. BYTEA on PostgreSQL; on SQLite the type name gives
-- the column NUMERIC affinity, which stores blobs as they are. Rows written before keep their
-- body in the TEXT column (data is NULL) until they are written again.
ALTER TABLE run_index ADD COLUMN data BYTEA;
