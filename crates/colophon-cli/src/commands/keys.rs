//! `colophon keys create|list|revoke|rename|restrict|regenerate`: keys belong to projects (the
//! legacy project when none is named); restrictions and regeneration go through the console
//! service, like the web console.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use colophon_service::Actor;

use super::projects::open_console;

use crate::SettingsArgs;

/// API key management.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key; the key itself is printed alone on the last line.
    Create(CreateArgs),
    /// List keys (ids, names, prefixes; never the keys).
    List(SettingsArgs),
    /// Revoke a key by its id (as shown by `keys list`).
    Revoke(RevokeArgs),
    /// Replace a key's referrer and IP restrictions (none given: unrestricted).
    Restrict(RestrictArgs),
    /// Rename a key.
    Rename(RenameArgs),
    /// Make a new key with the same name and restrictions and revoke the old one; the new
    /// key is printed alone on the last line.
    Regenerate(RevokeArgs),
}

/// `keys restrict`.
#[derive(Debug, Args)]
pub struct RestrictArgs {
    /// Key id (`k_…`).
    pub id: String,
    /// An HTTP referrer pattern (repeatable), e.g. `*.example.com/*`.
    #[arg(long = "referrer")]
    pub referrers: Vec<String>,
    /// A client IP address or CIDR range (repeatable), e.g. `192.0.2.0/24`.
    #[arg(long = "ip")]
    pub ips: Vec<String>,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `keys rename`.
#[derive(Debug, Args)]
pub struct RenameArgs {
    /// Key id (`k_…`).
    pub id: String,
    /// New name.
    #[arg(long)]
    pub name: String,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `keys create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// A name to recognise the key by.
    #[arg(long, default_value = "default")]
    pub name: String,
    /// The project (id); default: the legacy project.
    #[arg(long)]
    pub project: Option<String>,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `keys revoke`.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// Key id (`k_…`).
    pub id: String,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// Runs a `keys` subcommand.
pub async fn run(cmd: KeysCommand) -> anyhow::Result<()> {
    match cmd {
        KeysCommand::Create(a) => {
            let console = open_console(&a.settings).await?;
            let project = match a.project {
                Some(p) => p,
                None => console.legacy_project().await?.id,
            };
            let created = console.create_key(&Actor::Cli, &project, &a.name).await?;
            println!(
                "created API key {} ({})",
                created.record.id, created.record.name
            );
            println!("{}", created.key);
        }
        KeysCommand::List(s) => {
            let backend = crate::app::open_from_args(&s).await?;
            let console = open_console(&s).await?;
            println!(
                "{:<12} {:<10} {:<25} {:<8} {:<14} name",
                "id", "prefix", "created", "status", "project"
            );
            for k in backend.keys.list().await? {
                let project = console.key_project(&k.id).await?.unwrap_or_default();
                let status = if k.revoked.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:<12} {:<10} {:<25} {:<8} {:<14} {}",
                    k.id,
                    k.key_prefix,
                    k.created.format("%Y-%m-%dT%H:%M:%SZ"),
                    status,
                    project,
                    k.name
                );
            }
        }
        KeysCommand::Revoke(a) => {
            let backend = crate::app::open_from_args(&a.settings).await?;
            anyhow::ensure!(
                backend.keys.revoke(&a.id).await?,
                "no active API key has the id {}",
                a.id
            );
            println!("revoked API key {}", a.id);
        }
        KeysCommand::Restrict(a) => {
            let console = open_console(&a.settings).await?;
            let project = console
                .key_project(&a.id)
                .await?
                .with_context(|| format!("no API key has the id {}", a.id))?;
            let s = console
                .set_key_restrictions(&Actor::Cli, &project, &a.id, &a.referrers, &a.ips)
                .await?;
            println!(
                "API key {}: referrers [{}], IP ranges [{}]",
                a.id,
                s.referrers.join(", "),
                s.ip_ranges.join(", ")
            );
        }
        KeysCommand::Rename(a) => {
            let console = open_console(&a.settings).await?;
            let project = console
                .key_project(&a.id)
                .await?
                .with_context(|| format!("no API key has the id {}", a.id))?;
            console
                .rename_key(&Actor::Cli, &project, &a.id, &a.name)
                .await?;
            println!("renamed API key {} to {}", a.id, a.name.trim());
        }
        KeysCommand::Regenerate(a) => {
            let console = open_console(&a.settings).await?;
            let project = console
                .key_project(&a.id)
                .await?
                .with_context(|| format!("no API key has the id {}", a.id))?;
            let created = console.regenerate_key(&Actor::Cli, &project, &a.id).await?;
            println!(
                "regenerated API key {} as {} ({}); the old key is revoked",
                a.id, created.record.id, created.record.name
            );
            println!("{}", created.key);
        }
    }
    Ok(())
}
