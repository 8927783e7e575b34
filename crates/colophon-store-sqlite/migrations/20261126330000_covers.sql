-- Cover images, each stored once by the SHA-256 of its bytes, and which volume uses which.
CREATE TABLE cover_images (
    digest     TEXT NOT NULL COLLATE BINARY PRIMARY KEY,
    media_type TEXT NOT NULL,
    bytes      BLOB NOT NULL
);

CREATE TABLE volume_covers (
    volume_id TEXT NOT NULL COLLATE BINARY PRIMARY KEY,
    digest    TEXT NOT NULL COLLATE BINARY REFERENCES cover_images (digest)
);
CREATE INDEX volume_covers_by_digest ON volume_covers (digest);
