-- Volumes: one row per volume; `data` is the serde_json of the whole `VolumeRecord`, stored as
-- TEXT (not JSONB, which would reorder keys and reformat numbers). The other columns are copies
-- kept for lookups, uniqueness and people reading the database.
-- COLLATE "C" compares bytes: ids are case-sensitive and `ORDER BY id` is byte order.
CREATE TABLE volumes (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    source_key TEXT COLLATE "C" NOT NULL UNIQUE,
    etag       TEXT NOT NULL,
    updated    TIMESTAMPTZ NOT NULL,
    data       TEXT NOT NULL
);

-- API keys: only the SHA-256 of a key is stored.
CREATE TABLE api_keys (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL,
    key_hash   TEXT COLLATE "C" NOT NULL UNIQUE,
    key_prefix TEXT NOT NULL,
    created    TIMESTAMPTZ NOT NULL,
    revoked    TIMESTAMPTZ
);

CREATE INDEX api_keys_by_created ON api_keys (created, id);
