-- Authorization-server state that every server process must see: consent requests waiting on
-- the consent page, and the failures the sign-in, device-code and token throttles count.

CREATE TABLE oauth_pending_consents (
    id_hash     TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    cookie_hash TEXT NOT NULL,
    request     TEXT NOT NULL,
    created     TIMESTAMPTZ NOT NULL,
    expires     TIMESTAMPTZ NOT NULL
);
CREATE INDEX oauth_pending_consents_by_expiry ON oauth_pending_consents (expires);

CREATE TABLE auth_failures (
    bucket   TEXT NOT NULL,
    key_hash TEXT COLLATE "C" NOT NULL,
    at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX auth_failures_by_key ON auth_failures (bucket, key_hash, at);
CREATE INDEX auth_failures_by_time ON auth_failures (at);
