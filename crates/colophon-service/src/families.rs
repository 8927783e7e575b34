//! `Families`: the family-sharing model (`familysharing.*` and `colophon families`).
//!
//! A family is a set of accounts that an administrator creates and fills (the CLI); each
//! account belongs to one family at most, with a role: `HEAD_OF_HOUSEHOLD`, `PARENT`, `MEMBER`
//! or `CHILD`. A member shares a volume from their own library (any shelf) with the family;
//! shares are kept per member and volume. A user without a family is not in one
//! (`isInFamily: false`) and cannot share.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use colophon_domain::VolumeId;
use colophon_store::{FamilyMemberRecord, FamilyRecord, FamilyShareRecord, Store, StoreError};

use crate::{Catalog, Library};

/// The roles a member can have, as `FamilyInfo.membership.role` spells them.
pub const ROLES: &[&str] = &["HEAD_OF_HOUSEHOLD", "PARENT", "MEMBER", "CHILD"];

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum FamilyError {
    /// No such family.
    #[error("no family with id {0}")]
    NoFamily(String),
    /// No such account.
    #[error("no account with email {0}")]
    NoUser(String),
    /// The account is in a family already.
    #[error("{0} already belongs to family {1}")]
    AlreadyInFamily(String, String),
    /// A role outside [`ROLES`].
    #[error("unknown role {0}: use one of HEAD_OF_HOUSEHOLD, PARENT, MEMBER, CHILD")]
    BadRole(String),
    /// The user is not in a family (share, unshare).
    #[error("The user is not a member of a family.")]
    NotInFamily,
    /// The volume is not in the user's library (share).
    #[error("The volume is not in the user's library.")]
    NotOwned,
    /// The volume does not exist.
    #[error("the volume ID could not be found")]
    VolumeNotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The library failed.
    #[error("{0}")]
    Library(String),
}

/// A user's place in their family (`FamilyInfo.membership`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The family.
    pub family_id: String,
    /// The role.
    pub role: String,
}

impl Membership {
    /// `ageGroup`: `CHILD` for children, `ADULT` otherwise.
    pub fn age_group(&self) -> &'static str {
        if self.role == "CHILD" {
            "CHILD"
        } else {
            "ADULT"
        }
    }

    /// `allowedMaturityRating` (the discovery spelling): children are limited to books not
    /// rated mature.
    pub fn allowed_maturity(&self) -> &'static str {
        if self.role == "CHILD" {
            "not-mature"
        } else {
            "MATURE"
        }
    }
}

/// A family with its members (emails) and shares, for administrators.
#[derive(Debug, Clone)]
pub struct FamilyDetails {
    /// The family.
    pub family: FamilyRecord,
    /// `(email, membership)` in joining order.
    pub members: Vec<(String, FamilyMemberRecord)>,
    /// The shares, oldest first.
    pub shares: Vec<FamilyShareRecord>,
}

/// The family service.
#[derive(Clone)]
pub struct Families {
    store: Arc<dyn Store>,
    library: Library,
}

