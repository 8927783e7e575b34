//! `colophon keys create|list|revoke`.

use clap::{Args, Subcommand};

use crate::app::open_backend;
use crate::{Settings, SettingsArgs};

/// API key management.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key; the key itself is printed alone on the last line.
    Create(CreateArgs),
    /// List keys (ids, names, prefixes; never the keys).
    List(SettingsArgs),
    /// Revoke a key by its id (as shown by `keys list`).
    Revoke(RevokeArgs),
}

/// `keys create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// A name to recognise the key by.
    #[arg(long, default_value = "default")]
    pub name: String,
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
            let backend = open(&a.settings).await?;
            let created = backend.keys.create(&a.name).await?;
            println!(
                "created API key {} ({})",
                created.record.id, created.record.name
            );
            println!("{}", created.key);
        }
        KeysCommand::List(s) => {
            let backend = open(&s).await?;
            println!(
                "{:<12} {:<10} {:<25} {:<8} name",
                "id", "prefix", "created", "status"
            );
            for k in backend.keys.list().await? {
                let status = if k.revoked.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:<12} {:<10} {:<25} {:<8} {}",
                    k.id,
                    k.key_prefix,
                    k.created.format("%Y-%m-%dT%H:%M:%SZ"),
                    status,
                    k.name
                );
            }
        }
        KeysCommand::Revoke(a) => {
            let backend = open(&a.settings).await?;
            anyhow::ensure!(
                backend.keys.revoke(&a.id).await?,
                "no active API key has the id {}",
                a.id
            );
            println!("revoked API key {}", a.id);
        }
    }
    Ok(())
}

async fn open(args: &SettingsArgs) -> anyhow::Result<crate::app::Backend> {
    let settings = Settings::load(args)?;
    settings.validate()?;
    open_backend(&settings).await
}
