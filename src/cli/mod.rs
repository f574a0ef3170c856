//! The command line: the same pipeline as the window, for scripts.
//!
//! Exit codes: 0 when every row is done, 1 when any row failed or was invalid (results
//! are still written), 2 on a usage or configuration error.

mod cancel;
mod confirm;
mod connect;
mod doctor;
mod entitle;
mod history;
mod journal_move;
mod onboard;
mod progress;
mod risk;
mod watch;

pub use cancel::{CancelArgs, run as cancel};
pub use connect::ConnectArgs;
pub use doctor::{DoctorArgs, run as doctor};
pub use entitle::{EntitleArgs, parse_duration, run as entitle};
pub use history::{HistoryArgs, run as history};
pub use journal_move::{JournalArgs, run as journal};
pub use onboard::{OnboardArgs, run as onboard};
pub use risk::{OnboardRiskArgs, RiskArgs, run as risk};
pub use watch::{WatchArgs, run as watch};

use crate::onboarding::journal::{Journal, is_postgres_url, redact_url};
use std::path::Path;
use std::sync::Arc;

use std::process::ExitCode;

/// A usage or configuration problem: printed, then exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub const EXIT_DONE: u8 = 0;
pub const EXIT_SOME_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Runs an async command on a fresh runtime, turning usage errors into exit code 2.
pub fn block_on(job: impl std::future::Future<Output = Result<u8, UsageError>>) -> ExitCode {
    // The same restricted-countries list as the window (an override in the data folder).
    if let Some(problem) =
        crate::store::Paths::platform().and_then(|paths| crate::restricted_countries::install_from(&paths.data_dir))
    {
        eprintln!("propdesk: {problem}");
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("propdesk: cannot start the async runtime: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match runtime.block_on(job) {
        Ok(code) => ExitCode::from(code),
        Err(UsageError(message)) => {
            eprintln!("propdesk: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Names a team journal (a PostgreSQL URL) when `--journal` is not given.
pub const JOURNAL_URL_VARIABLE: &str = "PROPDESK_JOURNAL_URL";

/// Opens the journal named by `--journal` (a file, or a `postgres://` URL shared by a
/// team), else by `PROPDESK_JOURNAL_URL`, else the window's file in the data folder.
/// A URL's password never reaches a message or the log.
pub fn open_journal(path: Option<&Path>, environment: &str) -> Result<Arc<Journal>, UsageError> {
    let from_variable = std::env::var(JOURNAL_URL_VARIABLE).ok().filter(|url| !url.trim().is_empty());
    let url = match (path.and_then(Path::to_str), from_variable) {
        (Some(flag), _) if is_postgres_url(flag) => Some(flag.to_string()),
        (None, Some(url)) if is_postgres_url(url.trim()) => Some(url.trim().to_string()),
        (None, Some(url)) => {
            return Err(UsageError(format!(
                "{JOURNAL_URL_VARIABLE} must be a postgres:// URL, not {:?}",
                redact_url(&url)
            )));
        }
        _ => None,
    };
    if let Some(url) = url {
        tracing::info!(journal = %redact_url(&url), environment, "opening the team journal");
        return Journal::open_postgres(&url, environment).map(Arc::new).map_err(|e| UsageError(e.to_string()));
    }
    let path = match path {
        Some(path) => path.to_path_buf(),
        // The window's journal, so the command line resumes what the window started.
        None => crate::store::Paths::platform()
            .map(|paths| paths.journal_file())
            .ok_or_else(|| UsageError("no data folder on this system: pass --journal FILE".into()))?,
    };
    Journal::open(&path, environment).map(Arc::new).map_err(|e| UsageError(format!("{}: {e}", path.display())))
}
