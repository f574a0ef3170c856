//! `propdesk entitle`: grant T-Prop to every journaled trader who signed, then optionally
//! watch the socket and grant as signatures arrive.

use super::connect::{ConnectArgs, Connection};
use super::{EXIT_DONE, EXIT_SOME_FAILED, UsageError, open_journal};
use crate::api::Client;
use crate::api::ws::SocketOptions;
use crate::onboarding::agreements::{AgreementWatch, WatchEvent, WatchOptions};
use crate::onboarding::entitlement::{GrantOutcome, grant_all_signed};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct EntitleArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The entitlement to grant: its id, or a word of its name such as "Prop".
    #[arg(long, value_name = "ID")]
    pub entitlement: String,
    /// The journal written by `propdesk onboard` (default: in the app's data folder).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// After granting, keep watching for signatures this long (e.g. 90s, 15m, 2h).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub watch: Option<Duration>,
}

pub async fn run(args: EntitleArgs) -> Result<u8, UsageError> {
    let Connection { client, _sandbox, journal_key } = args.connect.connect().await?;
    let entitlement_id = resolve_entitlement(&client, &args.entitlement).await?;
    let journal = open_journal(args.journal.as_deref(), &journal_key)?;
    let mut failures = 0;

    // First, catch up: one deps call finds who signed since the journal last heard.
    let (watch, mut events) = AgreementWatch::spawn(
        client.clone(),
        journal.clone(),
        WatchOptions { entitlement_id: Some(entitlement_id), auto_grant: true, socket: SocketOptions::default() },
    );
    let outcomes = grant_all_signed(&client, &journal, entitlement_id).await.map_err(|e| UsageError(e.to_string()))?;
    for (name, outcome) in &outcomes {
        failures += print_outcome(name, outcome);
    }
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
            WatchEvent::Problem(text) => eprintln!("propdesk: {text}"),
            WatchEvent::Disconnected { reason, retry_in } => {
                eprintln!("propdesk: socket down ({reason}); retrying in {} s", retry_in.as_secs())
            }
            WatchEvent::Stopped(reason) => return Err(UsageError(format!("the watch stopped: {reason}"))),
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
        GrantOutcome::Failed(error) => {
            println!("{name}\tfailed: {error}");
            return 1;
        }
    }
    0
}

async fn resolve_entitlement(client: &Client, wanted: &str) -> Result<i64, UsageError> {
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
