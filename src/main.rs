//! `propdesk`: the window by default, or a command-line job. Everything else lives in
//! the library; this file only parses arguments.
//!
//! On Windows this binary is a GUI-subsystem program, so double-clicking it opens no
//! console window; `propdesk-cli` (src/bin/propdesk-cli.rs) is the same `main` as a
//! console program for terminals and scripts (see the README, "Windows").
#![cfg_attr(windows, windows_subsystem = "windows")]

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "propdesk", version, about = "Onboard prop-firm traders through the Tradovate Partner API")]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Open the window (the default when no subcommand is given).
    Window,
    /// Run the offline Tradovate sandbox and print its LIVE, DEMO and WebSocket URLs.
    Sandbox {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8765")]
        addr: SocketAddr,
        /// The domain that answers adminAlertSignal/deps (live or demo), to imitate a
        /// server that differs from our guess (LIVE) when trying `propdesk doctor`.
        #[arg(long, value_name = "DOMAIN", default_value = "live", value_parser = parse_domain)]
        deps_on: propdesk::api::Domain,
        /// Name WebSocket entity types strictly: exact spelling only, the agreement
        /// signal only as OtherEnvAdminAlertSignal, unknown names get nothing.
        #[arg(long)]
        strict_entity_types: bool,
        /// Added to every HTTP reply to imitate a real network, e.g. 80ms.
        #[arg(long, value_name = "DURATION", default_value = "0ms", value_parser = propdesk::cli::parse_duration)]
        latency: std::time::Duration,
    },
    /// Create users, contact info and evaluation accounts for every valid row of a roster.
    ///
    /// Credentials for Staging and Production come from TRADOVATE_USERNAME,
    /// TRADOVATE_PASSWORD, TRADOVATE_APP_ID, TRADOVATE_APP_VERSION, TRADOVATE_CID and
    /// TRADOVATE_SECRET. Exit code 0: every row done; 1: some row failed or was invalid
    /// (results are still written); 2: usage or configuration error. Running the same
    /// command again with the same journal resumes without creating anything twice.
    Onboard(Box<propdesk::cli::OnboardArgs>),
    /// Grant the T-Prop entitlement to every journaled trader who signed the market-data
    /// agreement, then (with --watch) keep granting as signatures arrive.
    Entitle(Box<propdesk::cli::EntitleArgs>),
    /// The always-on agreement watcher, for a service: grants T-Prop to every journaled
    /// trader who signed, then keeps granting as signatures arrive, until Ctrl-C or
    /// SIGTERM. One watcher per environment is active; another waits as a hot standby
    /// and takes over when it dies. Logs to the app's log file. Production needs --yes.
    Watch(Box<propdesk::cli::WatchArgs>),
    /// Offboard journaled traders: cancel everything on DEMO and LIVE, or only revoke
    /// their trading permissions (--revoke-only).
    Cancel(Box<propdesk::cli::CancelArgs>),
    /// The team's audit trail as CSV: every journal write of an environment (newest
    /// first), with the OS user and computer that made it. Reads the journal only; no
    /// sign-in.
    History(Box<propdesk::cli::HistoryArgs>),
    /// Before a firm's first run: ask the server about every point our documents leave
    /// unconfirmed (docs/assumptions.md) and report what matches and what differs.
    /// Read-only unless --test-trader. Exit code 0: everything matches; 1: differences
    /// listed; 2: usage or configuration error.
    Doctor(Box<propdesk::cli::DoctorArgs>),
    /// Risk profiles per template account: show, import or export one.
    Risk(propdesk::cli::RiskArgs),
    /// The journal itself: `journal move --to postgres://…` copies this computer's
    /// journal into a team's PostgreSQL journal (--dry-run counts first).
    Journal(propdesk::cli::JournalArgs),
}

pub fn main() -> ExitCode {
    #[cfg(windows)]
    attach_parent_console();
    let args = Args::parse();
    let command = args.command.unwrap_or(Command::Window);
    let paths = propdesk::store::Paths::platform();
    match (&command, &paths) {
        // The window has no terminal: its log goes to a file the user can send.
        (Command::Window, Some(paths)) => {
            propdesk::logging::init_with_file(&paths.logs_dir());
            tracing::info!("Propdesk {} starting on {}", env!("CARGO_PKG_VERSION"), std::env::consts::OS);
        }
        // A service's terminal is gone once started: the log file is where ops look.
        (Command::Watch(_), Some(paths)) => {
            propdesk::logging::init_with_file(&paths.logs_dir());
            tracing::info!("propdesk watch {} starting on {}", env!("CARGO_PKG_VERSION"), std::env::consts::OS);
        }
        _ => propdesk::logging::init(),
    }
    if let Some(paths) = &paths {
        propdesk::diagnostics::crash::install(paths.logs_dir());
    }
    #[cfg(debug_assertions)]
    propdesk::diagnostics::crash::force_panic_if_asked();
    match command {
        Command::Window => propdesk::ui::run(),
        Command::Sandbox { addr, deps_on, strict_entity_types, latency } => {
            let config = propdesk::sandbox::SandboxConfig {
                deps_domain: deps_on,
                strict_entity_types,
                latency,
                ..propdesk::sandbox::SandboxConfig::default()
            };
            run_sandbox(addr, config)
        }
        Command::Onboard(args) => propdesk::cli::block_on(propdesk::cli::onboard(*args)),
        Command::Entitle(args) => propdesk::cli::block_on(propdesk::cli::entitle(*args)),
        Command::Watch(args) => propdesk::cli::block_on(propdesk::cli::watch(*args)),
        Command::Cancel(args) => propdesk::cli::block_on(propdesk::cli::cancel(*args)),
        Command::History(args) => propdesk::cli::block_on(propdesk::cli::history(*args)),
        Command::Doctor(args) => propdesk::cli::block_on(propdesk::cli::doctor(*args)),
        Command::Risk(args) => propdesk::cli::block_on(propdesk::cli::risk(args)),
        Command::Journal(args) => propdesk::cli::block_on(propdesk::cli::journal(args)),
    }
}

fn parse_domain(text: &str) -> Result<propdesk::api::Domain, String> {
    match text.to_ascii_lowercase().as_str() {
        "live" => Ok(propdesk::api::Domain::Live),
        "demo" => Ok(propdesk::api::Domain::Demo),
        _ => Err(format!("{text:?} is not a domain: say live or demo")),
    }
}

fn run_sandbox(addr: SocketAddr, config: propdesk::sandbox::SandboxConfig) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("propdesk: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(propdesk::sandbox::run_standalone(addr, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("propdesk: the sandbox stopped: {error}");
            ExitCode::from(2)
        }
    }
}

/// Windows: when started from a terminal, print there (`--help`, errors, progress).
/// Double-clicked there is no parent console and this does nothing; a console program
/// (`propdesk-cli`) already has one, and then this call fails harmlessly.
#[cfg(windows)]
fn attach_parent_console() {
    #[link(name = "kernel32")]
    unsafe extern "system" {
        fn AttachConsole(process_id: u32) -> i32;
    }
    /// `ATTACH_PARENT_PROCESS` in wincon.h: (DWORD)-1.
    const ATTACH_PARENT_PROCESS: u32 = u32::MAX;
    // SAFETY: takes a plain integer, touches no memory of ours; failure is reported
    // through the return value, which we may ignore.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}
