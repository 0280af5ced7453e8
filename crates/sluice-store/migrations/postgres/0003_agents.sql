-- Remote agents. An admin issues a registration token per agent (or group of agents); an agent
-- trades it for a session when it registers, with its labels. Only SHA-256 hashes of tokens and
-- sessions are kept: unlike SigV4 secrets, nothing needs them back, so a leaked database
-- leaks no working credential. An agent's sessions go with its token (ON DELETE CASCADE).

CREATE TABLE agent_tokens (
    name       TEXT COLLATE "C" PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE agents (
    id            TEXT COLLATE "C" PRIMARY KEY,
    token_name    TEXT COLLATE "C" NOT NULL REFERENCES agent_tokens (name) ON DELETE CASCADE,
    -- A JSON array of strings: what jobs the agent may claim (all of a job's labels).
    labels        TEXT NOT NULL,
    session_hash  TEXT NOT NULL UNIQUE,
    registered_at BIGINT NOT NULL
);
CREATE INDEX agents_token ON agents (token_name);
