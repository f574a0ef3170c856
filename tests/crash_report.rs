//! A panic in the real binary (a debug-only path) leaves a crash report a user can
//! send: version, backtrace, last log lines, and no secret.

use std::process::Command;

#[test]
fn a_panic_writes_a_crash_report_with_version_and_backtrace_but_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let password = "hunter2-very-secret";
    let output = Command::new(env!("CARGO_BIN_EXE_propdesk"))
        .env("PROPDESK_DIR", dir.path())
        .env("PROPDESK_DEBUG_PANIC", "1")
        .env("TRADOVATE_PASSWORD", password)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LOG")
        .output()
        .expect("propdesk runs");
    assert!(!output.status.success(), "the forced panic ends the process");

    let logs = dir.path().join("logs");
    let pending = std::fs::read_to_string(logs.join("crash-pending")).expect("the next start is told about the crash");
    let report = std::fs::read_to_string(logs.join(pending.trim())).expect("the crash report exists");
    assert!(report.contains(&format!("Propdesk {} crashed", env!("CARGO_PKG_VERSION"))), "{report}");
    assert!(report.contains(std::env::consts::OS), "{report}");
    assert!(report.contains("forced by PROPDESK_DEBUG_PANIC"), "{report}");
    // A real backtrace, even without RUST_BACKTRACE: it names the function that panicked.
    assert!(report.contains("force_panic_if_asked"), "{report}");
    assert!(report.contains("starting on"), "the last log lines are included: {report}");
    assert!(!report.contains(password), "{report}");

    let log = std::fs::read_to_string(logs.join("propdesk.log")).expect("the window logs to a file");
    assert!(log.contains("starting on"), "{log}");
    assert!(!log.contains(password), "{log}");
}
