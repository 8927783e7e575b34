-- The personal library (issue 6): what each user put on their fixed shelves, in an explicit
-- order, with a per-shelf row holding the entry count and the time a volume was last added
-- or removed (written in the same transaction as the entries); and reading positions.
-- Volumes are not foreign keys: a volume deleted from the catalog stays on shelves and is
-- skipped when shelves are listed.

CREATE TABLE library_shelves (
    user_id              TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shelf_id             INTEGER NOT NULL,
    volume_count         INTEGER NOT NULL,
    volumes_last_updated TEXT NOT NULL,
    PRIMARY KEY (user_id, shelf_id)
);

CREATE TABLE shelf_volumes (
    user_id   TEXT NOT NULL,
    shelf_id  INTEGER NOT NULL,
    volume_id TEXT NOT NULL COLLATE BINARY,
    position  INTEGER NOT NULL,
    added     TEXT NOT NULL,
    PRIMARY KEY (user_id, shelf_id, volume_id),
    FOREIGN KEY (user_id, shelf_id) REFERENCES library_shelves (user_id, shelf_id) ON DELETE CASCADE
);
CREATE INDEX shelf_volumes_in_order ON shelf_volumes (user_id, shelf_id, position);
CREATE INDEX shelf_volumes_by_volume ON shelf_volumes (user_id, volume_id);

CREATE TABLE reading_positions (
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    volume_id       TEXT NOT NULL COLLATE BINARY,
    position        TEXT NOT NULL,
    kind            TEXT NOT NULL,
    updated         TEXT NOT NULL,
    received        TEXT NOT NULL,
    action          TEXT,
    device_cookie   TEXT,
    content_version TEXT,
    PRIMARY KEY (user_id, volume_id)
);
