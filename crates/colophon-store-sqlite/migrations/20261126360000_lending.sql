-- Lent books (myconfig.requestAccess and friends) and users' settings.
-- copies: devices that may hold the volume at once, across users; download_devices: per user.
CREATE TABLE lending_policies (
    volume_id        TEXT NOT NULL COLLATE BINARY PRIMARY KEY,
    copies           INTEGER NOT NULL CHECK (copies >= 0),
    download_devices INTEGER CHECK (download_devices >= 0)
);

-- A device's borrowed copy; it counts while expires > now (RFC 3339 text, see encode_time).
CREATE TABLE lending_leases (
    volume_id TEXT NOT NULL COLLATE BINARY,
    user_id   TEXT NOT NULL COLLATE BINARY,
    device    TEXT NOT NULL COLLATE BINARY,
    acquired  TEXT NOT NULL,
    expires   TEXT NOT NULL,
    PRIMARY KEY (volume_id, user_id, device)
);
CREATE INDEX lending_leases_by_user ON lending_leases (user_id);

-- A device's offline download license; it lasts until released.
CREATE TABLE download_licenses (
    volume_id TEXT NOT NULL COLLATE BINARY,
    user_id   TEXT NOT NULL COLLATE BINARY,
    device    TEXT NOT NULL COLLATE BINARY,
    acquired  TEXT NOT NULL,
    PRIMARY KEY (volume_id, user_id, device)
);
CREATE INDEX download_licenses_by_user ON download_licenses (user_id);

-- Each sub-object of Usersettings as JSON text; NULL when never set.
CREATE TABLE user_settings (
    user_id       TEXT NOT NULL COLLATE BINARY PRIMARY KEY,
    notes_export  TEXT,
    notification  TEXT
);
