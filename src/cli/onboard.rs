//! `propdesk onboard`: import a roster, validate it, run the pipeline, write results.

use super::connect::{ConnectArgs, SignedIn};
use super::progress::Progress;
use super::{EXIT_DONE, EXIT_SOME_FAILED, UsageError, open_journal};
use crate::api::Client;
use crate::onboarding::journal::check_signed_in_firm;
use crate::onboarding::pipeline::CancelToken;
use crate::onboarding::results::{ResultStatus, write_results_csv};
use crate::onboarding::run::{Run, RunError, RunEvent};
use crate::onboarding::{Field, Roster, import_csv_file, import_xlsx_file};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct OnboardArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The traders: a CSV or XLSX file with a header row named as the API fields.
    #[arg(long, value_name = "FILE")]
    pub users: PathBuf,
    /// The subscription plan: its id, or its name such as DEMOFIRM_MONTHLY.
    #[arg(long, value_name = "ID")]
    pub plan: String,
    /// The template account: its id, or its name such as DEMOFIRM50K.
    #[arg(long, value_name = "ID")]
    pub template: String,
    /// Starting balance in USD for rows that leave initialBalance empty.
    #[arg(long, value_name = "USD")]
    pub balance: Option<f64>,
    /// Write one result line per input row to this CSV file.
    #[arg(long, value_name = "RESULTS.csv")]
    pub out: Option<PathBuf>,
    /// The journal that makes runs resumable (default: in the app's data folder),
    /// or a team's PostgreSQL journal: postgres://user@host/db (or PROPDESK_JOURNAL_URL).
    #[arg(long, value_name = "FILE|URL")]
    pub journal: Option<PathBuf>,
    /// Do not ask for confirmation before creating users.
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub risk: super::risk::OnboardRiskArgs,
}

/// How a command-line run names itself to a run it refuses or is refused by.
const PROGRAM: &str = "propdesk onboard";

pub async fn run(args: OnboardArgs) -> Result<u8, UsageError> {
    let mut roster = load_roster(&args.users)?;
    if let Some(balance) = args.balance {
        if !(balance.is_finite() && balance > 0.0) {
            return Err(UsageError(format!("--balance must be a positive amount, not {balance}")));
        }
        for (_, trader) in roster.iter_mut() {
            if trader.initial_balance.trim().is_empty() {
                trader.set(Field::InitialBalance, balance.to_string());
            }
        }
    }

    // The journal's lock comes first, so a refused run signs in to nothing, asks
    // nothing and sends nothing.
    let journal = open_journal(args.journal.as_deref(), &args.connect.journal_key()?)?;
    let lock = Run::lock(journal.clone(), PROGRAM).await.map_err(|e| UsageError(e.to_string()))?;
    if let Some(dead) = &lock.took_over_from {
        eprintln!("propdesk: took over the journal from {dead}, which is no longer running");
    }
    let SignedIn { client, _sandbox, .. } = args.connect.connect().await?;
    // Before the first write: the journal's environment belongs to one firm.
    check_signed_in_firm(&client, &journal).await.map_err(|e| UsageError(e.to_string()))?;
    let plan_id = resolve_plan(&client, &args.plan).await?;
    let (template_id, template_name) = resolve_template(&client, &args.template).await?;
    let risk = args.risk.rules(client.environment().kind, template_id, &template_name)?;
    let environment = client.environment().kind.label();
    let total = roster.len();
    let run = Run::begin(client.clone(), lock, roster, plan_id, risk).await.map_err(|e| match e {
        RunError::NoRiskRules(missing) => UsageError(format!("{missing} (pass --risk FILE, or --no-risk-rules)")),
        other => UsageError(other.to_string()),
    })?;
    let ready = run.ready();
    eprintln!(
        "propdesk: {total} traders in {}: {ready} ready, {} invalid; environment {environment}",
        args.users.display(),
        run.invalid(),
    );
    if ready > 0 && !args.yes && !confirm(ready, environment)? {
        return Err(UsageError("nothing was sent".into()));
    }

    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let progress = Progress::new(ready);
    let cancel = CancelToken::default();
    let show = async {
        while let Some(event) = receiver.recv().await {
            if let RunEvent::Pipeline(event) = event {
                progress.show(&event);
            }
        }
    };
    let send = async move { run.send(None, &cancel, &sender).await };
    let (report, ()) = tokio::join!(send, show);

    let rows = report.rows();
    if let Some(out) = &args.out {
        let file =
            std::fs::File::create(out).map_err(|e| UsageError(format!("cannot write {}: {e}", out.display())))?;
        write_results_csv(file, &rows).map_err(|e| UsageError(format!("cannot write {}: {e}", out.display())))?;
    }
    let failed = rows.iter().filter(|r| r.status != ResultStatus::Done).count();
    eprintln!(
        "propdesk: {} done, {} failed or invalid, {} API calls{}",
        rows.len() - failed,
        failed,
        report.summary.api_calls,
        report.summary.stopped_because.as_ref().map(|r| format!("; {r}")).unwrap_or_default()
    );
    if args.out.is_none() {
        for row in rows.iter().filter(|r| r.status != ResultStatus::Done) {
            eprintln!("  {} ({}): {}", row.name, row.status.word(), row.error);
        }
    }
    Ok(if failed == 0 { EXIT_DONE } else { EXIT_SOME_FAILED })
}

