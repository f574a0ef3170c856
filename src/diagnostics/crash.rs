//! Crash reports: the panic hook writes `crash-<time>.txt` (version, OS, message,
//! backtrace, last log lines) into the logs folder and leaves a marker so the next
//! start of the window can offer the folder. Secrets are scrubbed before writing.

use super::log_file;
use crate::api::secret::MASK;
use std::path::{Path, PathBuf};

/// Marker left by the hook: the report the user has not been told about yet.
pub const PENDING_FILE: &str = "crash-pending";
/// Log lines copied into a report.
const LOG_LINES: usize = 50;
/// Environment variables whose values are secrets the CLI reads (cli::connect).
const SECRET_VARIABLES: [&str; 2] = ["TRADOVATE_PASSWORD", "TRADOVATE_SECRET"];

/// Writes a report on every panic, then runs the previous hook (stderr message).
pub fn install(logs_dir: PathBuf) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let backtrace = std::backtrace::Backtrace::force_capture();
        let thread = std::thread::current().name().unwrap_or("unnamed").to_string();
        let text = report(&info.to_string(), &thread, &backtrace.to_string(), &log_file::tail(&logs_dir, LOG_LINES));
        // Only the main thread's panic ends the app (the window and the CLI run there);
        // background jobs' panics are caught and shown as a toast, so the next start
        // must not say the app closed.
        let fatal = thread == "main";
        match write(&logs_dir, &text, fatal) {
            Ok(path) => eprintln!("propdesk: a crash report was written to {}", path.display()),
            Err(error) => eprintln!("propdesk: the crash report could not be written: {error}"),
        }
        previous(info);
    }));
}

/// The report's text, scrubbed of secrets.
fn report(panic: &str, thread: &str, backtrace: &str, log_lines: &[String]) -> String {
    let text = format!(
        "Propdesk {version} crashed\nTime: {time}\nOS: {os} {arch}\nThread: {thread}\n\n\
         Panic:\n{panic}\n\nBacktrace:\n{backtrace}\n\nLast log lines:\n{log}\n",
        version = env!("CARGO_PKG_VERSION"),
        time = chrono::Utc::now().to_rfc3339(),
        os = std::env::consts::OS,
        arch = std::env::consts::ARCH,
        log = log_lines.join("\n"),
    );
    scrub(&text, &secret_values())
}

fn secret_values() -> Vec<String> {
    SECRET_VARIABLES.iter().filter_map(|name| std::env::var(name).ok()).collect()
}

/// Masks every known secret value. Very short values are left: masking "a" would
/// shred the report and such a value protects nothing anyway.
fn scrub(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .filter(|secret| secret.chars().count() >= 4)
        .fold(text.to_string(), |text, secret| text.replace(secret.as_str(), MASK))
}

/// `fatal`: also leave the marker for the next start's offer.
fn write(logs_dir: &Path, text: &str, fatal: bool) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(logs_dir)?;
    let name = format!("crash-{}.txt", chrono::Utc::now().format("%Y%m%d-%H%M%S%.3f"));
    let path = logs_dir.join(&name);
    std::fs::write(&path, text)?;
    if fatal {
        std::fs::write(logs_dir.join(PENDING_FILE), &name)?;
    }
    Ok(path)
}

/// Debug builds only: `PROPDESK_DEBUG_PANIC=1` panics at start, with the CLI's
/// password in the message, so a test can see the report written and scrubbed.
#[cfg(debug_assertions)]
pub const FORCE_PANIC_VARIABLE: &str = "PROPDESK_DEBUG_PANIC";

#[cfg(debug_assertions)]
pub fn force_panic_if_asked() {
    if std::env::var_os(FORCE_PANIC_VARIABLE).is_some() {
        let careless = std::env::var(SECRET_VARIABLES[0]).unwrap_or_default();
        panic!("forced by {FORCE_PANIC_VARIABLE} (a careless message: password={careless})");
    }
}

/// The report from a crash the user was not told about yet (blocking: call it off
/// the UI thread or before the window exists).
pub fn pending(logs_dir: &Path) -> Option<PathBuf> {
    let name = std::fs::read_to_string(logs_dir.join(PENDING_FILE)).ok()?;
    Some(logs_dir.join(name.trim()))
}

/// The user saw the offer: do not offer it again.
pub fn acknowledge(logs_dir: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(logs_dir.join(PENDING_FILE)) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_masks_secret_values_wherever_they_appear() {
        let secrets = vec!["hunter22".to_string(), "x".to_string()];
        let text = scrub("password hunter22 in hunter22-x", &secrets);
        assert_eq!(text, format!("password {MASK} in {MASK}-x"));
    }

    #[test]
    fn a_written_report_is_pending_until_acknowledged() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(pending(dir.path()), None);
        write(dir.path(), "a background job's panic", false).unwrap();
        assert_eq!(pending(dir.path()), None, "the app did not close: nothing to offer");
        let path = write(dir.path(), "report", true).unwrap();
        assert_eq!(pending(dir.path()), Some(path));
        acknowledge(dir.path()).unwrap();
        assert_eq!(pending(dir.path()), None);
        acknowledge(dir.path()).unwrap();
    }
}
