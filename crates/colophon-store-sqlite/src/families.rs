//! `FamilyStore` on the `families`, `family_members` and `family_shares` tables.

use async_trait::async_trait;
use colophon_domain::VolumeId;
use colophon_store::{
    FamilyMemberRecord, FamilyRecord, FamilyShareRecord, FamilyStore, StoreError, StoreResult,
};

use crate::{db_error, SqliteStore};

use chrono::{DateTime, Utc};

use crate::{decode_time, encode_time};

fn enc(t: DateTime<Utc>) -> String {
    encode_time(t)
}

fn dec(t: String, what: &str) -> StoreResult<DateTime<Utc>> {
    decode_time(&t, what)
}

fn volume(id: &str) -> StoreResult<VolumeId> {
    VolumeId::parse(id).map_err(|e| StoreError::Decode(format!("family share volume {id:?}: {e}")))
}

#[async_trait]
impl FamilyStore for SqliteStore {
    async fn insert_family(&self, family: &FamilyRecord) -> StoreResult<bool> {
        let r = sqlx::query(
            "INSERT INTO families (id, name, created) VALUES (?1, ?2, ?3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&family.id)
        .bind(&family.name)
        .bind(enc(family.created))
        .execute(&self.pool)
        .await
        .map_err(db_error("creating a family"))?;
        Ok(r.rows_affected() == 1)
    }

    async fn families(&self) -> StoreResult<Vec<FamilyRecord>> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, name, created FROM families ORDER BY created, id")
                .fetch_all(&self.pool)
                .await
                .map_err(db_error("listing families"))?;
        rows.into_iter()
            .map(|(id, name, created)| {
                Ok(FamilyRecord {
                    id,
                    name,
                    created: dec(created, "family")?,
                })
            })
            .collect()
    }

    async fn delete_family(&self, family_id: &str) -> StoreResult<bool> {
        let r = sqlx::query("DELETE FROM families WHERE id = ?1")
            .bind(family_id)
            .execute(&self.pool)
            .await
            .map_err(db_error("deleting a family"))?;
        Ok(r.rows_affected() == 1)
    }

    async fn insert_family_member(&self, member: &FamilyMemberRecord) -> StoreResult<bool> {
        let r = sqlx::query(
            "INSERT INTO family_members (user_id, family_id, role, joined) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(&member.user_id)
        .bind(&member.family_id)
        .bind(&member.role)
        .bind(enc(member.joined))
        .execute(&self.pool)
        .await
        .map_err(db_error("adding a family member"))?;
        Ok(r.rows_affected() == 1)
    }

    async fn delete_family_member(&self, family_id: &str, user_id: &str) -> StoreResult<bool> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(db_error("removing a family member"))?;
        sqlx::query("DELETE FROM family_shares WHERE family_id = ?1 AND user_id = ?2")
            .bind(family_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("removing a member's shares"))?;
        let r = sqlx::query("DELETE FROM family_members WHERE family_id = ?1 AND user_id = ?2")
            .bind(family_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("removing a family member"))?;
        tx.commit()
            .await
            .map_err(db_error("removing a family member"))?;
        Ok(r.rows_affected() == 1)
    }

    async fn family_members(&self, family_id: &str) -> StoreResult<Vec<FamilyMemberRecord>> {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT family_id, user_id, role, joined FROM family_members \
             WHERE family_id = ?1 ORDER BY joined, user_id",
        )
        .bind(family_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing family members"))?;
        rows.into_iter().map(member).collect()
    }

    async fn family_membership(&self, user_id: &str) -> StoreResult<Option<FamilyMemberRecord>> {
        let row: Option<(String, String, String, String)> = sqlx::query_as(
            "SELECT family_id, user_id, role, joined FROM family_members WHERE user_id = ?1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("reading a family membership"))?;
        row.map(member).transpose()
    }

    async fn insert_family_share(&self, share: &FamilyShareRecord) -> StoreResult<bool> {
        let r = sqlx::query(
            "INSERT INTO family_shares (family_id, user_id, volume_id, shared) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (family_id, user_id, volume_id) DO NOTHING",
        )
        .bind(&share.family_id)
        .bind(&share.user_id)
        .bind(share.volume_id.as_str())
        .bind(enc(share.shared))
        .execute(&self.pool)
        .await
        .map_err(db_error("sharing a volume"))?;
        Ok(r.rows_affected() == 1)
    }

    async fn delete_family_share(
        &self,
        family_id: &str,
        user_id: &str,
        volume_id: &VolumeId,
    ) -> StoreResult<bool> {
        let r = sqlx::query(
            "DELETE FROM family_shares WHERE family_id = ?1 AND user_id = ?2 AND volume_id = ?3",
        )
        .bind(family_id)
        .bind(user_id)
        .bind(volume_id.as_str())
        .execute(&self.pool)
        .await
        .map_err(db_error("unsharing a volume"))?;
        Ok(r.rows_affected() == 1)
    }

    async fn family_shares(&self, family_id: &str) -> StoreResult<Vec<FamilyShareRecord>> {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT family_id, user_id, volume_id, shared FROM family_shares \
             WHERE family_id = ?1 ORDER BY shared, user_id, volume_id",
        )
        .bind(family_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing family shares"))?;
        rows.into_iter()
            .map(|(family_id, user_id, volume_id, shared)| {
                Ok(FamilyShareRecord {
                    family_id,
                    user_id,
                    volume_id: volume(&volume_id)?,
                    shared: dec(shared, "family share")?,
                })
            })
            .collect()
    }
}

fn member(
    (family_id, user_id, role, joined): (String, String, String, String),
) -> StoreResult<FamilyMemberRecord> {
    Ok(FamilyMemberRecord {
        family_id,
        user_id,
        role,
        joined: dec(joined, "family member")?,
    })
}
