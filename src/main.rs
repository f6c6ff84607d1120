//! `motcua`: parse the command line, set up logging, run, and turn errors into one line and a
//! non-zero exit code.

use std::io::IsTerminal;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// jemalloc instead of glibc's allocator: `motcua serve` answers from a pool of threads, glibc
/// gives each its own arena and keeps what it freed there, and a soak of the load bench saw the
/// server's memory creep up 14 % in seven rounds (183 → 242 MB); with jemalloc it stays flat.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Exit code after the reader of stdout went away (`motcua … | head`): 128 + SIGPIPE, what a
/// program killed by the signal reports, so a pipeline sees the usual status.
const EXIT_BROKEN_PIPE: i32 = 141;

/// `println!` panics when stdout is closed or full. Such a panic is not a bug of motcua but the
/// end of its reader, so it ends the process with one line (or none for a closed pipe) instead
/// of a panic report; every other panic keeps the default report.
fn exit_quietly_when_stdout_fails() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if let Some(reason) = message.strip_prefix("failed printing to stdout: ") {
            if reason.starts_with("Broken pipe") {
                std::process::exit(EXIT_BROKEN_PIPE);
            }
            eprintln!("error: cannot write to stdout: {reason}");
            std::process::exit(1);
        }
        default_hook(info);
    }));
}

fn main() -> std::process::ExitCode {
    exit_quietly_when_stdout_fails();
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
        // Colour codes only for a person at a terminal, not in a redirected log.
        .with_ansi(std::io::stderr().is_terminal())
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
