-- Resources other services own (CodeBuild projects, builds, report groups, reports; secrets):
-- each is read and written whole as one JSON document, never joined, so one table serves them
-- all. `kind` says what a row is; `parent` groups rows for listing (a build's project, a
-- report's group); `sort_at` orders listings (keyset pages on (sort_at, key)); `counter` is a
-- per-row sequence (a project's build numbers).

CREATE TABLE resources (
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    parent     TEXT,
    sort_at    INTEGER NOT NULL,
    counter    INTEGER NOT NULL DEFAULT 0,
    body       TEXT NOT NULL CHECK (json_valid(body)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX resources_listing ON resources (kind, sort_at, key);
CREATE INDEX resources_by_parent ON resources (kind, parent, sort_at, key);
