-- Cover images, each stored once by the SHA-256 of its bytes, and which volume uses which.
CREATE TABLE cover_images (
    digest     TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    media_type TEXT NOT NULL,
    bytes      BYTEA NOT NULL
);

CREATE TABLE volume_covers (
    volume_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    digest    TEXT COLLATE "C" NOT NULL REFERENCES cover_images (digest)
);
CREATE INDEX volume_covers_by_digest ON volume_covers (digest);
