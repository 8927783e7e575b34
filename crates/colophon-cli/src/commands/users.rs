//! `colophon users create|list`: accounts, for administrators.

use std::io::Read as _;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::app::open_backend;
use crate::{Settings, SettingsArgs};

/// User accounts.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an account; the password is read from standard input (first line).
    Create(CreateArgs),
    /// List accounts (ids and emails).
    List(SettingsArgs),
}

/// `users create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Email address (the sign-in name).
    #[arg(long)]
    pub email: String,
    /// Read the password from standard input (required: passwords never go on the command
    /// line, where other users and shell history see them).
    #[arg(long, required = true)]
    pub password_stdin: bool,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// Runs a `users` subcommand.
pub async fn run(cmd: UsersCommand) -> anyhow::Result<()> {
    match cmd {
        UsersCommand::Create(a) => {
            let mut input = String::new();
            std::io::stdin()
                .take(4096)
                .read_to_string(&mut input)
                .context("reading the password from standard input")?;
            let password = input.lines().next().unwrap_or("");
            let auth = open(&a.settings).await?;
            let account = auth
                .create_user(&a.email, password)
                .await
                .map_err(|e| anyhow::anyhow!("cannot create the account: {e}"))?;
            println!("created user {} <{}>", account.id, account.email);
            println!("{}", account.id);
        }
        UsersCommand::List(s) => {
            let auth = open(&s).await?;
            println!("{:<22} {:<25} email", "id", "created");
            for u in auth.list_accounts().await? {
                println!(
                    "{:<22} {:<25} {}",
                    u.id,
                    u.created.format("%Y-%m-%dT%H:%M:%SZ"),
                    u.email
                );
            }
        }
    }
    Ok(())
}

/// The authorization server over the configured store (the issuer only matters for links).
pub(crate) async fn open(args: &SettingsArgs) -> anyhow::Result<colophon_auth::AuthServer> {
    let settings = Settings::load(args)?;
    settings.validate()?;
    let issuer = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", settings.listen));
    Ok(open_backend(&settings).await?.auth(&issuer))
}
