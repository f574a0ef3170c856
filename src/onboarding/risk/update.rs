//! "Update risk rules" after the fact: puts a template's saved post-trade profile on
//! traders' existing evaluation accounts, one `updateUserAutoLiq` call per account.

use super::RiskProfile;
use crate::api::Client;
use crate::onboarding::journal::JournaledTrader;

#[derive(Clone, Debug, PartialEq)]
pub enum RiskUpdateOutcome {
    Done,
    /// Nothing to update: the trader has no evaluation account yet.
    Skipped(String),
    /// The server's reason (its `errorText`) or the transport error.
    Failed(String),
}

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
/// refusal does not stop the others.
pub async fn update_risk_rules(
    client: &Client,
    traders: &[JournaledTrader],
    profile: &RiskProfile,
) -> Vec<(String, RiskUpdateOutcome)> {
    let mut outcomes = Vec::with_capacity(traders.len());
    for trader in traders {
        let outcome = match trader.account_id {
            None => RiskUpdateOutcome::Skipped("no evaluation account yet".into()),
            Some(account_id) => match client.update_user_auto_liq(account_id, &profile.post_trade_risk).await {
                Ok(_) => RiskUpdateOutcome::Done,
                Err(error) => RiskUpdateOutcome::Failed(error.to_string()),
            },
        };
        outcomes.push((trader.name.clone(), outcome));
    }
    outcomes
}
