//! `colophon tokens issue`: an access token for a user and a client, without a browser.

use clap::{Args, Subcommand};

use super::users::open;
use crate::SettingsArgs;

/// Access tokens for operators and scripts.
#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Issue an access token (valid one hour) for USER and CLIENT; the token is printed alone
    /// on the last line. It is recorded as a grant like any other: it shows on the user's
    /// account page and can be revoked there or at `/revoke`.
    Issue(IssueArgs),
}

/// `tokens issue`.
#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The user's email.
    #[arg(long)]
    pub user: String,
    /// The OAuth client id.
    #[arg(long)]
    pub client: String,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// Runs a `tokens` subcommand.
pub async fn run(cmd: TokensCommand) -> anyhow::Result<()> {
    match cmd {
        TokensCommand::Issue(a) => {
            let auth = open(&a.settings).await?;
            let (token, client) = auth
                .issue_token_for(&a.user, &a.client)
                .await
                .map_err(|e| anyhow::anyhow!("cannot issue a token: {e}"))?;
            println!(
                "access token for {} via {:?}, scope {}, expires in {} s:",
                a.user, client.name, token.scope, token.expires_in
            );
            println!("{}", token.access_token);
        }
    }
    Ok(())
}
