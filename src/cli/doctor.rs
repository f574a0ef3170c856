//! `propdesk doctor`: probes the server for the points our documents leave UNCONFIRMED
//! and prints what was confirmed and what differs (`crate::doctor`).
//!
//! Exit codes: 0 when every probe confirmed our assumptions, 1 when any differs or could
//! not be checked (listed at the end), 2 on a usage or configuration error.

use super::connect::ConnectArgs;
use super::{EXIT_DONE, EXIT_SOME_FAILED, UsageError};
use crate::doctor::{self, DoctorOptions};

#[derive(clap::Args, Clone, Debug)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Also create one test user and evaluation account, and report the exact refusal
    /// of a T-Prop grant before signing. Writes: Staging (or a sandbox) only, refused on
    /// Production.
    #[arg(long)]
    pub test_trader: bool,
}

pub async fn run(args: DoctorArgs) -> Result<u8, UsageError> {
    if args.test_trader {
        doctor::refuse_on_production(args.connect.kind()?).map_err(UsageError)?;
    }
    let connection = args.connect.connect().await?;
    let options = DoctorOptions { test_trader: args.test_trader, ..DoctorOptions::default() };
    let report = doctor::run(&connection.client, &options).await;
    print!("{report}");
    Ok(if report.all_confirmed() { EXIT_DONE } else { EXIT_SOME_FAILED })
}
