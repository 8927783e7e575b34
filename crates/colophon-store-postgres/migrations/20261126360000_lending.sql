-- Lent books (myconfig.requestAccess and friends) and users' settings.
-- copies: devices that may hold the volume at once, across users; download_devices: per user.
-- Acquisitions lock the volume's policy row (FOR UPDATE): that serialises the counting.
CREATE TABLE lending_policies (
    volume_id        TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    copies           INTEGER NOT NULL CHECK (copies >= 0),
    download_devices INTEGER CHECK (download_devices >= 0)
);

-- A device's borrowed copy; it counts while expires > now.
CREATE TABLE lending_leases (
    volume_id TEXT COLLATE "C" NOT NULL,
    user_id   TEXT COLLATE "C" NOT NULL,
    device    TEXT COLLATE "C" NOT NULL,
    acquired  TIMESTAMPTZ NOT NULL,
    expires   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (volume_id, user_id, device)
);
CREATE INDEX lending_leases_by_user ON lending_leases (user_id);

-- A device's offline download license; it lasts until released.
CREATE TABLE download_licenses (
    volume_id TEXT COLLATE "C" NOT NULL,
    user_id   TEXT COLLATE "C" NOT NULL,
    device    TEXT COLLATE "C" NOT NULL,
    acquired  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (volume_id, user_id, device)
);
CREATE INDEX download_licenses_by_user ON download_licenses (user_id);

-- Each sub-object of Usersettings as JSON text; NULL when never set.
CREATE TABLE user_settings (
    user_id       TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    notes_export  TEXT,
    notification  TEXT
);
