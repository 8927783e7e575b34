//! `CoverStore` on the `cover_images` and `volume_covers` tables.

use async_trait::async_trait;
use colophon_domain::VolumeId;
use colophon_store::{CoverRef, CoverStore, StoreResult};

use crate::{db_error, PgStore};

#[async_trait]
impl CoverStore for PgStore {
    async fn set_cover(
        &self,
        volume: &VolumeId,
        cover: &CoverRef,
        bytes: &[u8],
    ) -> StoreResult<()> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(db_error("setting a cover"))?;
        let old: Option<(String,)> =
            sqlx::query_as("SELECT digest FROM volume_covers WHERE volume_id = $1")
                .bind(volume.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error("setting a cover"))?;
        sqlx::query(
            "INSERT INTO cover_images (digest, media_type, bytes) VALUES ($1, $2, $3) \
             ON CONFLICT (digest) DO NOTHING",
        )
        .bind(&cover.digest)
        .bind(&cover.media_type)
        .bind(bytes)
        .execute(&mut *tx)
        .await
        .map_err(db_error("storing a cover image"))?;
        sqlx::query(
            "INSERT INTO volume_covers (volume_id, digest) VALUES ($1, $2) \
             ON CONFLICT (volume_id) DO UPDATE SET digest = excluded.digest",
        )
        .bind(volume.as_str())
        .bind(&cover.digest)
        .execute(&mut *tx)
        .await
        .map_err(db_error("setting a cover"))?;
        if let Some((old,)) = old.filter(|(d,)| *d != cover.digest) {
            sqlx::query(
                "DELETE FROM cover_images WHERE digest = $1 \
                 AND NOT EXISTS (SELECT 1 FROM volume_covers WHERE digest = $1)",
            )
            .bind(old)
            .execute(&mut *tx)
            .await
            .map_err(db_error("removing an unused cover image"))?;
        }
        tx.commit().await.map_err(db_error("setting a cover"))
    }

    async fn cover_of(&self, volume: &VolumeId) -> StoreResult<Option<CoverRef>> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT c.digest, i.media_type FROM volume_covers c \
             JOIN cover_images i ON i.digest = c.digest WHERE c.volume_id = $1",
        )
        .bind(volume.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("reading a cover"))?;
        Ok(row.map(|(digest, media_type)| CoverRef { digest, media_type }))
    }

    async fn cover_bytes(&self, digest: &str) -> StoreResult<Option<Vec<u8>>> {
        let row: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT bytes FROM cover_images WHERE digest = $1")
                .bind(digest)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_error("reading a cover image"))?;
        Ok(row.map(|(b,)| b))
    }

    async fn count_cover_images(&self) -> StoreResult<u64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cover_images")
            .fetch_one(&self.pool)
            .await
            .map_err(db_error("counting cover images"))?;
        Ok(n as u64)
    }
}
