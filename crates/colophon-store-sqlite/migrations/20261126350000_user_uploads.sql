-- Books users upload (cloudloading): private volumes, each owned by one user. They are not
-- catalog volumes (not in `volumes`, not in the search index), so the public catalog cannot
-- show them. The file and the text processing found are kept apart from the listing row.
CREATE TABLE user_uploads (
    volume_id        TEXT NOT NULL COLLATE BINARY PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    media_type       TEXT NOT NULL,
    size             INTEGER NOT NULL,
    title            TEXT NOT NULL,
    author           TEXT NOT NULL,
    -- The owner set the title / the author (updateBook): processing no longer replaces it.
    owner_title      INTEGER NOT NULL DEFAULT 0,
    owner_author     INTEGER NOT NULL DEFAULT 0,
    processing_state TEXT NOT NULL,
    failure          TEXT,
    record           TEXT,
    created          TEXT NOT NULL,
    updated          TEXT NOT NULL
);
CREATE INDEX user_uploads_by_user ON user_uploads (user_id, created);
CREATE INDEX user_uploads_running ON user_uploads (processing_state, created);

CREATE TABLE user_upload_files (
    volume_id TEXT NOT NULL COLLATE BINARY PRIMARY KEY
        REFERENCES user_uploads (volume_id) ON DELETE CASCADE,
    full_text TEXT,
    bytes     BLOB NOT NULL
);
