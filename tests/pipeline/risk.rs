//! Risk rules at account creation, end to end on the sandbox: a template's profile
//! reaches every account in the same `createEvaluationAccounts` call, a roster column
//! overrides one field for one trader, and a run with no rules at all is refused.

use crate::support::*;
use propdesk::api::Client;
use propdesk::api::wire::{PostTradeRisk, PreTradeRisk, PreTradeRiskParameter};
use propdesk::onboarding::journal::Journal;
use propdesk::onboarding::pipeline::{CancelToken, Pipeline, PipelineEvent, PipelineOptions, RowStatus};
use propdesk::onboarding::prepare::{RosterCheck, prepare};
use propdesk::onboarding::risk::RiskRulesMissing;
use propdesk::onboarding::risk::{RiskField, RiskProfile, RiskRules, TemplateRules};
use propdesk::onboarding::{Field, Roster, RowId, Trader};
use std::sync::Arc;

/// Every one of the 17 post-trade fields set, with the ladders in order.
fn full_profile() -> RiskProfile {
    let post = PostTradeRisk {
        margin_percentage_alert: Some(60.0),
        margin_percentage_liq_only: Some(80.0),
        margin_percentage_auto_liq: Some(95.0),
        daily_loss_percentage_alert: Some(1.5),
        daily_loss_percentage_liq_only: Some(2.0),
        daily_loss_percentage_auto_liq: Some(2.5),
        daily_loss_alert: Some(800.0),
        daily_loss_liq_only: Some(1_000.0),
        daily_loss_auto_liq: Some(1_100.0),
        weekly_loss_auto_liq: Some(2_500.0),
        flatten_timestamp: Some("2026-01-05T20:55:00Z".into()),
        trailing_max_drawdown: Some(2_000.0),
        trailing_max_drawdown_limit: Some(52_100.0),
        trailing_max_drawdown_mode: Some("EOD".into()),
        daily_profit_auto_liq: Some(3_000.0),
        weekly_profit_auto_liq: Some(6_000.0),
        do_not_unlock: Some(true),
    };
    let pre = vec![
        PreTradeRisk {
            active: true,
            total_by: "Overall".into(),
            long_limit: Some(5),
            short_limit: Some(5),
            parameters: vec![PreTradeRiskParameter {
                max_opening_order_qty: Some(3),
                max_closing_order_qty: Some(5),
                ..Default::default()
            }],
            ..Default::default()
        },
        PreTradeRisk {
            active: true,
            total_by: "Product".into(),
            product_id: Some(4242),
            long_limit: Some(2),
            short_limit: Some(1),
            description: Some("CL at most 2".into()),
            ..Default::default()
        },
    ];
    RiskProfile { template: "DEMOFIRM50K".into(), post_trade_risk: post, pre_trade_risk: pre }
}

fn roster(tag: &str, count: usize) -> Roster {
    let mut roster = Roster::new();
    for i in 0..count {
        let mut t = Trader::default();
        let name = format!("{tag}{i}x{}", std::process::id());
        for (field, value) in [
            (Field::Name, name.clone()),
            (Field::Email, format!("{name}@example.com")),
            (Field::Password, "Str0ng!Passw0rd".into()),
            (Field::FirstName, "Jamie".into()),
            (Field::LastName, "Rivera".into()),
            (Field::AccountName, format!("{}{i:04}{}", tag.to_uppercase(), std::process::id())),
            (Field::InitialBalance, "50000".into()),
        ] {
            t.set(field, value);
        }
        roster.add(t);
    }
    roster
}

async fn template(client: &Client) -> (i64, i64) {
    let plan = client.subscription_plans().await.unwrap().into_iter().find(|p| p.name == "DEMOFIRM_MONTHLY").unwrap();
    let template = client.find_account("DEMOFIRM50K").await.unwrap().unwrap();
    (plan.id, template.id)
}

/// What a run does before sending: check the roster, apply the template's rules, convert.
fn checked(
    roster: &Roster,
    plan: i64,
    rules: &TemplateRules,
) -> Result<(RosterCheck, Vec<(RowId, propdesk::onboarding::pipeline::PreparedTrader)>), RiskRulesMissing> {
    let mut check = RosterCheck::new(roster, None).unwrap();
    check.apply_risk_rules(roster, rules)?;
    let prepared = prepare(roster, &check, plan, rules, None);
    Ok((check, prepared))
}

