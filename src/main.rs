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
            let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
            let mut message = chain.join(": ");
            // Typed errors already embed their cause; avoid saying it twice.
            for part in chain.iter().skip(1) {
                let doubled = format!("{part}: {part}");
                message = message.replace(&doubled, part);
            }
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
