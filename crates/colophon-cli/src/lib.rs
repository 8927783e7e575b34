#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod app;
pub mod commands;
pub mod config;

use clap::{Parser, Subcommand};

pub use config::{Settings, SettingsArgs};

/// Colophon: the Books API v1 over your own catalog.
#[derive(Debug, Parser)]
#[command(name = "colophon", version, about)]
pub struct Cli {
    /// Log format: `pretty` or `json`.
    #[arg(
        long,
        global = true,
        env = "COLOPHON_LOG_FORMAT",
        default_value = "pretty"
    )]
    pub log_format: String,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the Books API.
    Serve(commands::serve::ServeArgs),
    /// Apply database migrations.
    Migrate(SettingsArgs),
    /// Rebuild the search index from the store.
    Reindex(SettingsArgs),
    /// Import records into the catalog.
    Import(commands::import::ImportArgs),
    /// Export the catalog as JSON Lines (`import --format jsonl` reads it back).
    Export(commands::import::ExportArgs),
    /// Manage API keys.
    #[command(subcommand)]
    Keys(commands::keys::KeysCommand),
    /// Manage developer-console projects (Books API switch, quotas, usage).
    #[command(subcommand)]
    Projects(commands::projects::ProjectsCommand),
    /// Cover images (`covers import DIR`).
    #[command(subcommand)]
    Covers(commands::covers::CoversCommand),
    /// Lent volumes: copies owned and offline device limits (`myconfig.requestAccess`).
    #[command(subcommand)]
    Lending(commands::lending::LendingCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    Users(commands::users::UsersCommand),
    /// Manage families (family sharing).
    #[command(subcommand)]
    Families(commands::families::FamiliesCommand),
    /// Manage OAuth clients.
    #[command(subcommand)]
    Clients(commands::clients::ClientsCommand),
    /// Issue access tokens.
    #[command(subcommand)]
    Tokens(commands::tokens::TokensCommand),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(commands::config::ConfigCommand),
}

impl Cli {
    /// Tokio worker threads: `COLOPHON_WORKER_THREADS` or the number of cores.
    pub fn worker_threads(&self) -> usize {
        std::env::var("COLOPHON_WORKER_THREADS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(usize::from)
                    .unwrap_or(2)
            })
    }
}

/// Logs go to stderr; stdout is kept for what commands print (keys, listen address).
pub fn init_tracing(cli: &Cli) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("COLOPHON_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,tantivy=warn,sqlx=warn,tower_http=warn")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if cli.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => commands::serve::run(args).await,
        Command::Migrate(args) => commands::maintenance::migrate(args).await,
        Command::Reindex(args) => commands::maintenance::reindex(args).await,
        Command::Import(args) => commands::import::run(args).await,
        Command::Export(args) => commands::import::export(args).await,
        Command::Keys(cmd) => commands::keys::run(cmd).await,
        Command::Projects(cmd) => commands::projects::run(cmd).await,
        Command::Covers(cmd) => commands::covers::run(cmd).await,
        Command::Lending(cmd) => commands::lending::run(cmd).await,
        Command::Users(cmd) => commands::users::run(cmd).await,
        Command::Families(cmd) => commands::families::run(cmd).await,
        Command::Clients(cmd) => commands::clients::run(cmd).await,
        Command::Tokens(cmd) => commands::tokens::run(cmd).await,
        Command::Config(cmd) => commands::config::run(cmd),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn verify_cli() {
        use clap::CommandFactory as _;
        super::Cli::command().debug_assert();
    }
}
