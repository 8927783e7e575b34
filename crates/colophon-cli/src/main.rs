//! The `colophon` binary: parse, initialise tracing, dispatch.

use clap::Parser as _;

/// mimalloc instead of the system allocator: imports and searches allocate and free many small
/// objects from several threads, where glibc's malloc spends a fifth of an import's CPU.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
