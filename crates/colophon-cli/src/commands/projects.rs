//! `colophon projects create|list|rename|enable|disable|quota|delete|usage`: the developer
//! console's projects from the command line, through the same service as the web console
//! (acting as an administrator).

use anyhow::Context as _;
use clap::{Args, Subcommand};
use colophon_service::{Actor, Console};

use crate::app::open_backend;
use crate::{Settings, SettingsArgs};

/// Projects.
#[derive(Debug, Subcommand)]
pub enum ProjectsCommand {
    /// Create a project (the Books API starts disabled); prints its id.
    Create(CreateArgs),
    /// List every project.
    List(SettingsArgs),
    /// Rename a project.
    Rename(RenameArgs),
    /// Enable the Books API in a project.
    Enable(IdArgs),
    /// Disable the Books API in a project.
    Disable(IdArgs),
    /// Set or clear a project's quota overrides.
    Quota(QuotaArgs),
    /// Delete a project, revoking its keys and deleting its OAuth clients.
    Delete(DeleteArgs),
    /// Print a project's usage as JSON.
    Usage(UsageArgs),
}

/// `projects create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Display name (also the application name on the consent page).
    #[arg(long)]
    pub name: String,
    /// Email of the owning account (default: no owner; administrators manage it).
    #[arg(long)]
    pub owner: Option<String>,
    /// Enable the Books API at once.
    #[arg(long)]
    pub enable: bool,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// A project id.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// Project id (`p-…`, or `legacy`).
    pub id: String,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `projects rename`.
#[derive(Debug, Args)]
pub struct RenameArgs {
    /// Project id.
    pub id: String,
    /// New name.
    #[arg(long)]
    pub name: String,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `projects quota`: `none` clears an override (the server default applies again).
#[derive(Debug, Args)]
pub struct QuotaArgs {
    /// Project id.
    pub id: String,
    /// Requests per UTC day, or `none`.
    #[arg(long)]
    pub per_day: Option<String>,
    /// Requests per minute per quota user, or `none`.
    #[arg(long)]
    pub per_minute_per_user: Option<String>,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `projects delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Project id.
    pub id: String,
    /// Confirm the deletion.
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `projects usage`.
#[derive(Debug, Args)]
pub struct UsageArgs {
    /// Project id.
    pub id: String,
    /// Days to cover, today included.
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// The console service over the configured store.
pub(crate) async fn open_console(args: &SettingsArgs) -> anyhow::Result<Console> {
    let settings = Settings::load(args)?;
    settings.validate()?;
    let issuer = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", settings.listen));
    let backend = open_backend(&settings).await?;
    let auth = backend.auth(&issuer);
    Ok(backend.console(auth, &settings))
}

fn parse_limit(v: Option<&str>, current: Option<i64>) -> anyhow::Result<Option<i64>> {
    match v {
        None => Ok(current),
        Some("none") => Ok(None),
        Some(n) => Ok(Some(n.parse().with_context(|| {
            format!("a quota is a number or `none`, not {n:?}")
        })?)),
    }
}

fn print_project(console: &Console, p: &colophon_store::ProjectRecord) {
    let (day, minute) = console.effective_limits(p);
    let show = |v: Option<i64>| v.map_or("unlimited".to_owned(), |v| v.to_string());
    println!(
        "{:<14} {:<13} {:<8} {:>10} {:>10} {}",
        p.id,
        p.number,
        if p.books_api_enabled {
            "enabled"
        } else {
            "disabled"
        },
        show(day),
        show(minute),
        p.name
    );
}

/// Runs a `projects` subcommand.
pub async fn run(cmd: ProjectsCommand) -> anyhow::Result<()> {
    let actor = Actor::Cli;
    match cmd {
        ProjectsCommand::Create(a) => {
            let console = open_console(&a.settings).await?;
            let owner = match &a.owner {
                Some(email) => Some(
                    console
                        .account_id_by_email(email)
                        .await?
                        .with_context(|| format!("no account has the email {email}"))?,
                ),
                None => None,
            };
            let mut p = console
                .create_project(&actor, owner.as_deref(), &a.name)
                .await?;
            if a.enable {
                p = console.set_books_api(&actor, &p.id, true).await?;
            }
            println!("created project {} (number {}): {}", p.id, p.number, p.name);
        }
        ProjectsCommand::List(s) => {
            let console = open_console(&s).await?;
            println!(
                "{:<14} {:<13} {:<8} {:>10} {:>10} name",
                "id", "number", "books", "per day", "per min"
            );
            for p in console.projects(&actor).await? {
                print_project(&console, &p);
            }
        }
        ProjectsCommand::Rename(a) => {
            let console = open_console(&a.settings).await?;
            let p = console.rename_project(&actor, &a.id, &a.name).await?;
            println!("renamed project {} to {}", p.id, p.name);
        }
        ProjectsCommand::Enable(a) => {
            let console = open_console(&a.settings).await?;
            console.set_books_api(&actor, &a.id, true).await?;
            println!("enabled the Books API in project {}", a.id);
        }
        ProjectsCommand::Disable(a) => {
            let console = open_console(&a.settings).await?;
            console.set_books_api(&actor, &a.id, false).await?;
            println!("disabled the Books API in project {}", a.id);
        }
        ProjectsCommand::Quota(a) => {
            let console = open_console(&a.settings).await?;
            let p = console.project(&actor, &a.id).await?;
            let day = parse_limit(a.per_day.as_deref(), p.daily_limit)?;
            let minute = parse_limit(a.per_minute_per_user.as_deref(), p.user_minute_limit)?;
            let p = console.set_quota(&actor, &a.id, day, minute).await?;
            print_project(&console, &p);
        }
        ProjectsCommand::Delete(a) => {
            anyhow::ensure!(
                a.yes,
                "deleting project {} revokes its keys and deletes its OAuth clients; add --yes to confirm",
                a.id
            );
            let console = open_console(&a.settings).await?;
            console.delete_project(&actor, &a.id).await?;
            println!("deleted project {}", a.id);
        }
        ProjectsCommand::Usage(a) => {
            let console = open_console(&a.settings).await?;
            let report = console.usage_report(&actor, &a.id, a.days).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
    }
    Ok(())
}
