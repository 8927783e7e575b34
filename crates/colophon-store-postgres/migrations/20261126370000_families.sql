-- Families (familysharing.*): accounts grouped by an administrator, and the volumes members
-- share with their family. A user belongs to one family at most.
CREATE TABLE families (
    id      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name    TEXT NOT NULL,
    created TIMESTAMPTZ NOT NULL
);

CREATE TABLE family_members (
    user_id   TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    family_id TEXT COLLATE "C" NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    role      TEXT NOT NULL,
    joined    TIMESTAMPTZ NOT NULL
);
CREATE INDEX family_members_by_family ON family_members (family_id, joined, user_id);

CREATE TABLE family_shares (
    family_id TEXT COLLATE "C" NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    user_id   TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    volume_id TEXT COLLATE "C" NOT NULL,
    shared    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (family_id, user_id, volume_id)
);