/// Runs the prepared rows; the created account ids in roster order.
async fn onboard(client: &Client, prepared: Vec<(RowId, propdesk::onboarding::pipeline::PreparedTrader)>) -> Vec<i64> {
    let traders: Vec<_> = prepared.into_iter().map(|(_, t)| t).collect();
    let count = traders.len();
    let journal = Arc::new(Journal::in_memory("sandbox").unwrap());
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let pipeline = Pipeline::new(client.clone(), journal, PipelineOptions::default());
    let summary = pipeline.run(traders, &CancelToken::default(), &sender).await;
    drop(sender);
    assert_eq!(summary.done, count, "{summary:?}");
    let mut accounts = vec![0; count];
    while let Some(event) = receiver.recv().await {
        if let PipelineEvent::Row(row) = event
            && row.status == RowStatus::Done
        {
            accounts[row.index] = row.account_id.unwrap();
        }
    }
    accounts
}

#[tokio::test]
async fn every_account_gets_the_templates_profile_and_a_column_overrides_one_trader() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template_id) = template(&client).await;
    let profile = full_profile();
    let mut roster = roster("riskprof", 3);
    let second = roster.iter().nth(1).unwrap().0;
    roster.get_mut(second).unwrap().set(Field::Risk(RiskField::DailyLossAutoLiq), "$1,250".into());
    let rules = TemplateRules {
        template_id,
        template_name: "DEMOFIRM50K".into(),
        rules: RiskRules::Profile(Box::new(profile.clone())),
    };
    let (check, prepared) = checked(&roster, plan, &rules).unwrap();
    assert_eq!(check.validation.invalid_row_count(), 0);
    let accounts = onboard(&client, prepared).await;
    assert_eq!(sandbox.stats().calls_on(propdesk::api::Domain::Demo, "user/createevaluationaccounts"), 1);

    for (i, account_id) in accounts.iter().enumerate() {
        let auto_liqs = client.account_auto_liqs(*account_id).await.unwrap();
        assert_eq!(auto_liqs.len(), 1, "account {i}");
        let mut expected = profile.post_trade_risk.clone();
        if i == 1 {
            expected.daily_loss_auto_liq = Some(1_250.0);
        }
        assert_eq!(auto_liqs[0].risk, expected, "account {i}: all 17 fields as configured");

        let limits = client.account_position_limits(*account_id).await.unwrap();
        assert_eq!(limits.len(), 2, "account {i}");
        for (limit, wanted) in limits.iter().zip(&profile.pre_trade_risk) {
            assert_eq!(limit.account_id, *account_id);
            assert_eq!(
                (limit.active, &limit.total_by, limit.product_id, limit.long_limit, limit.short_limit),
                (wanted.active, &wanted.total_by, wanted.product_id, wanted.long_limit, wanted.short_limit)
            );
            assert_eq!(limit.description, wanted.description);
            let parameters = client.position_limit_parameters(limit.id).await.unwrap();
            let got: Vec<_> = parameters.into_iter().map(|p| p.parameter).collect();
            assert_eq!(got, wanted.parameters, "account {i}");
        }
    }
}

#[tokio::test]
async fn a_run_without_rules_is_refused_until_the_admin_acknowledges_no_limits() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template_id) = template(&client).await;
    let roster = roster("norisk", 2);
    let mut rules = TemplateRules { template_id, template_name: "DEMOFIRM50K".into(), rules: RiskRules::NotSet };

    let Err(refused) = checked(&roster, plan, &rules) else { panic!("a run with no rules must be refused") };
    assert!(refused.to_string().starts_with("Set the risk rules for DEMOFIRM50K first"), "{refused}");
    assert_eq!(refused.unprotected, 2);

    rules.rules = RiskRules::NoLimitsAcknowledged;
    let accounts = onboard(&client, checked(&roster, plan, &rules).unwrap().1).await;
    let auto_liq = client.account_auto_liqs(accounts[0]).await.unwrap();
    assert_eq!(auto_liq[0].risk, PostTradeRisk::default(), "acknowledged: created with no limits");
}

