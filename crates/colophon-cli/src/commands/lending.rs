//! `colophon lending`: how many copies of a volume the library lends (`myconfig.requestAccess`
//! counts against it) and how many of one reader's devices may hold it offline.
//!
//! ```text
//! colophon lending set 9780141439518 --copies 3 --download-devices 2
//! colophon lending list
//! colophon lending remove kPbzR4LDkAkC
//! ```
//! A volume is named by its id or an ISBN. Without a policy a volume is not restricted.

use std::sync::Arc;

use clap::{Args, Subcommand};
use colophon_service::Licensing;
use colophon_store::LendingPolicy;

use crate::SettingsArgs;

/// Lending policies.
#[derive(Debug, Subcommand)]
pub enum LendingCommand {
    /// Lend a volume: the copies owned (devices reading at once) and, optionally, how many of
    /// one reader's devices may keep it offline.
    Set(SetArgs),
    /// Stop restricting a volume (its leases and download licenses are dropped).
    Remove(VolumeArgs),
    /// List the lent volumes.
    List(SettingsArgs),
}

/// `lending set`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// Volume id or ISBN.
    pub volume: String,
    /// Copies owned: how many devices may hold the volume at once, across all readers.
    #[arg(long)]
    pub copies: u32,
    /// How many of one reader's devices may hold an offline download license (no limit when
    /// left out).
    #[arg(long)]
    pub download_devices: Option<u32>,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `lending remove`.
#[derive(Debug, Args)]
pub struct VolumeArgs {
    /// Volume id or ISBN.
    pub volume: String,
    #[command(flatten)]
    settings: SettingsArgs,
}

async fn licensing(args: &SettingsArgs) -> anyhow::Result<(Licensing, colophon_service::Covers)> {
    let backend = crate::app::open_from_args(args).await?;
    let clock = backend.clock.clone();
    let licensing = Licensing::new(backend.catalog.clone(), Arc::new(move || clock.now()));
    Ok((licensing, backend.covers))
}

/// The volume id named by an id or ISBN.
async fn resolve(covers: &colophon_service::Covers, name: &str) -> anyhow::Result<String> {
    match covers.volume_for_stem(name.trim()).await? {
        Some(id) => Ok(id.as_str().to_owned()),
        None => anyhow::bail!("no volume has the id or ISBN {name:?}"),
    }
}

/// Runs a `lending` subcommand.
pub async fn run(cmd: LendingCommand) -> anyhow::Result<()> {
    match cmd {
        LendingCommand::Set(a) => {
            let (licensing, covers) = licensing(&a.settings).await?;
            let id = resolve(&covers, &a.volume).await?;
            let policy = LendingPolicy {
                copies: a.copies,
                download_devices: a.download_devices,
            };
            let id = licensing.set_policy(&id, Some(policy)).await?;
            println!("{}\t{}", id.as_str(), describe(&policy));
        }
        LendingCommand::Remove(a) => {
            let (licensing, covers) = licensing(&a.settings).await?;
            let id = resolve(&covers, &a.volume).await?;
            let id = licensing.set_policy(&id, None).await?;
            println!("{}\tnot lent", id.as_str());
        }
        LendingCommand::List(a) => {
            let (licensing, _) = licensing(&a).await?;
            for (id, policy) in licensing.policies().await? {
                println!("{}\t{}", id.as_str(), describe(&policy));
            }
        }
    }
    Ok(())
}

fn describe(p: &LendingPolicy) -> String {
    match p.download_devices {
        Some(d) => format!("copies={} download_devices={d}", p.copies),
        None => format!("copies={}", p.copies),
    }
}
