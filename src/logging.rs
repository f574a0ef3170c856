//! Logging to stderr, filtered by `RUST_LOG` (default: warnings and errors, and our
//! own info lines), and for the window also to a rotating file in the logs folder.
//!
//! Nothing secret is ever logged: secrets are `Secret` values whose `Debug` and
//! `Display` are masked, and request bodies are never logged.

use crate::diagnostics::log_file::RotatingFile;
use std::path::Path;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Our info lines; other crates only from warn, since we cannot vouch that their
/// info lines hold no secret (and they are noise to a user sending a log).
const DEFAULT_FILTER: &str = "warn,propdesk=info";

fn filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER))
}

/// Stderr only (the command-line jobs).
pub fn init() {
    let _ = tracing_subscriber::fmt().with_env_filter(filter()).with_writer(std::io::stderr).try_init();
}

/// Stderr and `logs_dir/propdesk.log` (the window). A folder that cannot be written
/// leaves stderr logging and says so there.
pub fn init_with_file(logs_dir: &Path) {
    let file = match RotatingFile::open(logs_dir) {
        Ok(file) => Some(tracing_subscriber::fmt::layer().with_ansi(false).with_writer(file).with_filter(filter())),
        Err(error) => {
            eprintln!("propdesk: cannot write the log file in {}: {error}", logs_dir.display());
            None
        }
    };
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_filter(filter());
    let _ = tracing_subscriber::registry().with(stderr).with(file).try_init();
}
