-- Sources: each imported record is kept as one contribution of its volume, so that importing
-- a source again replaces only what that source said, and a volume described by several
-- sources (same ISBN) is re-merged from all of them. `data` is the serde_json of a
-- `Contribution`; `seq` is arrival order (the earliest contribution is the primary one).
CREATE TABLE volume_sources (
    source_key TEXT NOT NULL COLLATE BINARY PRIMARY KEY,
    volume_id  TEXT NOT NULL COLLATE BINARY,
    seq        INTEGER NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX volume_sources_by_volume ON volume_sources (volume_id);

-- ISBN-13 -> the volume that first claimed it: how a record from another source finds the
-- volume it belongs to.
CREATE TABLE volume_isbns (
    isbn      TEXT NOT NULL COLLATE BINARY PRIMARY KEY,
    volume_id TEXT NOT NULL COLLATE BINARY
) WITHOUT ROWID;
CREATE INDEX volume_isbns_by_volume ON volume_isbns (volume_id);

-- Full text of digitized books (plain UTF-8), searchable through the index.
CREATE TABLE volume_texts (
    volume_id TEXT NOT NULL COLLATE BINARY PRIMARY KEY,
    text      TEXT NOT NULL
);

-- Volumes imported before sources were kept become their own single contribution.
INSERT INTO volume_sources (source_key, volume_id, seq, data)
SELECT source_key, id, 0, json_object(
    'sourceKey', source_key, 'seq', 0,
    'volumeInfo', data -> '$.volumeInfo',
    'saleInfo', data -> '$.saleInfo',
    'accessInfo', data -> '$.accessInfo',
    'layerInfo', data -> '$.layerInfo',
    'etag', etag)
FROM volumes;

INSERT OR IGNORE INTO volume_isbns (isbn, volume_id)
SELECT i.value ->> '$.identifier', v.id
FROM volumes v, json_each(v.data, '$.volumeInfo.industryIdentifiers') i
WHERE i.value ->> '$.type' = 'ISBN_13'
ORDER BY v.id;
