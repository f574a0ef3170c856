//! `propdesk cancel`: scripted offboarding of journaled traders.

use super::connect::{ConnectArgs, SignedIn};
use super::{EXIT_DONE, EXIT_SOME_FAILED, UsageError, open_journal};
use crate::onboarding::board::{BoardStage, stage_of};
use crate::onboarding::offboarding::{self, OffboardOutcome, Offboarding};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(group = clap::ArgGroup::new("who").required(true).args(["users", "all_failed"]))]
pub struct CancelArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Comma-separated user names.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub users: Vec<String>,
    /// Every journaled trader whose last step failed.
    #[arg(long)]
    pub all_failed: bool,
    /// Only revoke trading permissions; keep users and subscriptions.
    #[arg(long)]
    pub revoke_only: bool,
    /// Do not ask first (required without a terminal: cancelling cannot be undone).
    #[arg(long)]
    pub yes: bool,
    /// The journal (default: in the app's data folder), or a team's PostgreSQL journal:
    /// postgres://user@host/db (or PROPDESK_JOURNAL_URL).
    #[arg(long, value_name = "FILE|URL")]
    pub journal: Option<PathBuf>,
}

pub async fn run(args: CancelArgs) -> Result<u8, UsageError> {
    if !args.yes {
        let what = if args.revoke_only { "Revoke trading permissions of" } else { "Cancel everything for" };
        let whom = if args.all_failed { "every failed trader".to_string() } else { args.users.join(", ") };
        let question = format!("{what} {whom}? This cannot be undone.");
        if !super::confirm::ask(&question, "pass --yes to offboard without asking")? {
            return Ok(EXIT_DONE);
        }
    }
    let SignedIn { client, _sandbox, journal_key } = args.connect.connect().await?;
    let journal = open_journal(args.journal.as_deref(), &journal_key)?;
    // Before the first write: the journal's environment belongs to one firm.
    crate::onboarding::journal::check_signed_in_firm(&client, &journal).await.map_err(|e| UsageError(e.to_string()))?;
    let all = journal.traders().map_err(|e| UsageError(e.to_string()))?;
    let chosen: Vec<_> = if args.all_failed {
        all.into_iter().filter(|t| stage_of(t) == Some(BoardStage::Failed)).collect()
    } else {
        let mut chosen = Vec::new();
        for name in &args.users {
            let name = name.trim();
            match all.iter().find(|t| t.name.eq_ignore_ascii_case(name)) {
                Some(trader) => chosen.push(trader.clone()),
                None => return Err(UsageError(format!("{name:?} is not in the journal"))),
            }
        }
        chosen
    };
    if chosen.is_empty() {
        eprintln!("propdesk: nobody to offboard");
        return Ok(EXIT_DONE);
    }
    let kind = if args.revoke_only { Offboarding::Revoke } else { Offboarding::Cancel };
    eprintln!("propdesk: {}", offboarding::describe(kind, chosen.len()));
    let outcomes = match kind {
        Offboarding::Revoke => offboarding::revoke(&client, &journal, &chosen).await,
        Offboarding::Cancel => offboarding::cancel(&client, &journal, &chosen).await,
    }
    .map_err(|e| UsageError(e.to_string()))?;
    let mut failed = 0;
    for (name, outcome) in outcomes {
        match outcome {
            OffboardOutcome::Done => println!("{name}\t{}", if args.revoke_only { "revoked" } else { "cancelled" }),
            OffboardOutcome::Skipped(why) => println!("{name}\tskipped: {why}"),
            OffboardOutcome::Failed(error) => {
                failed += 1;
                println!("{name}\tfailed: {error}");
            }
        }
    }
    Ok(if failed == 0 { EXIT_DONE } else { EXIT_SOME_FAILED })
}
