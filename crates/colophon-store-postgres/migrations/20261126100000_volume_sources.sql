-- Sources: each imported record is kept as one contribution of its volume, so that importing
-- a source again replaces only what that source said, and a volume described by several
-- sources (same ISBN) is re-merged from all of them. `data` is the serde_json of a
-- `Contribution`; `seq` is arrival order (the earliest contribution is the primary one).
CREATE TABLE volume_sources (
    source_key TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    volume_id  TEXT COLLATE "C" NOT NULL,
    seq        BIGINT NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX volume_sources_by_volume ON volume_sources (volume_id);

-- ISBN-13 -> the volume that first claimed it: how a record from another source finds the
-- volume it belongs to.
CREATE TABLE volume_isbns (
    isbn      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    volume_id TEXT COLLATE "C" NOT NULL
);
CREATE INDEX volume_isbns_by_volume ON volume_isbns (volume_id);

-- Full text of digitized books (plain UTF-8), searchable through the index.
CREATE TABLE volume_texts (
    volume_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    text      TEXT NOT NULL
);

-- Volumes imported before sources were kept become their own single contribution.
INSERT INTO volume_sources (source_key, volume_id, seq, data)
SELECT source_key, id, 0, jsonb_build_object(
    'sourceKey', source_key, 'seq', 0,
    'volumeInfo', data::jsonb -> 'volumeInfo',
    'saleInfo', data::jsonb -> 'saleInfo',
    'accessInfo', data::jsonb -> 'accessInfo',
    'layerInfo', data::jsonb -> 'layerInfo',
    'etag', etag)::text
FROM volumes;

INSERT INTO volume_isbns (isbn, volume_id)
SELECT i ->> 'identifier', v.id
FROM volumes v, jsonb_array_elements(COALESCE(v.data::jsonb -> 'volumeInfo' -> 'industryIdentifiers', '[]'::jsonb)) i
WHERE i ->> 'type' = 'ISBN_13'
ORDER BY v.id
ON CONFLICT (isbn) DO NOTHING;