fn load_roster(path: &Path) -> Result<Roster, UsageError> {
    let mut roster = Roster::new();
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let report = match extension.as_str() {
        "xlsx" | "xlsm" => import_xlsx_file(&mut roster, path, None),
        _ => import_csv_file(&mut roster, path),
    }
    .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
    for warning in &report.warnings {
        eprintln!("propdesk: {}: {warning}", path.display());
    }
    if !report.unknown_columns.is_empty() {
        eprintln!("propdesk: ignoring unknown columns: {}", report.unknown_columns.join(", "));
    }
    if roster.is_empty() {
        return Err(UsageError(format!("{} has no trader rows", path.display())));
    }
    Ok(roster)
}

async fn resolve_plan(client: &Client, plan: &str) -> Result<i64, UsageError> {
    let plans = client.subscription_plans().await.map_err(|e| UsageError(format!("cannot list plans: {e}")))?;
    let wanted = plan.trim();
    plans.iter().find(|p| p.id.to_string() == wanted || p.name.eq_ignore_ascii_case(wanted)).map(|p| p.id).ok_or_else(
        || {
            let names: Vec<String> = plans.iter().map(|p| format!("{} ({})", p.name, p.id)).collect();
            UsageError(format!("no subscription plan {wanted:?}; available: {}", names.join(", ")))
        },
    )
}

/// The template's id and name (risk profiles are saved by name).
async fn resolve_template(client: &Client, template: &str) -> Result<(i64, String), UsageError> {
    let wanted = template.trim();
    if let Ok(id) = wanted.parse::<i64>() {
        let accounts = client.accounts().await.map_err(|e| UsageError(format!("cannot list accounts: {e}")))?;
        return accounts
            .iter()
            .find(|a| a.id == id)
            .map(|a| (a.id, a.name.clone()))
            .ok_or_else(|| UsageError(format!("no template account with id {id}")));
    }
    match client.find_account(wanted).await {
        Ok(Some(account)) => Ok((account.id, account.name)),
        Ok(None) => Err(UsageError(format!("no template account named {wanted:?}"))),
        Err(e) => Err(UsageError(format!("cannot look up the template account: {e}"))),
    }
}

/// Asks on the terminal; without one, refuses (scripts pass --yes).
fn confirm(count: usize, environment: &str) -> Result<bool, UsageError> {
    super::confirm::ask(
        &format!("Create {count} users and their accounts on {environment}?"),
        "pass --yes to create users without asking",
    )
}
