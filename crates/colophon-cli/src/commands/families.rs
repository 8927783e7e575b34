//! `colophon families ...`: the families of family sharing, for administrators.

use std::sync::Arc;

use clap::{Args, Subcommand};
use colophon_service::{Families, Library};

use crate::SettingsArgs;

/// Families (`familysharing.*`): accounts that share volumes with each other.
#[derive(Debug, Subcommand)]
pub enum FamiliesCommand {
    /// Create a family; prints its id alone on the last line.
    Create(CreateArgs),
    /// List families.
    List(SettingsArgs),
    /// Show a family's members and shared volumes.
    Show(IdArgs),
    /// Add an account to a family (an account belongs to one family at most).
    Add(MemberArgs),
    /// Remove an account (and the volumes it shared) from a family.
    Remove(RemoveArgs),
    /// Delete a family with its memberships and shares.
    Delete(IdArgs),
}

/// `families create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// A name for administrators.
    #[arg(long)]
    pub name: String,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `families show|delete ID`.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The family id.
    pub id: String,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `families add ID --email E [--role R]`.
#[derive(Debug, Args)]
pub struct MemberArgs {
    /// The family id.
    pub id: String,
    /// The account's email.
    #[arg(long)]
    pub email: String,
    /// HEAD_OF_HOUSEHOLD, PARENT, MEMBER or CHILD (children see only books not rated mature).
    #[arg(long, default_value = "MEMBER")]
    pub role: String,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `families remove ID --email E`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The family id.
    pub id: String,
    /// The account's email.
    #[arg(long)]
    pub email: String,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// Runs a `families` subcommand.
pub async fn run(cmd: FamiliesCommand) -> anyhow::Result<()> {
    match cmd {
        FamiliesCommand::Create(a) => {
            let id = open(&a.settings).await?.create(&a.name).await?;
            println!("created family {id} ({})", a.name);
            println!("{id}");
        }
        FamiliesCommand::List(s) => {
            println!("{:<14} {:<25} name", "id", "created");
            for f in open(&s).await?.list().await? {
                println!(
                    "{:<14} {:<25} {}",
                    f.id,
                    f.created.format("%Y-%m-%dT%H:%M:%SZ"),
                    f.name
                );
            }
        }
        FamiliesCommand::Show(a) => {
            let d = open(&a.settings).await?.details(&a.id).await?;
            println!("family {} ({})", d.family.id, d.family.name);
            for (email, m) in &d.members {
                println!("member {email} {} {}", m.role, m.user_id);
            }
            for s in &d.shares {
                println!("shared {} by {}", s.volume_id, s.user_id);
            }
        }
        FamiliesCommand::Add(a) => {
            open(&a.settings)
                .await?
                .add_member(&a.id, &a.email, &a.role)
                .await?;
            println!("added {} to family {}", a.email, a.id);
        }
        FamiliesCommand::Remove(a) => {
            if open(&a.settings)
                .await?
                .remove_member(&a.id, &a.email)
                .await?
            {
                println!("removed {} from family {}", a.email, a.id);
            } else {
                anyhow::bail!("{} is not a member of family {}", a.email, a.id);
            }
        }
        FamiliesCommand::Delete(a) => {
            open(&a.settings).await?.delete(&a.id).await?;
            println!("deleted family {}", a.id);
        }
    }
    Ok(())
}

async fn open(args: &SettingsArgs) -> anyhow::Result<Families> {
    let backend = crate::app::open_from_args(args).await?;
    let clock = backend.clock.clone();
    let library = Library::new(backend.catalog.clone(), Arc::new(move || clock.now()));
    Ok(Families::new(&backend.catalog, library))
}
