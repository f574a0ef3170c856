//! The onboarding pipeline against the sandbox: batching, per-row results, faults,
//! and resuming from the journal.

#[path = "../api/support.rs"]
#[allow(dead_code)]
mod support;

mod agreements;
mod cli;
mod cli_risk;
mod doctor;
mod grants;
mod history;
mod risk;
mod runs;
mod team;
mod watch;
