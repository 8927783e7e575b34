-- Developer console: projects, the project of each API key and OAuth client, key
-- restrictions, quota counters and usage aggregates.
--
-- Migration of existing data: keys and clients created before projects existed had no owner,
-- so they all go to one project with the id `legacy` (no owner; administrators manage it;
-- the Books API enabled, so nothing that worked stops working). The project is only created
-- when there is something to put in it.

CREATE TABLE projects (
    id                TEXT NOT NULL COLLATE BINARY PRIMARY KEY,
    number            INTEGER NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    owner_id          TEXT REFERENCES users (id) ON DELETE CASCADE,
    created           TEXT NOT NULL,
    books_api_enabled INTEGER NOT NULL,
    daily_limit       INTEGER,
    user_minute_limit INTEGER
);
CREATE INDEX projects_by_owner ON projects (owner_id, created);

CREATE TABLE project_api_keys (
    key_id     TEXT NOT NULL COLLATE BINARY PRIMARY KEY REFERENCES api_keys (id),
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    -- JSON arrays of strings (text, like oauth_clients.redirect_uris).
    referrers  TEXT NOT NULL,
    ip_ranges  TEXT NOT NULL
);
CREATE INDEX project_api_keys_by_project ON project_api_keys (project_id);

CREATE TABLE project_clients (
    client_id  TEXT NOT NULL COLLATE BINARY PRIMARY KEY REFERENCES oauth_clients (id),
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE
);
CREATE INDEX project_clients_by_project ON project_clients (project_id);

-- One row per quota window: the project's day (subject '') or a user's minute.
CREATE TABLE quota_counters (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    period     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    count      INTEGER NOT NULL,
    PRIMARY KEY (project_id, period, subject)
);

CREATE TABLE usage_daily (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    key_id     TEXT NOT NULL,
    day        TEXT NOT NULL,
    method     TEXT NOT NULL,
    status     INTEGER NOT NULL,
    requests   INTEGER NOT NULL,
    PRIMARY KEY (project_id, day, key_id, method, status)
);

CREATE TABLE usage_latency (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    key_id     TEXT NOT NULL,
    day        TEXT NOT NULL,
    bucket     INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    PRIMARY KEY (project_id, day, key_id, bucket)
);

INSERT INTO projects (id, number, name, owner_id, created, books_api_enabled)
SELECT 'legacy', 100000000000, 'Legacy project', NULL,
       strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now'), 1
WHERE EXISTS (SELECT 1 FROM api_keys) OR EXISTS (SELECT 1 FROM oauth_clients);

INSERT INTO project_api_keys (key_id, project_id, referrers, ip_ranges)
SELECT id, 'legacy', '[]', '[]' FROM api_keys;

INSERT INTO project_clients (client_id, project_id)
SELECT id, 'legacy' FROM oauth_clients;
