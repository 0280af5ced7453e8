-- Users and their access keys: who may call the API, with which role.
-- The secret is kept as issued, not hashed: SigV4 needs the secret itself to recompute a
-- request's signature. A user's keys go with it (ON DELETE CASCADE).

CREATE TABLE users (
    name       TEXT PRIMARY KEY NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'approver', 'viewer')),
    created_at INTEGER NOT NULL
);

CREATE TABLE access_keys (
    id         TEXT PRIMARY KEY NOT NULL,
    user_name  TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);
-- A user's keys in listing order; also what the cascade looks keys up by.
CREATE INDEX access_keys_user ON access_keys (user_name, created_at, id);
