-- Identity and OAuth 2.0 (issue #4). Secrets are never stored in clear: session ids, tokens,
-- codes, device and user codes and client secrets are SHA-256 hex hashes; passwords are
-- argon2id PHC strings.

CREATE TABLE users (
    id               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    email            TEXT COLLATE "C" NOT NULL UNIQUE,
    password_hash    TEXT NOT NULL,
    created          TIMESTAMPTZ NOT NULL,
    password_changed TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    id_hash   TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created   TIMESTAMPTZ NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE oauth_clients (
    id                    TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name                  TEXT NOT NULL,
    kind                  TEXT NOT NULL CHECK (kind IN ('web', 'installed', 'tv')),
    secret_hash           TEXT,
    -- JSON array of strings, in registration order.
    redirect_uris         TEXT NOT NULL,
    require_pkce          BOOLEAN NOT NULL,
    rotate_refresh_tokens BOOLEAN NOT NULL,
    created               TIMESTAMPTZ NOT NULL,
    deleted               TIMESTAMPTZ
);

-- What a user remembered granting a client (skips the consent page).
CREATE TABLE oauth_consents (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES oauth_clients (id),
    scopes    TEXT NOT NULL,
    created   TIMESTAMPTZ NOT NULL,
    updated   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

-- A family of tokens issued together; revoking it kills all of them.
CREATE TABLE oauth_grants (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL REFERENCES oauth_clients (id),
    scopes      TEXT NOT NULL,
    access_type TEXT NOT NULL,
    origin      TEXT NOT NULL,
    created     TIMESTAMPTZ NOT NULL,
    revoked     TIMESTAMPTZ
);
CREATE INDEX oauth_grants_by_user_client ON oauth_grants (user_id, client_id);

CREATE TABLE oauth_tokens (
    hash       TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    grant_id   TEXT NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    created    TIMESTAMPTZ NOT NULL,
    expires    TIMESTAMPTZ,
    superseded TIMESTAMPTZ,
    -- Last use of a refresh token (refresh tokens die after six months unused).
    last_used  TIMESTAMPTZ
);
CREATE INDEX oauth_tokens_by_grant ON oauth_tokens (grant_id);

CREATE TABLE oauth_codes (
    hash                  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    client_id             TEXT NOT NULL,
    user_id               TEXT NOT NULL,
    redirect_uri          TEXT NOT NULL,
    scopes                TEXT NOT NULL,
    access_type           TEXT NOT NULL,
    issue_refresh         BOOLEAN NOT NULL,
    code_challenge        TEXT,
    code_challenge_method TEXT,
    grant_id              TEXT NOT NULL,
    created               TIMESTAMPTZ NOT NULL,
    expires               TIMESTAMPTZ NOT NULL,
    used                  TIMESTAMPTZ
);

CREATE TABLE oauth_devices (
    device_hash    TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    user_code_hash TEXT COLLATE "C" NOT NULL UNIQUE,
    client_id      TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    created        TIMESTAMPTZ NOT NULL,
    expires        TIMESTAMPTZ NOT NULL,
    interval_secs  BIGINT NOT NULL,
    last_poll      TIMESTAMPTZ,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'redeemed')),
    user_id        TEXT
);
