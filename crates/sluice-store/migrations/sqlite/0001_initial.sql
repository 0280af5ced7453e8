-- sluice schema, SQLite. JSON is stored as TEXT (key order kept, checked by json_valid).
-- Times are INTEGER milliseconds since the epoch, given by the caller.
-- Everything a pipeline owns references it ON DELETE CASCADE (PRAGMA foreign_keys = ON),
-- except the outbox, whose rows are effects already decided.

CREATE TABLE pipelines (
    name        TEXT PRIMARY KEY NOT NULL,
    version     INTEGER NOT NULL,
    declaration TEXT NOT NULL CHECK (json_valid(declaration)),
    tags        TEXT NOT NULL CHECK (json_valid(tags)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Every version ever stored, so an execution can load the declaration it started with.
CREATE TABLE pipeline_versions (
    pipeline    TEXT NOT NULL REFERENCES pipelines (name) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    declaration TEXT NOT NULL CHECK (json_valid(declaration)),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (pipeline, version)
);

-- The engine's coordination state; revision is the optimistic concurrency check of commits.
CREATE TABLE pipeline_state (
    pipeline   TEXT PRIMARY KEY NOT NULL REFERENCES pipelines (name) ON DELETE CASCADE,
    revision   INTEGER NOT NULL,
    state      TEXT NOT NULL CHECK (json_valid(state)),
    updated_at INTEGER NOT NULL
);

CREATE TABLE executions (
    id         TEXT PRIMARY KEY NOT NULL,
    pipeline   TEXT NOT NULL REFERENCES pipelines (name) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    body       TEXT NOT NULL CHECK (json_valid(body))
);
CREATE INDEX executions_newest_first ON executions (pipeline, started_at DESC, id DESC);

CREATE TABLE jobs (
    id               TEXT PRIMARY KEY NOT NULL,
    pipeline         TEXT NOT NULL REFERENCES pipelines (name) ON DELETE CASCADE,
    execution_id     TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'leased', 'done', 'cancelled')),
    payload          TEXT NOT NULL CHECK (json_valid(payload)),
    labels           TEXT NOT NULL CHECK (json_valid(labels)),
    queued_at        INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_token      INTEGER NOT NULL DEFAULT 0,
    lease_expires_at INTEGER,
    result           TEXT CHECK (result IS NULL OR json_valid(result)),
    cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1))
);
CREATE INDEX jobs_queue ON jobs (queued_at, id) WHERE status = 'queued';
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE status = 'leased';
CREATE INDEX jobs_execution ON jobs (execution_id);

CREATE TABLE timers (
    id       TEXT PRIMARY KEY NOT NULL,
    pipeline TEXT NOT NULL REFERENCES pipelines (name) ON DELETE CASCADE,
    due_at   INTEGER NOT NULL,
    payload  TEXT NOT NULL CHECK (json_valid(payload))
);
CREATE INDEX timers_due ON timers (due_at);

-- AUTOINCREMENT: a sequence number is never reused, so a late ack cannot delete a newer row.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline   TEXT NOT NULL,
    payload    TEXT NOT NULL CHECK (json_valid(payload)),
    created_at INTEGER NOT NULL
);

CREATE TABLE idempotency (
    pipeline             TEXT NOT NULL REFERENCES pipelines (name) ON DELETE CASCADE,
    client_request_token TEXT NOT NULL,
    execution_id         TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    PRIMARY KEY (pipeline, client_request_token)
);
