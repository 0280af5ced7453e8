-- Users and their access keys: who may call the API, with which role.
-- The secret is kept as issued, not hashed: SigV4 needs the secret itself to recompute a
-- request's signature. A user's keys go with it (ON DELETE CASCADE).
-- Names and ids are COLLATE "C", as in 0001: the same order as SQLite.

CREATE TABLE users (
    name       TEXT COLLATE "C" PRIMARY KEY,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'approver', 'viewer')),
    created_at BIGINT NOT NULL
);

CREATE TABLE access_keys (
    id         TEXT COLLATE "C" PRIMARY KEY,
    user_name  TEXT COLLATE "C" NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    disabled   BOOLEAN NOT NULL DEFAULT FALSE
);
-- A user's keys in listing order; also what the cascade looks keys up by.
CREATE INDEX access_keys_user ON access_keys (user_name, created_at, id);
