//! The `colophon` binary: parse, initialise tracing, dispatch.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = colophon_cli::Cli::parse();
    colophon_cli::init_tracing(&cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cli.worker_threads())
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("colophon: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(colophon_cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("colophon: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
