//! `propdesk journal move`: copies this computer's journal file into a team's
//! PostgreSQL journal, the same copy as Setup → Team journal's "Move my local journal".

use super::{EXIT_DONE, UsageError};
use crate::onboarding::journal::transfer::{self, MoveProgress};
use crate::onboarding::journal::{Journal, is_postgres_url, redact_url};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct JournalArgs {
    #[command(subcommand)]
    pub command: JournalCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum JournalCommand {
    /// Copy every trader (ids, stamps, errors, history with its authors, unfinished
    /// writes) from a journal file into the team journal. Traders already there are
    /// left as they are, so running it again copies nothing. The file is not changed.
    Move(MoveArgs),
}

#[derive(clap::Args, Debug)]
pub struct MoveArgs {
    /// The team journal: postgres://user:password@host:5432/db
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// The journal file to copy (default: the window's, in the app's data folder).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Only count what would be copied; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub async fn run(args: JournalArgs) -> Result<u8, UsageError> {
    let JournalCommand::Move(args) = args.command;
    // Both journals block on disk and network: off the runtime's workers.
    tokio::task::spawn_blocking(move || move_journal(args))
        .await
        .map_err(|e| UsageError(format!("the move stopped unexpectedly: {e}")))?
}

fn move_journal(args: MoveArgs) -> Result<u8, UsageError> {
    if !is_postgres_url(args.to.trim()) {
        return Err(UsageError(format!("--to must be a postgres:// URL, not {:?}", redact_url(&args.to))));
    }
    let from = match args.from {
        Some(path) => path,
        None => crate::store::Paths::platform()
            .map(|paths| paths.journal_file())
            .ok_or_else(|| UsageError("no data folder on this system: pass --from FILE".into()))?,
    };
    if !from.is_file() {
        return Err(UsageError(format!("{}: no journal file there", from.display())));
    }
    // The environment a Journal is opened for does not matter: the move reads every key.
    let local = Journal::open(&from, "").map_err(|e| UsageError(format!("{}: {e}", from.display())))?;
    let team = Journal::open_postgres(args.to.trim(), "").map_err(|e| UsageError(e.to_string()))?;
    let plan = transfer::plan(&local, &team).map_err(|e| UsageError(e.to_string()))?;
    println!("From {} into {}:", from.display(), redact_url(args.to.trim()));
    for line in plan.summary() {
        println!("  {line}");
    }
    if args.dry_run || plan.traders_to_copy() == 0 {
        return Ok(EXIT_DONE);
    }
    let mut shown = 0;
    let report = transfer::copy(&local, &team, &mut |MoveProgress { done, total }| {
        if done > shown {
            shown = done;
            eprintln!("propdesk: {done} of {total} traders");
        }
    })
    .map_err(|e| UsageError(e.to_string()))?;
    println!("{}", report.summary());
    Ok(EXIT_DONE)
}
