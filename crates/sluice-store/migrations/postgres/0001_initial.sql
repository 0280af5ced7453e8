-- sluice schema, PostgreSQL. Opaque JSON is `json` (stored verbatim: key order kept); job labels
-- are `jsonb` for the containment test (labels <@ agent labels) of claims.
-- Times are BIGINT milliseconds since the epoch, given by the caller.
-- Names and ids are COLLATE "C" (byte order, as in SQLite): listings order and page by them the
-- same way on both backends, whatever the database's locale.
-- Everything a pipeline owns references it ON DELETE CASCADE, except the outbox, whose rows are
-- effects already decided.

CREATE TABLE pipelines (
    name        TEXT COLLATE "C" PRIMARY KEY,
    version     BIGINT NOT NULL,
    declaration JSON NOT NULL,
    tags        JSON NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Every version ever stored, so an execution can load the declaration it started with.
CREATE TABLE pipeline_versions (
    pipeline    TEXT COLLATE "C" NOT NULL REFERENCES pipelines (name) ON DELETE CASCADE,
    version     BIGINT NOT NULL,
    declaration JSON NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (pipeline, version)
);

-- The engine's coordination state; revision is the optimistic concurrency check of commits.
CREATE TABLE pipeline_state (
    pipeline   TEXT COLLATE "C" PRIMARY KEY REFERENCES pipelines (name) ON DELETE CASCADE,
    revision   BIGINT NOT NULL,
    state      JSON NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE executions (
    id         TEXT COLLATE "C" PRIMARY KEY,
    pipeline   TEXT COLLATE "C" NOT NULL REFERENCES pipelines (name) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    body       JSON NOT NULL
);
CREATE INDEX executions_newest_first ON executions (pipeline, started_at DESC, id DESC);

CREATE TABLE jobs (
    id               TEXT COLLATE "C" PRIMARY KEY,
    pipeline         TEXT COLLATE "C" NOT NULL REFERENCES pipelines (name) ON DELETE CASCADE,
    execution_id     TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'leased', 'done', 'cancelled')),
    payload          JSON NOT NULL,
    labels           JSONB NOT NULL CHECK (jsonb_typeof(labels) = 'array'),
    queued_at        BIGINT NOT NULL,
    lease_owner      TEXT,
    lease_token      BIGINT NOT NULL DEFAULT 0,
    lease_expires_at BIGINT,
    result           JSON,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX jobs_queue ON jobs (queued_at, id) WHERE status = 'queued';
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE status = 'leased';
CREATE INDEX jobs_execution ON jobs (execution_id);

CREATE TABLE timers (
    id       TEXT COLLATE "C" PRIMARY KEY,
    pipeline TEXT COLLATE "C" NOT NULL REFERENCES pipelines (name) ON DELETE CASCADE,
    due_at   BIGINT NOT NULL,
    payload  JSON NOT NULL
);
CREATE INDEX timers_due ON timers (due_at);

CREATE TABLE outbox (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pipeline   TEXT COLLATE "C" NOT NULL,
    payload    JSON NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE idempotency (
    pipeline             TEXT COLLATE "C" NOT NULL REFERENCES pipelines (name) ON DELETE CASCADE,
    client_request_token TEXT NOT NULL,
    execution_id         TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    PRIMARY KEY (pipeline, client_request_token)
);
