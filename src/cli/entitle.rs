//! `propdesk entitle`: grant T-Prop to every journaled trader who signed, then optionally
//! watch the socket and grant as signatures arrive.

use super::connect::{ConnectArgs, SignedIn};
use super::{EXIT_DONE, EXIT_SOME_FAILED, UsageError, open_journal};
use crate::api::Client;
use crate::api::ws::SocketOptions;
use crate::onboarding::agreements::{AgreementWatch, WatchEvent, WatchOptions};
use crate::onboarding::entitlement::{GrantOutcome, grant_all_eligible};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct EntitleArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The entitlement to grant: its id, or a word of its name such as "Prop".
    #[arg(long, value_name = "ID")]
    pub entitlement: String,
    /// The journal written by `propdesk onboard` (default: in the app's data folder),
    /// or a team's PostgreSQL journal: postgres://user@host/db (or PROPDESK_JOURNAL_URL).
    #[arg(long, value_name = "FILE|URL")]
    pub journal: Option<PathBuf>,
    /// After granting, keep watching for signatures this long (e.g. 90s, 15m, 2h).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub watch: Option<Duration>,
    /// Do not ask before granting (needed for an unattended `--watch` on Production).
    #[arg(long)]
    pub yes: bool,
}

pub async fn run(args: EntitleArgs) -> Result<u8, UsageError> {
    let kind = args.connect.kind()?;
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stdin());
    if super::confirm::entitle_must_ask(kind, args.yes, args.watch.is_some(), terminal) {
        let question = format!(
            "Grant entitlement {} on {} to every journaled trader who signed{}? Each grant is billed.",
            args.entitlement,
            kind.label(),
            if args.watch.is_some() { " and who signs while watching" } else { "" }
        );
        if !super::confirm::ask(&question, "pass --yes to grant without asking")? {
            return Ok(EXIT_DONE);
        }
    }
    let SignedIn { client, _sandbox, journal_key } = args.connect.connect().await?;
    let entitlement_id = resolve_entitlement(&client, &args.entitlement).await?;
    let journal = open_journal(args.journal.as_deref(), &journal_key)?;
    // Before the first write: the journal's environment belongs to one firm.
    crate::onboarding::journal::check_signed_in_firm(&client, &journal).await.map_err(|e| UsageError(e.to_string()))?;
    let mut failures = 0;

    // Every journaled trader not yet entitled is tried directly (signatures from earlier
    // weeks are no longer in deps, and an unsigned trader's refusal is cheap), then the
    // watch catches up (snapshot, or one budgeted deps call). In this order, as
    // `propdesk watch` does: side by side, a trader who signed while the backlog's
    // refused grant was in flight was skipped as "in flight" and never granted.
    let outcomes =
        grant_all_eligible(&client, &journal, entitlement_id).await.map_err(|e| UsageError(e.to_string()))?;
    for (name, outcome) in &outcomes {
        failures += print_outcome(name, outcome);
    }
    let (watch, mut events) = AgreementWatch::spawn(
        client.clone(),
        journal.clone(),
        WatchOptions { entitlement_id: Some(entitlement_id), auto_grant: true, socket: SocketOptions::default() },
    );
    let deadline = tokio::time::Instant::now() + args.watch.unwrap_or(Duration::from_secs(5));
    if let Some(watch_for) = args.watch {
        eprintln!("propdesk: watching for signatures for {} s (Ctrl-C to stop)", watch_for.as_secs());
    }
    loop {
        let event = tokio::select! {
            event = tokio::time::timeout_at(deadline, events.recv()) => match event {
                Ok(Some(event)) => event,
                _ => break,
            },
            _ = tokio::signal::ctrl_c() => break,
        };
        match event {
            WatchEvent::Signed { name, .. } => println!("{name}\tsigned the market-data agreement"),
            WatchEvent::Granted { name } => println!("{name}\tT-Prop granted"),
            WatchEvent::Waiting { name } => println!("{name}\twaiting for the trader to sign"),
            WatchEvent::GrantFailed { name, error } => {
                failures += 1;
                println!("{name}\tfailed: {error}");
            }
            WatchEvent::Failed(text) => eprintln!("propdesk: {text}"),
            WatchEvent::Disconnected { reason, retry_in } => {
                eprintln!("propdesk: socket down ({reason}); retrying in {} s", retry_in.as_secs())
            }
            WatchEvent::Skipped { name, reason } => println!("{name}\tskipped: {reason}"),
            WatchEvent::Stopped(reason) => return Err(UsageError(format!("the watch stopped: {reason}"))),
            WatchEvent::CatchUpLater { retry_in } => {
                eprintln!(
                    "propdesk: signatures were checked recently; the next check is allowed in {} s",
                    retry_in.as_secs()
                );
                if args.watch.is_none() {
                    break;
                }
            }
            // Without --watch, stop once the catch-up call has been handled.
            WatchEvent::CaughtUp { .. } if args.watch.is_none() => break,
            _ => {}
        }
    }
    drop(watch);
    Ok(if failures == 0 { EXIT_DONE } else { EXIT_SOME_FAILED })
}

fn print_outcome(name: &str, outcome: &GrantOutcome) -> usize {
    match outcome {
        GrantOutcome::Granted => println!("{name}\tT-Prop granted"),
        GrantOutcome::AlreadyEntitled => println!("{name}\talready entitled"),
        GrantOutcome::WaitingForSignature => println!("{name}\twaiting for the trader to sign"),
        GrantOutcome::NotOnboarded => println!("{name}\tnot onboarded yet"),
        GrantOutcome::Offboarded(reason) => println!("{name}\tskipped: the trader was {reason}"),
        GrantOutcome::InFlight => println!("{name}\tskipped: a grant is already in flight"),
        GrantOutcome::Failed(error) => {
            println!("{name}\tfailed: {error}");
            return 1;
        }
    }
    0
}

pub(super) async fn resolve_entitlement(client: &Client, wanted: &str) -> Result<i64, UsageError> {
    let entitlements = client.entitlements().await.map_err(|e| UsageError(format!("cannot list entitlements: {e}")))?;
    let wanted = wanted.trim();
    let matches: Vec<_> = entitlements
        .iter()
        .filter(|e| {
            e.id.to_string() == wanted
                || e.name.to_lowercase().contains(&wanted.to_lowercase())
                || e.title.to_lowercase().contains(&wanted.to_lowercase())
        })
        .collect();
    match matches.as_slice() {
        [one] if one.id == 22 => Err(UsageError("entitlement 22 (GroupTrade) is deprecated and refused".into())),
        [one] => Ok(one.id),
        [] => Err(UsageError(format!("no entitlement matches {wanted:?}"))),
        many => Err(UsageError(format!(
            "{wanted:?} matches several entitlements: {}; give the id",
            many.iter().map(|e| format!("{} ({})", e.title, e.id)).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// "90", "90s", "15m", "2h", "80ms".
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let value: u64 = number.parse().map_err(|_| format!("{text:?} is not a duration like 90s, 15m or 2h"))?;
    let seconds = match unit.trim() {
        "ms" => return Ok(Duration::from_millis(value)),
        "" | "s" => value,
        "m" => value * 60,
        "h" => value * 3600,
        _ => return Err(format!("{text:?} is not a duration like 80ms, 90s, 15m or 2h")),
    };
    Ok(Duration::from_secs(seconds))
}
