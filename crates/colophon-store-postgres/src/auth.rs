//! `AccountStore` and `OAuthStore` on the identity tables (`users`, `sessions`, `oauth_*`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use colophon_store::{
    AccountStore, ClientRecord, CodeRecord, CodeRedemption, ConsentRecord, DeviceRecord,
    GrantRecord, OAuthStore, PendingConsentRecord, SessionRecord, StoreError, StoreResult,
    TokenLookup, TokenRecord, UserRecord,
};

use crate::{db_error, PgStore};

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    email: String,
    password_hash: String,
    created: DateTime<Utc>,
    password_changed: DateTime<Utc>,
}

impl UserRow {
    fn decode(self) -> StoreResult<UserRecord> {
        Ok(UserRecord {
            created: self.created,
            password_changed: self.password_changed,
            id: self.id,
            email: self.email,
            password_hash: self.password_hash,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id_hash: String,
    user_id: String,
    created: DateTime<Utc>,
    last_seen: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ClientRow {
    id: String,
    name: String,
    kind: String,
    secret_hash: Option<String>,
    redirect_uris: String,
    require_pkce: bool,
    rotate_refresh_tokens: bool,
    created: DateTime<Utc>,
    deleted: Option<DateTime<Utc>>,
}

impl ClientRow {
    fn decode(self) -> StoreResult<ClientRecord> {
        let redirect_uris: Vec<String> = serde_json::from_str(&self.redirect_uris)
            .map_err(|e| StoreError::Decode(format!("client {}: redirect URIs: {e}", self.id)))?;
        Ok(ClientRecord {
            created: self.created,
            deleted: self.deleted,
            id: self.id,
            name: self.name,
            kind: self.kind,
            secret_hash: self.secret_hash,
            redirect_uris,
            require_pkce: self.require_pkce,
            rotate_refresh_tokens: self.rotate_refresh_tokens,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ConsentRow {
    user_id: String,
    client_id: String,
    scopes: String,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
}

impl ConsentRow {
    fn decode(self) -> StoreResult<ConsentRecord> {
        Ok(ConsentRecord {
            created: self.created,
            updated: self.updated,
            user_id: self.user_id,
            client_id: self.client_id,
            scopes: self.scopes,
        })
    }
}

#[derive(sqlx::FromRow)]
struct TokenGrantRow {
    hash: String,
    grant_id: String,
    kind: String,
    t_created: DateTime<Utc>,
    expires: Option<DateTime<Utc>>,
    superseded: Option<DateTime<Utc>>,
    last_used: Option<DateTime<Utc>>,
    user_id: String,
    client_id: String,
    scopes: String,
    access_type: String,
    origin: String,
    g_created: DateTime<Utc>,
    revoked: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    hash: String,
    client_id: String,
    user_id: String,
    redirect_uri: String,
    scopes: String,
    access_type: String,
    issue_refresh: bool,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    grant_id: String,
    created: DateTime<Utc>,
    expires: DateTime<Utc>,
    used: Option<DateTime<Utc>>,
}

impl CodeRow {
    fn decode(self) -> StoreResult<CodeRecord> {
        Ok(CodeRecord {
            created: self.created,
            expires: self.expires,
            used: self.used,
            hash: self.hash,
            client_id: self.client_id,
            user_id: self.user_id,
            redirect_uri: self.redirect_uri,
            scopes: self.scopes,
            access_type: self.access_type,
            issue_refresh: self.issue_refresh,
            code_challenge: self.code_challenge,
            code_challenge_method: self.code_challenge_method,
            grant_id: self.grant_id,
        })
    }
}

#[derive(sqlx::FromRow)]
struct DeviceRow {
    device_hash: String,
    user_code_hash: String,
    client_id: String,
    scopes: String,
    created: DateTime<Utc>,
    expires: DateTime<Utc>,
    interval_secs: i64,
    last_poll: Option<DateTime<Utc>>,
    status: String,
    user_id: Option<String>,
}

impl DeviceRow {
    fn decode(self) -> StoreResult<DeviceRecord> {
        Ok(DeviceRecord {
            created: self.created,
            expires: self.expires,
            last_poll: self.last_poll,
            device_hash: self.device_hash,
            user_code_hash: self.user_code_hash,
            client_id: self.client_id,
            scopes: self.scopes,
            interval_secs: self.interval_secs,
            status: self.status,
            user_id: self.user_id,
        })
    }
}

const USER_COLUMNS: &str = "id, email, password_hash, created, password_changed";
const CLIENT_COLUMNS: &str = "id, name, kind, secret_hash, redirect_uris, require_pkce, \
                              rotate_refresh_tokens, created, deleted";
const CODE_COLUMNS: &str = "hash, client_id, user_id, redirect_uri, scopes, access_type, \
     issue_refresh, code_challenge, code_challenge_method, grant_id, created, expires, used";
const DEVICE_COLUMNS: &str = "device_hash, user_code_hash, client_id, scopes, created, expires, \
                              interval_secs, last_poll, status, user_id";

#[async_trait]
impl AccountStore for PgStore {
    async fn insert_user(&self, user: &UserRecord) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO users (id, email, password_hash, created, password_changed)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING",
        )
        .bind(&user.id)
        .bind(&user.email)
        .bind(&user.password_hash)
        .bind(user.created)
        .bind(user.password_changed)
        .execute(&self.pool)
        .await
        .map_err(db_error("storing a user"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        let row: Option<UserRow> = sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("finding a user"))?;
        row.map(UserRow::decode).transpose()
    }

    async fn find_user(&self, id: &str) -> StoreResult<Option<UserRecord>> {
        let row: Option<UserRow> =
            sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_error("finding a user"))?;
        row.map(UserRow::decode).transpose()
    }

    async fn list_users(&self) -> StoreResult<Vec<UserRecord>> {
        let rows: Vec<UserRow> = sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY created, id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing users"))?;
        rows.into_iter().map(UserRow::decode).collect()
    }

    async fn set_password_hash(
        &self,
        user_id: &str,
        password_hash: &str,
        when: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE users SET password_hash = $2, password_changed = $3 WHERE id = $1")
                .bind(user_id)
                .bind(password_hash)
                .bind(when)
                .execute(&self.pool)
                .await
                .map_err(db_error("changing a password"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_session(&self, s: &SessionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created, last_seen) VALUES ($1, $2, $3, $4)",
        )
        .bind(&s.id_hash)
        .bind(&s.user_id)
        .bind(s.created)
        .bind(s.last_seen)
        .execute(&self.pool)
        .await
        .map_err(db_error("storing a session"))?;
        Ok(())
    }

    async fn find_session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT id_hash, user_id, created, last_seen FROM sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("finding a session"))?;
        row.map(|r| {
            Ok(SessionRecord {
                created: r.created,
                last_seen: r.last_seen,
                id_hash: r.id_hash,
                user_id: r.user_id,
            })
        })
        .transpose()
    }

    async fn touch_session(&self, id_hash: &str, when: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen = $2 WHERE id_hash = $1")
            .bind(id_hash)
            .bind(when)
            .execute(&self.pool)
            .await
            .map_err(db_error("touching a session"))?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(db_error("deleting a session"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_user_sessions(&self, user_id: &str, keep: Option<&str>) -> StoreResult<u64> {
        let done =
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash IS DISTINCT FROM $2")
                .bind(user_id)
                .bind(keep)
                .execute(&self.pool)
                .await
                .map_err(db_error("deleting sessions"))?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl OAuthStore for PgStore {
    async fn insert_client(&self, c: &ClientRecord) -> StoreResult<()> {
        let uris = serde_json::to_string(&c.redirect_uris)
            .map_err(|e| StoreError::Database(format!("encoding redirect URIs: {e}")))?;
        sqlx::query(&format!(
            "INSERT INTO oauth_clients ({CLIENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(&c.id)
        .bind(&c.name)
        .bind(&c.kind)
        .bind(&c.secret_hash)
        .bind(uris)
        .bind(c.require_pkce)
        .bind(c.rotate_refresh_tokens)
        .bind(c.created)
        .bind(c.deleted)
        .execute(&self.pool)
        .await
        .map_err(db_error("storing an OAuth client"))?;
        Ok(())
    }

    async fn find_client(&self, id: &str) -> StoreResult<Option<ClientRecord>> {
        let row: Option<ClientRow> = sqlx::query_as(&format!(
            "SELECT {CLIENT_COLUMNS} FROM oauth_clients WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("finding an OAuth client"))?;
        row.map(ClientRow::decode).transpose()
    }

    async fn list_clients(&self) -> StoreResult<Vec<ClientRecord>> {
        let rows: Vec<ClientRow> = sqlx::query_as(&format!(
            "SELECT {CLIENT_COLUMNS} FROM oauth_clients ORDER BY created, id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing OAuth clients"))?;
        rows.into_iter().map(ClientRow::decode).collect()
    }

    async fn delete_client(&self, id: &str, when: DateTime<Utc>) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE oauth_clients SET deleted = $2 WHERE id = $1 AND deleted IS NULL")
                .bind(id)
                .bind(when)
                .execute(&self.pool)
                .await
                .map_err(db_error("deleting an OAuth client"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn put_consent(&self, c: &ConsentRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO oauth_consents (user_id, client_id, scopes, created, updated)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (user_id, client_id)
             DO UPDATE SET scopes = excluded.scopes, updated = excluded.updated",
        )
        .bind(&c.user_id)
        .bind(&c.client_id)
        .bind(&c.scopes)
        .bind(c.created)
        .bind(c.updated)
        .execute(&self.pool)
        .await
        .map_err(db_error("storing a consent"))?;
        Ok(())
    }

    async fn find_consent(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StoreResult<Option<ConsentRecord>> {
        let row: Option<ConsentRow> = sqlx::query_as(
            "SELECT user_id, client_id, scopes, created, updated FROM oauth_consents
             WHERE user_id = $1 AND client_id = $2",
        )
        .bind(user_id)
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("finding a consent"))?;
        row.map(ConsentRow::decode).transpose()
    }

    async fn list_consents(&self, user_id: &str) -> StoreResult<Vec<ConsentRecord>> {
        let rows: Vec<ConsentRow> = sqlx::query_as(
            "SELECT user_id, client_id, scopes, created, updated FROM oauth_consents
             WHERE user_id = $1 ORDER BY created, client_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing consents"))?;
        rows.into_iter().map(ConsentRow::decode).collect()
    }

    async fn delete_consent(&self, user_id: &str, client_id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM oauth_consents WHERE user_id = $1 AND client_id = $2")
            .bind(user_id)
            .bind(client_id)
            .execute(&self.pool)
            .await
            .map_err(db_error("deleting a consent"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_grant(&self, g: &GrantRecord, tokens: &[TokenRecord]) -> StoreResult<bool> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(db_error("storing a grant"))?;
        let done = sqlx::query(
            "INSERT INTO oauth_grants
             (id, user_id, client_id, scopes, access_type, origin, created, revoked)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&g.id)
        .bind(&g.user_id)
        .bind(&g.client_id)
        .bind(&g.scopes)
        .bind(&g.access_type)
        .bind(&g.origin)
        .bind(g.created)
        .bind(g.revoked)
        .execute(&mut *tx)
        .await
        .map_err(db_error("storing a grant"))?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        for t in tokens {
            insert_token(&mut tx, t).await?;
        }
        tx.commit().await.map_err(db_error("storing a grant"))?;
        Ok(true)
    }

    async fn bar_grant(&self, g: &GrantRecord) -> StoreResult<bool> {
        let revoked = g.revoked.unwrap_or(g.created);
        // One upsert: a grant stored meanwhile by the first exchange (even one committed while
        // this statement waited on its key) is revoked; none is stored revoked. `xmax = 0`
        // tells an inserted row from an updated one.
        let row: Option<(bool,)> = sqlx::query_as(
            "INSERT INTO oauth_grants
             (id, user_id, client_id, scopes, access_type, origin, created, revoked)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO UPDATE SET revoked = EXCLUDED.revoked
             WHERE oauth_grants.revoked IS NULL
             RETURNING (xmax <> 0)",
        )
        .bind(&g.id)
        .bind(&g.user_id)
        .bind(&g.client_id)
        .bind(&g.scopes)
        .bind(&g.access_type)
        .bind(&g.origin)
        .bind(g.created)
        .bind(revoked)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("barring a grant"))?;
        Ok(matches!(row, Some((true,))))
    }

    async fn revoke_grant(&self, grant_id: &str, when: DateTime<Utc>) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE oauth_grants SET revoked = $2 WHERE id = $1 AND revoked IS NULL")
                .bind(grant_id)
                .bind(when)
                .execute(&self.pool)
                .await
                .map_err(db_error("revoking a grant"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn revoke_grants_of(
        &self,
        user_id: &str,
        client_id: &str,
        when: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE oauth_grants SET revoked = $3
             WHERE user_id = $1 AND client_id = $2 AND revoked IS NULL",
        )
        .bind(user_id)
        .bind(client_id)
        .bind(when)
        .execute(&self.pool)
        .await
        .map_err(db_error("revoking grants"))?;
        Ok(done.rows_affected())
    }

    async fn live_refresh_grants(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT g.id FROM oauth_grants g
             WHERE g.user_id = $1 AND g.client_id = $2 AND g.revoked IS NULL
               AND EXISTS (SELECT 1 FROM oauth_tokens t WHERE t.grant_id = g.id
                           AND t.kind = 'refresh' AND t.superseded IS NULL)
             ORDER BY g.created, g.id",
        )
        .bind(user_id)
        .bind(client_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing grants"))?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn clients_with_live_grants(
        &self,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(String, DateTime<Utc>, String)>> {
        sqlx::query_as(
            "SELECT g.client_id, MIN(g.created) AS first, MIN(g.scopes) AS scopes FROM oauth_grants g
             WHERE g.user_id = $1 AND g.revoked IS NULL
               AND EXISTS (SELECT 1 FROM oauth_tokens t WHERE t.grant_id = g.id
                           AND ((t.kind = 'refresh' AND t.superseded IS NULL)
                                OR (t.kind = 'access' AND t.expires > $2)))
             GROUP BY g.client_id ORDER BY first, g.client_id",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing a user's grants"))
    }

    async fn insert_token(&self, t: &TokenRecord) -> StoreResult<()> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(db_error("storing a token"))?;
        insert_token(&mut tx, t).await?;
        tx.commit().await.map_err(db_error("storing a token"))
    }

    async fn find_token(&self, hash: &str) -> StoreResult<Option<TokenLookup>> {
        let row: Option<TokenGrantRow> = sqlx::query_as(
            "SELECT t.hash, t.grant_id, t.kind, t.created AS t_created, t.expires, t.superseded, t.last_used,
                    g.user_id, g.client_id, g.scopes, g.access_type, g.origin,
                    g.created AS g_created, g.revoked
             FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id
             WHERE t.hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("finding a token"))?;
        row.map(|r| {
            Ok(TokenLookup {
                token: TokenRecord {
                    hash: r.hash,
                    grant_id: r.grant_id.clone(),
                    kind: r.kind,
                    created: r.t_created,
                    expires: r.expires,
                    superseded: r.superseded,
                    last_used: r.last_used,
                },
                grant: GrantRecord {
                    id: r.grant_id,
                    user_id: r.user_id,
                    client_id: r.client_id,
                    scopes: r.scopes,
                    access_type: r.access_type,
                    origin: r.origin,
                    created: r.g_created,
                    revoked: r.revoked,
                },
            })
        })
        .transpose()
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new: &[TokenRecord],
        when: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(db_error("rotating a refresh token"))?;
        let done = sqlx::query(
            "UPDATE oauth_tokens SET superseded = $2
             WHERE hash = $1 AND kind = 'refresh' AND superseded IS NULL",
        )
        .bind(old_hash)
        .bind(when)
        .execute(&mut *tx)
        .await
        .map_err(db_error("rotating a refresh token"))?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        for t in new {
            insert_token(&mut tx, t).await?;
        }
        tx.commit()
            .await
            .map_err(db_error("rotating a refresh token"))?;
        Ok(true)
    }

    async fn touch_token(&self, hash: &str, when: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE oauth_tokens SET last_used = $2 WHERE hash = $1")
            .bind(hash)
            .bind(when)
            .execute(&self.pool)
            .await
            .map_err(db_error("recording a token's use"))?;
        Ok(())
    }

    async fn prune_expired(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let mut removed = 0;
        for (sql, what) in [
            (
                "DELETE FROM oauth_tokens WHERE kind = 'access' AND expires IS NOT NULL AND expires < $1",
                "pruning expired tokens",
            ),
            (
                "DELETE FROM oauth_codes WHERE expires < $1",
                "pruning expired authorization codes",
            ),
            (
                "DELETE FROM oauth_devices WHERE expires < $1",
                "pruning expired device authorizations",
            ),
            (
                "DELETE FROM oauth_pending_consents WHERE expires < $1",
                "pruning expired consent requests",
            ),
            (
                "DELETE FROM auth_failures WHERE at < $1",
                "pruning old sign-in failures",
            ),
        ] {
            let done = sqlx::query(sql)
                .bind(before)
                .execute(&self.pool)
                .await
                .map_err(db_error(what))?;
            removed += done.rows_affected();
        }
        Ok(removed)
    }

    async fn insert_code(&self, c: &CodeRecord) -> StoreResult<()> {
        sqlx::query(&format!(
            "INSERT INTO oauth_codes ({CODE_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(&c.hash)
        .bind(&c.client_id)
        .bind(&c.user_id)
        .bind(&c.redirect_uri)
        .bind(&c.scopes)
        .bind(&c.access_type)
        .bind(c.issue_refresh)
        .bind(&c.code_challenge)
        .bind(&c.code_challenge_method)
        .bind(&c.grant_id)
        .bind(c.created)
        .bind(c.expires)
        .bind(c.used)
        .execute(&self.pool)
        .await
        .map_err(db_error("storing an authorization code"))?;
        Ok(())
    }

    async fn redeem_code(&self, hash: &str, when: DateTime<Utc>) -> StoreResult<CodeRedemption> {
        let done = sqlx::query("UPDATE oauth_codes SET used = $2 WHERE hash = $1 AND used IS NULL")
            .bind(hash)
            .bind(when)
            .execute(&self.pool)
            .await
            .map_err(db_error("redeeming an authorization code"))?;
        let row: Option<CodeRow> = sqlx::query_as(&format!(
            "SELECT {CODE_COLUMNS} FROM oauth_codes WHERE hash = $1"
        ))
        .bind(hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("redeeming an authorization code"))?;
        Ok(match row {
            None => CodeRedemption::Unknown,
            Some(r) if done.rows_affected() == 1 => CodeRedemption::First(r.decode()?),
            Some(r) => CodeRedemption::Replayed(r.decode()?),
        })
    }

    async fn insert_device(&self, d: &DeviceRecord) -> StoreResult<()> {
        sqlx::query(&format!(
            "INSERT INTO oauth_devices ({DEVICE_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(&d.device_hash)
        .bind(&d.user_code_hash)
        .bind(&d.client_id)
        .bind(&d.scopes)
        .bind(d.created)
        .bind(d.expires)
        .bind(d.interval_secs)
        .bind(d.last_poll)
        .bind(&d.status)
        .bind(&d.user_id)
        .execute(&self.pool)
        .await
        .map_err(db_error("storing a device authorization"))?;
        Ok(())
    }

    async fn find_device(&self, device_hash: &str) -> StoreResult<Option<DeviceRecord>> {
        let row: Option<DeviceRow> = sqlx::query_as(&format!(
            "SELECT {DEVICE_COLUMNS} FROM oauth_devices WHERE device_hash = $1"
        ))
        .bind(device_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("finding a device authorization"))?;
        row.map(DeviceRow::decode).transpose()
    }

    async fn find_device_by_user_code(
        &self,
        user_code_hash: &str,
    ) -> StoreResult<Option<DeviceRecord>> {
        let row: Option<DeviceRow> = sqlx::query_as(&format!(
            "SELECT {DEVICE_COLUMNS} FROM oauth_devices WHERE user_code_hash = $1"
        ))
        .bind(user_code_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("finding a device authorization"))?;
        row.map(DeviceRow::decode).transpose()
    }

    async fn decide_device(
        &self,
        device_hash: &str,
        status: &str,
        user_id: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE oauth_devices SET status = $2, user_id = $3
             WHERE device_hash = $1 AND status = 'pending'",
        )
        .bind(device_hash)
        .bind(status)
        .bind(user_id)
        .execute(&self.pool)
        .await
        .map_err(db_error("recording a device decision"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn record_device_poll(
        &self,
        device_hash: &str,
        when: DateTime<Utc>,
        interval_secs: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE oauth_devices SET last_poll = $2, interval_secs = $3 WHERE device_hash = $1",
        )
        .bind(device_hash)
        .bind(when)
        .bind(interval_secs)
        .execute(&self.pool)
        .await
        .map_err(db_error("recording a device poll"))?;
        Ok(())
    }

    async fn redeem_device(&self, device_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE oauth_devices SET status = 'redeemed'
             WHERE device_hash = $1 AND status = 'approved'",
        )
        .bind(device_hash)
        .execute(&self.pool)
        .await
        .map_err(db_error("redeeming a device code"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn park_consent(&self, p: &PendingConsentRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO oauth_pending_consents (id_hash, cookie_hash, request, created, expires)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&p.id_hash)
        .bind(&p.cookie_hash)
        .bind(&p.request)
        .bind(p.created)
        .bind(p.expires)
        .execute(&self.pool)
        .await
        .map_err(db_error("parking a consent request"))?;
        Ok(())
    }

    async fn take_consent(
        &self,
        id_hash: &str,
        cookie_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "DELETE FROM oauth_pending_consents
             WHERE id_hash = $1 AND cookie_hash = $2 AND expires > $3
             RETURNING request",
        )
        .bind(id_hash)
        .bind(cookie_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("taking a consent request"))?;
        Ok(row.map(|(r,)| r))
    }

    async fn record_failure(
        &self,
        bucket: &str,
        key_hash: &str,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(db_error("recording a failure"))?;
        sqlx::query("DELETE FROM auth_failures WHERE bucket = $1 AND key_hash = $2 AND at < $3")
            .bind(bucket)
            .bind(key_hash)
            .bind(forget_before)
            .execute(&mut *tx)
            .await
            .map_err(db_error("recording a failure"))?;
        sqlx::query("INSERT INTO auth_failures (bucket, key_hash, at) VALUES ($1, $2, $3)")
            .bind(bucket)
            .bind(key_hash)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(db_error("recording a failure"))?;
        tx.commit().await.map_err(db_error("recording a failure"))
    }

    async fn count_failures(
        &self,
        bucket: &str,
        key_hash: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM auth_failures WHERE bucket = $1 AND key_hash = $2 AND at > $3",
        )
        .bind(bucket)
        .bind(key_hash)
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error("counting failures"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn clear_failures(&self, bucket: &str, key_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM auth_failures WHERE bucket = $1 AND key_hash = $2")
            .bind(bucket)
            .bind(key_hash)
            .execute(&self.pool)
            .await
            .map_err(db_error("clearing failures"))?;
        Ok(())
    }
}

async fn insert_token(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    t: &TokenRecord,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO oauth_tokens (hash, grant_id, kind, created, expires, superseded, last_used)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&t.hash)
    .bind(&t.grant_id)
    .bind(&t.kind)
    .bind(t.created)
    .bind(t.expires)
    .bind(t.superseded)
    .bind(t.last_used)
    .execute(&mut **tx)
    .await
    .map_err(db_error("storing a token"))?;
    Ok(())
}
