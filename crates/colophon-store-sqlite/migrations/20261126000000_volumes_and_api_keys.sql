-- Volumes: one row per volume; `data` is the serde_json of the whole `VolumeRecord`, the other
-- columns are copies kept for lookups, uniqueness and people reading the database.
-- BINARY collation (memcmp) makes id comparisons case-sensitive and `ORDER BY id` byte order.
CREATE TABLE volumes (
    id         TEXT NOT NULL COLLATE BINARY PRIMARY KEY,
    source_key TEXT NOT NULL COLLATE BINARY UNIQUE,
    etag       TEXT NOT NULL,
    -- RFC 3339 UTC with microseconds, e.g. 2024-05-01T12:00:00.000000Z (sorts as text).
    updated    TEXT NOT NULL,
    data       TEXT NOT NULL
);

-- API keys: only the SHA-256 of a key is stored.
CREATE TABLE api_keys (
    id         TEXT NOT NULL COLLATE BINARY PRIMARY KEY,
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL COLLATE BINARY UNIQUE,
    key_prefix TEXT NOT NULL,
    -- Same text format as volumes.updated.
    created    TEXT NOT NULL,
    revoked    TEXT
);

CREATE INDEX api_keys_by_created ON api_keys (created, id);
