//! `colophon clients create|list|delete|set-redirect-uris|reset-secret`: OAuth clients, created in a project (the legacy
//! project when none is named) through the console service.

use clap::{Args, Subcommand, ValueEnum};
use colophon_auth::clients::NewClient;
use colophon_auth::ClientKind;

use colophon_service::Actor;

use super::projects::open_console;
use super::users::open;
use crate::SettingsArgs;

/// OAuth clients.
#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Register a client; prints its id and secret (the secret alone on the last line).
    Create(CreateArgs),
    /// List clients (never their secrets).
    List(SettingsArgs),
    /// Delete a client: it can no longer authenticate and its tokens stop working.
    Delete(DeleteArgs),
    /// Replace a client's redirect URIs.
    SetRedirectUris(RedirectUrisArgs),
    /// Give a client a new secret (printed alone on the last line); the old one stops working.
    ResetSecret(DeleteArgs),
}

/// `clients set-redirect-uris`.
#[derive(Debug, Args)]
pub struct RedirectUrisArgs {
    /// Client id.
    pub id: String,
    /// A redirect URI (repeatable).
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// Client types, as Google's console names them.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// Web application (confidential; registered redirect URIs, exact match).
    Web,
    /// Desktop app (loopback redirects on any port).
    Installed,
    /// TVs and limited-input devices (device flow).
    Tv,
}

/// `clients create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Application name shown on the consent page.
    #[arg(long)]
    pub name: String,
    /// Client type.
    #[arg(long = "type", value_enum)]
    pub kind: KindArg,
    /// A redirect URI (repeatable); web clients need at least one.
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    /// Installed clients only: no secret, PKCE required (a public native client).
    #[arg(long)]
    pub public: bool,
    /// The project (id); default: the legacy project.
    #[arg(long)]
    pub project: Option<String>,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `clients delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Client id.
    pub id: String,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// Runs a `clients` subcommand.
pub async fn run(cmd: ClientsCommand) -> anyhow::Result<()> {
    match cmd {
        ClientsCommand::Create(a) => {
            let console = open_console(&a.settings).await?;
            let project = match a.project {
                Some(p) => p,
                None => console.legacy_project().await?.id,
            };
            let kind = match a.kind {
                KindArg::Web => ClientKind::Web,
                KindArg::Installed => ClientKind::Installed,
                KindArg::Tv => ClientKind::Tv,
            };
            let created = console
                .create_client(
                    &Actor::Cli,
                    &project,
                    NewClient {
                        name: a.name,
                        kind,
                        redirect_uris: a.redirect_uris,
                        public: a.public,
                    },
                )
                .await
                .map_err(|e| anyhow::anyhow!("cannot register the client: {e}"))?;
            let c = &created.client;
            println!("created {} client {:?}", c.kind, c.name);
            println!("client_id: {}", c.id);
            match &created.secret {
                Some(secret) => {
                    println!("client_secret (shown once):");
                    println!("{secret}");
                }
                None => println!("public client: no secret, PKCE required"),
            }
        }
        ClientsCommand::List(s) => {
            let auth = open(&s).await?;
            println!("{:<60} {:<10} {:<8} name", "id", "type", "status");
            for c in auth.list_clients().await? {
                let status = if c.deleted.is_some() {
                    "deleted"
                } else {
                    "active"
                };
                println!("{:<60} {:<10} {:<8} {}", c.id, c.kind, status, c.name);
            }
        }
        ClientsCommand::Delete(a) => {
            let auth = open(&a.settings).await?;
            anyhow::ensure!(
                auth.delete_client(&a.id).await?,
                "no active OAuth client has the id {}",
                a.id
            );
            println!("deleted OAuth client {}", a.id);
        }
        ClientsCommand::SetRedirectUris(a) => {
            let console = open_console(&a.settings).await?;
            let project = client_project(&console, &a.id).await?;
            console
                .set_client_redirect_uris(&Actor::Cli, &project, &a.id, &a.redirect_uris)
                .await?;
            println!(
                "OAuth client {}: redirect URIs [{}]",
                a.id,
                a.redirect_uris.join(", ")
            );
        }
        ClientsCommand::ResetSecret(a) => {
            let console = open_console(&a.settings).await?;
            let project = client_project(&console, &a.id).await?;
            let secret = console
                .reset_client_secret(&Actor::Cli, &project, &a.id)
                .await?;
            println!(
                "client_secret of {} (shown once; the old one no longer works):",
                a.id
            );
            println!("{secret}");
        }
    }
    Ok(())
}

/// The project of a client, or an error naming it.
async fn client_project(console: &colophon_service::Console, id: &str) -> anyhow::Result<String> {
    console
        .client_project(id)
        .await?
        .map(|p| p.id)
        .ok_or_else(|| anyhow::anyhow!("no OAuth client in a project has the id {id}"))
}
