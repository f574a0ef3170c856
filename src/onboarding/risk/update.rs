//! "Update risk rules" after the fact: puts a template's saved post-trade profile on
//! traders' existing evaluation accounts, one `updateUserAutoLiq` call per account.

use super::RiskProfile;
use crate::api::Client;
use crate::onboarding::journal::{Journal, JournalError, JournaledTrader};

/// The same three results as offboarding, so the board reports both alike: done,
/// skipped (no evaluation account yet) or failed (the server's `errorText`).
pub type RiskUpdateOutcome = crate::onboarding::offboarding::OffboardOutcome;

/// What "Update risk rules" will change, in words for the confirmation dialog.
pub fn describe_update(profile: &RiskProfile, count: usize) -> String {
    let traders = if count == 1 { "1 trader".to_string() } else { format!("{count} traders") };
    let post = &profile.post_trade_risk;
    let money = |v: Option<f64>| v.map_or("none".to_string(), |v| format!("${}", super::format_number(v)));
    format!(
        "Replace the post-trade risk rules of {traders}' evaluation accounts with the {} profile: daily loss \
         limit {}, weekly loss limit {}, trailing max drawdown {}. Rules the profile leaves empty are switched \
         off. Position limits are not changed.",
        profile.template,
        money(post.daily_loss_auto_liq),
        money(post.weekly_loss_auto_liq),
        money(post.trailing_max_drawdown),
    )
}

/// Updates each trader's account with the profile's post-trade rules, in order; one
/// refusal does not stop the others. Each update and each refusal goes into the
/// trader's journal history; the stage stays (the account is unchanged otherwise), so
/// a refusal is history, not a failed stage.
pub async fn update_risk_rules(
    client: &Client,
    journal: &Journal,
    traders: &[JournaledTrader],
    profile: &RiskProfile,
) -> Result<Vec<(String, RiskUpdateOutcome)>, JournalError> {
    let mut outcomes = Vec::with_capacity(traders.len());
    for trader in traders {
        let outcome = match trader.account_id {
            None => RiskUpdateOutcome::Skipped("no evaluation account yet".into()),
            Some(account_id) => match client.update_user_auto_liq(account_id, &profile.post_trade_risk).await {
                Ok(_) => {
                    journal
                        .record_history(&trader.name, &format!("Risk rules updated ({} profile)", profile.template))?;
                    RiskUpdateOutcome::Done
                }
                Err(error) => {
                    let text = error.to_string();
                    journal.record_history(&trader.name, &format!("Risk rules update refused: {text}"))?;
                    RiskUpdateOutcome::Failed(text)
                }
            },
        };
        outcomes.push((trader.name.clone(), outcome));
    }
    Ok(outcomes)
}
