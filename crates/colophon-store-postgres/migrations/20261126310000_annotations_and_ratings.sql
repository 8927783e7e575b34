-- Users' annotations (notes, highlights, bookmarks) and recommendation ratings (issue #6).
-- Annotation ids are unique per user. Deleted annotations stay as tombstones (deleted = true) so
-- that syncing clients learn of deletions. `body` is the annotation's content as JSON text;
-- `char_count` is what it spends of its layer's budget. No foreign key to volumes: a user's
-- notes outlive a re-import.

CREATE TABLE annotations (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id         TEXT NOT NULL COLLATE "C",
    volume_id  TEXT NOT NULL COLLATE "C",
    layer_id   TEXT NOT NULL COLLATE "C",
    created    TIMESTAMPTZ NOT NULL,
    updated    TIMESTAMPTZ NOT NULL,
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    char_count BIGINT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (user_id, id)
);
CREATE INDEX annotations_by_updated ON annotations (user_id, updated, id);
CREATE INDEX annotations_by_volume_layer ON annotations (user_id, volume_id, layer_id);

CREATE TABLE recommendation_ratings (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    volume_id TEXT NOT NULL COLLATE "C",
    rating    TEXT NOT NULL CHECK (rating IN ('HAVE_IT', 'NOT_INTERESTED')),
    rated     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, volume_id)
);
