//! `colophon config default`.

use clap::Subcommand;

/// Configuration helpers.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented example configuration file.
    Default,
}

/// Runs a `config` subcommand.
pub fn run(cmd: ConfigCommand) -> anyhow::Result<()> {
    match cmd {
        ConfigCommand::Default => print!("{}", crate::config::DEFAULT_CONFIG),
    }
    Ok(())
}