#[tokio::test]
async fn a_row_whose_override_breaks_the_profiles_order_is_held_back_with_a_reason() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template_id) = template(&client).await;
    let mut roster = roster("riskbad", 2);
    let first = roster.iter().next().unwrap().0;
    // Profile alert is $800; this row's limit of $500 would liquidate before any alert.
    roster.get_mut(first).unwrap().set(Field::Risk(RiskField::DailyLossLiqOnly), "500".into());
    let rules = TemplateRules {
        template_id,
        template_name: "DEMOFIRM50K".into(),
        rules: RiskRules::Profile(Box::new(full_profile())),
    };
    let (check, prepared) = checked(&roster, plan, &rules).unwrap();
    assert_eq!(prepared.len(), 1, "the row that breaks the rules is not sent");
    let problems = check.validation.problems(first);
    assert_eq!(problems[0].field, Field::Risk(RiskField::DailyLossAlert));
    assert!(
        problems[0].message.contains("must not be above the liquidate-only level ($500)"),
        "{}",
        problems[0].message
    );
}

#[tokio::test]
async fn update_risk_rules_changes_exactly_the_chosen_accounts_and_reports_refusals() {
    use propdesk::onboarding::journal::JournaledTrader;
    use propdesk::onboarding::risk::{RiskUpdateOutcome, update_risk_rules};
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, template_id) = template(&client).await;
    let rules =
        TemplateRules { template_id, template_name: "DEMOFIRM50K".into(), rules: RiskRules::NoLimitsAcknowledged };
    let accounts = onboard(&client, checked(&roster("riskupd", 3), plan, &rules).unwrap().1).await;

    let trader = |name: &str, account_id| JournaledTrader { name: name.into(), account_id, ..Default::default() };
    let chosen = [
        trader("first", Some(accounts[0])),
        trader("second", Some(accounts[1])),
        trader("no account", None),
        trader("unknown", Some(987_654_321)),
    ];
    let profile = full_profile();
    let journal = Journal::in_memory("sandbox").unwrap();
    for t in &chosen {
        journal.upsert_trader(&t.name, "x@example.com", "EVAL").unwrap();
    }
    let outcomes = update_risk_rules(&client, &journal, &chosen, &profile).await.unwrap();
    assert_eq!(outcomes[0], ("first".into(), RiskUpdateOutcome::Done));
    assert_eq!(outcomes[1], ("second".into(), RiskUpdateOutcome::Done));
    assert!(matches!(&outcomes[2].1, RiskUpdateOutcome::Skipped(_)), "{outcomes:?}");
    let RiskUpdateOutcome::Failed(reason) = &outcomes[3].1 else { panic!("{outcomes:?}") };
    assert!(reason.contains("987654321 not found"), "the server's errorText reaches the user: {reason}");
    // The trader's history says what happened; a refusal does not move the stage.
    let last = |name: &str| journal.history(name).unwrap().last().map(|h| h.what.clone()).unwrap_or_default();
    assert!(last("first").starts_with("Risk rules updated"), "{}", last("first"));
    assert!(last("unknown").contains("Risk rules update refused") && last("unknown").contains("not found"));
    assert!(journal.history("no account").unwrap().is_empty(), "nothing sent, nothing recorded");
    assert_eq!(journal.trader("unknown").unwrap().unwrap().last_error, None);

    for account_id in &accounts[..2] {
        let stored = client.account_auto_liqs(*account_id).await.unwrap();
        assert_eq!(stored.len(), 1, "updated in place, not a second entity");
        assert_eq!(stored[0].risk, profile.post_trade_risk, "every one of the 17 fields read back");
    }
    let untouched = client.account_auto_liqs(accounts[2]).await.unwrap();
    assert_eq!(untouched[0].risk, PostTradeRisk::default(), "a trader not chosen keeps their rules");

    // A second update replaces the rules: a field the profile leaves empty is switched off.
    let mut smaller = PostTradeRisk { daily_loss_auto_liq: Some(900.0), ..Default::default() };
    client.update_user_auto_liq(accounts[0], &smaller).await.unwrap();
    assert_eq!(client.account_auto_liqs(accounts[0]).await.unwrap()[0].risk, smaller);

    // The sandbox judges with its own rules, not the client's.
    smaller.daily_loss_auto_liq = Some(-5.0);
    let refused = client.update_user_auto_liq(accounts[0], &smaller).await.unwrap_err().to_string();
    assert!(refused.contains("dailyLossAutoLiq must not be negative"), "{refused}");
    smaller.trailing_max_drawdown_mode = Some("Daily".into());
    smaller.daily_loss_auto_liq = None;
    let refused = client.update_user_auto_liq(accounts[0], &smaller).await.unwrap_err().to_string();
    assert!(refused.contains("trailingMaxDrawdownMode"), "{refused}");
    assert_eq!(client.account_auto_liqs(accounts[0]).await.unwrap()[0].risk.daily_loss_auto_liq, Some(900.0));
}