impl Families {
    /// The service over the catalog's store and the users' libraries.
    pub fn new(catalog: &Catalog, library: Library) -> Self {
        Self {
            store: catalog.store().clone(),
            library,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.library.now()
    }

    /// Creates a family named `name`; returns its id.
    pub async fn create(&self, name: &str) -> Result<String, FamilyError> {
        loop {
            let id = format!("fam-{}", random_suffix());
            let created = self
                .store
                .insert_family(&FamilyRecord {
                    id: id.clone(),
                    name: name.to_owned(),
                    created: self.now(),
                })
                .await?;
            if created {
                return Ok(id);
            }
        }
    }

    /// Every family.
    pub async fn list(&self) -> Result<Vec<FamilyRecord>, FamilyError> {
        Ok(self.store.families().await?)
    }

    /// A family with its members and shares.
    pub async fn details(&self, family_id: &str) -> Result<FamilyDetails, FamilyError> {
        let family = self.family(family_id).await?;
        let mut members = Vec::new();
        for m in self.store.family_members(family_id).await? {
            let email = self
                .store
                .find_user(&m.user_id)
                .await?
                .map(|u| u.email)
                .unwrap_or_default();
            members.push((email, m));
        }
        let shares = self.store.family_shares(family_id).await?;
        Ok(FamilyDetails {
            family,
            members,
            shares,
        })
    }

    async fn family(&self, family_id: &str) -> Result<FamilyRecord, FamilyError> {
        self.store
            .families()
            .await?
            .into_iter()
            .find(|f| f.id == family_id)
            .ok_or_else(|| FamilyError::NoFamily(family_id.to_owned()))
    }

    /// Deletes a family, its memberships and shares.
    pub async fn delete(&self, family_id: &str) -> Result<(), FamilyError> {
        if self.store.delete_family(family_id).await? {
            Ok(())
        } else {
            Err(FamilyError::NoFamily(family_id.to_owned()))
        }
    }

    /// Adds the account `email` to a family with `role`.
    pub async fn add_member(
        &self,
        family_id: &str,
        email: &str,
        role: &str,
    ) -> Result<(), FamilyError> {
        let role = role.trim().to_ascii_uppercase();
        if !ROLES.contains(&role.as_str()) {
            return Err(FamilyError::BadRole(role));
        }
        self.family(family_id).await?;
        let user = self.user(email).await?;
        let added = self
            .store
            .insert_family_member(&FamilyMemberRecord {
                family_id: family_id.to_owned(),
                user_id: user.clone(),
                role,
                joined: self.now(),
            })
            .await?;
        if added {
            return Ok(());
        }
        let other = self
            .store
            .family_membership(&user)
            .await?
            .map(|m| m.family_id)
            .unwrap_or_default();
        Err(FamilyError::AlreadyInFamily(email.to_owned(), other))
    }

    /// Removes the account `email` (and their shares) from a family.
    pub async fn remove_member(&self, family_id: &str, email: &str) -> Result<bool, FamilyError> {
        let user = self.user(email).await?;
        Ok(self.store.delete_family_member(family_id, &user).await?)
    }

    async fn user(&self, email: &str) -> Result<String, FamilyError> {
        self.store
            .find_user_by_email(&email.trim().to_lowercase())
            .await?
            .map(|u| u.id)
            .ok_or_else(|| FamilyError::NoUser(email.to_owned()))
    }

    /// The family membership of `user_id`, if any.
    pub async fn membership(&self, user_id: &str) -> Result<Option<Membership>, FamilyError> {
        Ok(self
            .store
            .family_membership(user_id)
            .await?
            .map(|m| Membership {
                family_id: m.family_id,
                role: m.role,
            }))
    }

    /// `familysharing.share`: shares a volume of the user's library with their family
    /// (sharing it again changes nothing).
    pub async fn share(&self, user_id: &str, volume_id: &str) -> Result<(), FamilyError> {
        let (family, volume) = self.check(user_id, volume_id).await?;
        // On one of the user's shelves: one lookup of this volume, not the whole library.
        let shelves = self
            .library
            .shelves_holding(user_id, &volume)
            .await
            .map_err(|e| FamilyError::Library(e.to_string()))?;
        if shelves.is_empty() {
            return Err(FamilyError::NotOwned);
        }
        self.store
            .insert_family_share(&FamilyShareRecord {
                family_id: family,
                user_id: user_id.to_owned(),
                volume_id: volume,
                shared: self.now(),
            })
            .await?;
        Ok(())
    }

    /// `familysharing.unshare`: stops sharing a volume (one not shared changes nothing).
    pub async fn unshare(&self, user_id: &str, volume_id: &str) -> Result<(), FamilyError> {
        let (family, volume) = self.check(user_id, volume_id).await?;
        self.store
            .delete_family_share(&family, user_id, &volume)
            .await?;
        Ok(())
    }

    /// The user's family and the (existing) volume.
    async fn check(
        &self,
        user_id: &str,
        volume_id: &str,
    ) -> Result<(String, VolumeId), FamilyError> {
        let volume = VolumeId::parse(volume_id).map_err(|_| FamilyError::VolumeNotFound)?;
        if self.store.get_volume(&volume).await?.is_none() {
            return Err(FamilyError::VolumeNotFound);
        }
        let family = self
            .membership(user_id)
            .await?
            .ok_or(FamilyError::NotInFamily)?;
        Ok((family.family_id, volume))
    }
}

/// Eight random lower-case letters and digits.
fn random_suffix() -> String {
    use rand::Rng as _;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}
