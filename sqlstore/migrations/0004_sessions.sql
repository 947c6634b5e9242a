-- The browser sessions of token auth. session_secret holds the one secret that signs session
-- cookies: the first mlexp to need it makes it at random, and every replica on this
-- database shares it.
CREATE TABLE session_secret (
    id         INTEGER PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
-- One row per session signed in. id_hash is the SHA-256 of the session id that the cookie
-- carries, so that a copy of this table signs nobody in. Signing out deletes the row, which
-- ends the session on every replica at once; expired rows are deleted as new ones come.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_name  TEXT NOT NULL,
    token_ref  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
