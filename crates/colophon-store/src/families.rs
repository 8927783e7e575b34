//! Families (`familysharing.*`): sets of accounts an administrator groups, and the volumes
//! members share with their family.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use colophon_domain::VolumeId;

use crate::StoreResult;

/// A family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyRecord {
    /// Its id (chosen by the service).
    pub id: String,
    /// A name for administrators.
    pub name: String,
    /// When it was created.
    pub created: DateTime<Utc>,
}

/// A user's membership of a family. A user belongs to one family at most.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyMemberRecord {
    /// The family.
    pub family_id: String,
    /// The member.
    pub user_id: String,
    /// `HEAD_OF_HOUSEHOLD`, `PARENT`, `MEMBER` or `CHILD`.
    pub role: String,
    /// When the user joined.
    pub joined: DateTime<Utc>,
}

/// A volume a member shares with their family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyShareRecord {
    /// The family.
    pub family_id: String,
    /// The member who shares it.
    pub user_id: String,
    /// The volume.
    pub volume_id: VolumeId,
    /// When it was shared.
    pub shared: DateTime<Utc>,
}

/// Storage of families, members and shares.
#[async_trait]
pub trait FamilyStore: Send + Sync {
    /// Creates a family; `false` (nothing written) when its id is taken.
    async fn insert_family(&self, family: &FamilyRecord) -> StoreResult<bool>;

    /// Every family, oldest first (then by id).
    async fn families(&self) -> StoreResult<Vec<FamilyRecord>>;

    /// Deletes a family with its memberships and shares; `false` when there was none.
    async fn delete_family(&self, family_id: &str) -> StoreResult<bool>;

    /// Adds a member; `false` (nothing written) when the user already belongs to a family.
    /// The family and the user must exist.
    async fn insert_family_member(&self, member: &FamilyMemberRecord) -> StoreResult<bool>;

    /// Removes a member and the shares they made; `false` when they were not a member.
    async fn delete_family_member(&self, family_id: &str, user_id: &str) -> StoreResult<bool>;

    /// The members of a family, in joining order (then by user id).
    async fn family_members(&self, family_id: &str) -> StoreResult<Vec<FamilyMemberRecord>>;

    /// The membership of a user, if any.
    async fn family_membership(&self, user_id: &str) -> StoreResult<Option<FamilyMemberRecord>>;

    /// Records a share; `false` (the first share kept) when it was already shared.
    async fn insert_family_share(&self, share: &FamilyShareRecord) -> StoreResult<bool>;

    /// Removes a share; `false` when there was none.
    async fn delete_family_share(
        &self,
        family_id: &str,
        user_id: &str,
        volume_id: &VolumeId,
    ) -> StoreResult<bool>;

    /// The volumes shared in a family, oldest share first (then by user and volume).
    async fn family_shares(&self, family_id: &str) -> StoreResult<Vec<FamilyShareRecord>>;
}
