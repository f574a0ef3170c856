//! `propdesk onboard`: import a roster, validate it, run the pipeline, write results.

use super::connect::{ConnectArgs, Connection};
use super::progress::Progress;
use super::results::{self, ResultRow};
use super::{EXIT_DONE, EXIT_SOME_FAILED, UsageError, open_journal};
use crate::api::Client;
use crate::onboarding::pipeline::{CancelToken, Pipeline, PipelineEvent, PipelineOptions, RowStatus};
use crate::onboarding::prepare::{known_names_from_journal, prepare};
use crate::onboarding::{Field, Roster, import_csv_file, import_xlsx_file};
use std::io::{BufRead, IsTerminal, Write};
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
    /// The journal that makes runs resumable (default: in the app's data folder).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Do not ask for confirmation before creating users.
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub risk: super::risk::OnboardRiskArgs,
}

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

    let Connection { client, _sandbox, journal_key } = args.connect.connect().await?;
    let plan_id = resolve_plan(&client, &args.plan).await?;
    let (template_id, template_name) = resolve_template(&client, &args.template).await?;
    let risk = args.risk.rules(client.environment().kind, template_id, &template_name)?;
    let journal = open_journal(args.journal.as_deref(), &journal_key)?;

    let known = known_names_from_journal(&journal, &roster).map_err(|e| UsageError(e.to_string()))?;
    let prepared = prepare(&roster, &known, plan_id, &risk)
        .map_err(|missing| UsageError(format!("{missing} (pass --risk FILE, or --no-risk-rules)")))?;
    let environment = client.environment().kind.label();
    eprintln!(
        "propdesk: {} traders in {}: {} ready, {} invalid; environment {environment}",
        roster.len(),
        args.users.display(),
        prepared.traders.len(),
        prepared.invalid.len()
    );
    if !prepared.traders.is_empty() && !args.yes && !confirm(prepared.traders.len(), environment)? {
        return Err(UsageError("nothing was sent".into()));
    }

    let (row_ids, traders): (Vec<_>, Vec<_>) = prepared.traders.into_iter().unzip();
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let progress = Progress::new(traders.len());
    let pipeline = Pipeline::new(client.clone(), journal.clone(), PipelineOptions::default());
    let cancel = CancelToken::default();
    let run = tokio::spawn({
        let cancel = cancel.clone();
        async move { pipeline.run(traders, &cancel, &sender).await }
    });
    let mut finals = std::collections::HashMap::new();
    while let Some(event) = receiver.recv().await {
        progress.show(&event);
        if let PipelineEvent::Row(update) = event {
            finals.insert(update.index, update);
        }
    }
    let summary = run.await.map_err(|e| UsageError(format!("the run stopped unexpectedly: {e}")))?;

    // One result per input row, in input order.
    let position_of: std::collections::HashMap<_, _> = row_ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let invalid: std::collections::HashMap<_, _> = prepared.invalid.into_iter().collect();
    let mut rows = Vec::with_capacity(roster.len());
    for (id, trader) in roster.iter() {
        let mut row = ResultRow { name: trader.name.trim().to_string(), ..Default::default() };
        if let Some(problems) = invalid.get(&id) {
            row.status = "invalid";
            row.error =
                problems.iter().map(|p| format!("{}: {}", p.field.header(), p.message)).collect::<Vec<_>>().join("; ");
        } else if let Some(update) = position_of.get(&id).and_then(|i| finals.get(i)) {
            row.user_id = update.user_id;
            row.account_id = update.account_id;
            row.trading_permission_id = update.trading_permission_id;
            (row.status, row.error) = match &update.status {
                RowStatus::Done => ("done", String::new()),
                RowStatus::Failed { stage, error } => ("failed", format!("{}: {error}", stage.label())),
                _ => ("failed", "not reached: the run stopped early; run the same command again".into()),
            };
        } else {
            row.status = "failed";
            row.error = "not reached".into();
        }
        rows.push(row);
    }
    if let Some(out) = &args.out {
        results::write(out, &rows).map_err(UsageError)?;
    }
    let failed = rows.iter().filter(|r| r.status != "done").count();
    eprintln!(
        "propdesk: {} done, {} failed or invalid, {} API calls{}",
        rows.len() - failed,
        failed,
        summary.api_calls,
        summary.stopped_because.map(|r| format!("; {r}")).unwrap_or_default()
    );
    if args.out.is_none() {
        for row in rows.iter().filter(|r| r.status != "done") {
            eprintln!("  {} ({}): {}", row.name, row.status, row.error);
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
    if !std::io::stdin().is_terminal() {
        return Err(UsageError("not a terminal: pass --yes to create users without asking".into()));
    }
    eprint!("Create {count} users and their accounts on {environment}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).map_err(|e| UsageError(e.to_string()))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}
