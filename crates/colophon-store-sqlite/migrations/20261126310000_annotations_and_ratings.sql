-- Users' annotations (notes, highlights, bookmarks) and recommendation ratings (issue #6).
-- Annotation ids are unique per user. Deleted annotations stay as tombstones (deleted = 1) so
-- that syncing clients learn of deletions. `body` is the annotation's content as JSON text;
-- `char_count` is what it spends of its layer's budget. Times use the text format of
-- volumes.updated. No foreign key to volumes: a user's notes outlive a re-import.

CREATE TABLE annotations (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id         TEXT NOT NULL COLLATE BINARY,
    volume_id  TEXT NOT NULL COLLATE BINARY,
    layer_id   TEXT NOT NULL COLLATE BINARY,
    created    TEXT NOT NULL,
    updated    TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    char_count INTEGER NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (user_id, id)
);
CREATE INDEX annotations_by_updated ON annotations (user_id, updated, id);
CREATE INDEX annotations_by_volume_layer ON annotations (user_id, volume_id, layer_id);

CREATE TABLE recommendation_ratings (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    volume_id TEXT NOT NULL COLLATE BINARY,
    rating    TEXT NOT NULL CHECK (rating IN ('HAVE_IT', 'NOT_INTERESTED')),
    rated     TEXT NOT NULL,
    PRIMARY KEY (user_id, volume_id)
);
