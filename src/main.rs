//! `motcua`: parse the command line, set up logging, run, and turn errors into one line and a
//! non-zero exit code.

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    let cli = motcua::cli::Cli::parse();
    let default_level = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level)),
        )
        .with_writer(std::io::stderr)
        .init();
    match motcua::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // Every error of the library carries its cause's message in its own (see
            // ARCHITECTURE.md, "Errors"), so the message alone is the whole story.
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
