-- Resources other services own (CodeBuild projects, builds, report groups, reports; secrets):
-- each is read and written whole as one JSON document, never joined, so one table serves them
-- all. `kind` says what a row is; `parent` groups rows for listing (a build's project, a
-- report's group); `sort_at` orders listings (keyset pages on (sort_at, key)); `counter` is a
-- per-row sequence (a project's build numbers). Keys are COLLATE "C", as in 0001.

CREATE TABLE resources (
    kind       TEXT COLLATE "C" NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    parent     TEXT COLLATE "C",
    sort_at    BIGINT NOT NULL,
    counter    BIGINT NOT NULL DEFAULT 0,
    body       JSON NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX resources_listing ON resources (kind, sort_at, key);
CREATE INDEX resources_by_parent ON resources (kind, parent, sort_at, key);
