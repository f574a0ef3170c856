//! `--test-trader`: one test user and one evaluation account, created the way a run
//! creates them, then a T-Prop grant before the trader signed. The grant's refusal text
//! is reported exactly: the agreement watch reads "Live account is required"
//! (`WAITING_FOR_SIGNATURE`) as "waiting for the signature" (seeds/000, step 5).
//!
//! It writes (a user on the firm's plan), so it runs on Staging or a sandbox only.

use super::report::{Finding, Probe};
use crate::api::wire::{Account, AddEntitlementSubscription, Entitlement, TradovateSubscriptionPlan, error_text_of};
use crate::api::{ApiError, Client, EnvironmentKind};
use crate::onboarding::Trader;
use crate::onboarding::entitlement::{WAITING_FOR_SIGNATURE, is_waiting_for_signature};
use crate::onboarding::generate_password;

/// What the read-only probes found, for the test trader to use.
pub struct Chosen {
    pub plan: Option<TradovateSubscriptionPlan>,
    pub template: Option<Account>,
    pub entitlement: Option<Entitlement>,
}

/// `--test-trader` bills a user on Production: refused there, with the reason.
pub fn refuse_on_production(kind: EnvironmentKind) -> Result<(), String> {
    if kind == EnvironmentKind::Production {
        return Err("--test-trader creates a user and an account on the firm's plan: \
                    it runs on Staging (or a sandbox), never on Production"
            .into());
    }
    Ok(())
}

const STEPS: [Probe; 4] =
    [Probe::TestTraderUser, Probe::TestTraderContactInfo, Probe::TestTraderAccount, Probe::GrantBeforeSigning];

/// The four steps, each a finding; a failed step leaves the later ones "not checked".
pub async fn run(client: &Client, chosen: &Chosen) -> Vec<Finding> {
    let mut findings = Vec::new();
    let skip_rest = |findings: &mut Vec<Finding>, why: &str| {
        for probe in STEPS.into_iter().skip(findings.len()) {
            findings.push(Finding::not_checked(probe, why));
        }
    };
    if let Err(why) = refuse_on_production(client.environment().kind) {
        skip_rest(&mut findings, &why);
        return findings;
    }
    let (Some(plan), Some(template), Some(entitlement)) = (&chosen.plan, &chosen.template, &chosen.entitlement) else {
        skip_rest(&mut findings, "needs a plan, a template account and the T-Prop entitlement (see above)");
        return findings;
    };
    let trader = test_trader(template);

    let user_id = match create_user(client, &trader, plan.id).await {
        Ok(user_id) => {
            findings.push(Finding::confirmed(
                Probe::TestTraderUser,
                format!("created {} (user ID {user_id}) on plan {}", trader.name, plan.name),
            ));
            user_id
        }
        Err(detail) => {
            findings.push(Finding::differs(Probe::TestTraderUser, detail));
            skip_rest(&mut findings, "no test user");
            return findings;
        }
    };

    let contact = match trader.to_contact_info(user_id) {
        Ok(Some(info)) => client.update_contact_info(&info).await.map(|_| ()).map_err(|e| e.to_string()),
        Ok(None) | Err(_) => Err("the test trader's address does not pass our own checks".into()),
    };
    findings.push(match contact {
        Ok(()) => Finding::confirmed(Probe::TestTraderContactInfo, "contactInfo/updateContactInfo accepted on LIVE"),
        Err(detail) => Finding::differs(Probe::TestTraderContactInfo, format!("contact info refused: {detail}")),
    });

    match create_account(client, &trader, user_id, template.id).await {
        Ok(account_id) => findings.push(Finding::confirmed(
            Probe::TestTraderAccount,
            format!("created {} (account ID {account_id}) from template {}", trader.account_name, template.name),
        )),
        Err(detail) => findings.push(Finding::differs(Probe::TestTraderAccount, detail)),
    }

    let grant = AddEntitlementSubscription {
        entitlement_id: entitlement.id,
        user_id: Some(user_id),
        account_id: None,
        credit_card_id: None,
    };
    findings.push(match client.add_entitlement_subscription(&grant).await {
        // Read the way the agreement watch reads it (`onboarding::entitlement`).
        // Read the way the agreement watch reads it.
        Err(ApiError::Rejected { text }) if is_waiting_for_signature(&text) => {
            Finding::confirmed(Probe::GrantBeforeSigning, format!("refused with \"{text}\""))
        }
        Err(ApiError::Rejected { text }) => Finding::differs(
            Probe::GrantBeforeSigning,
            format!("refused with \"{text}\", not \"{WAITING_FOR_SIGNATURE}\": the board would show a failure"),
        ),
        Err(other) => Finding::differs(Probe::GrantBeforeSigning, format!("failed otherwise: {other}")),
        Ok(_) => Finding::differs(
            Probe::GrantBeforeSigning,
            "granted before the trader signed: grants would not wait for the agreement",
        ),
    });
    findings
}

/// A trader no firm would have: unique names, a US address, the template's balance.
fn test_trader(template: &Account) -> Trader {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis()
        % 10_000_000_000;
    Trader {
        name: format!("pddoctor{n}"),
        email: format!("pddoctor{n}@example.com"),
        password: generate_password(&mut rand::rng()),
        first_name: "Propdesk".into(),
        last_name: "Doctor".into(),
        street_address1: "123 Maple Avenue".into(),
        city: "Albany".into(),
        state: "NY".into(),
        post_code: "12207".into(),
        country: "US".into(),
        phone: "+1-518-555-0199".into(),
        account_name: format!("PDDOCTOR{n}"),
        initial_balance: format!("{}", template.evaluation_size.filter(|s| *s > 0.0).unwrap_or(50_000.0)),
        ..Trader::default()
    }
}

async fn create_user(client: &Client, trader: &Trader, plan_id: i64) -> Result<i64, String> {
    let user = trader.to_evaluation_user(plan_id).map_err(|e| e.to_string())?;
    let reply = client.create_evaluation_users(vec![user]).await.map_err(|e| e.to_string())?;
    let result = reply.results.first();
    match (result.and_then(|r| r.user_id), result.and_then(|r| error_text_of(&r.error_text))) {
        (Some(id), None) => Ok(id),
        (_, Some(text)) => Err(format!("createEvaluationUsers refused the test user: {text}")),
        (None, None) => Err("createEvaluationUsers answered without a userId".into()),
    }
}

async fn create_account(client: &Client, trader: &Trader, user_id: i64, template_id: i64) -> Result<i64, String> {
    let account = trader.to_evaluation_account(user_id, template_id).map_err(|e| e.to_string())?;
    let reply = client.create_evaluation_accounts(vec![account]).await.map_err(|e| e.to_string())?;
    let result = reply.results.first();
    match (result.and_then(|r| r.account_id), result.and_then(|r| error_text_of(&r.error_text))) {
        (Some(id), None) => Ok(id),
        (_, Some(text)) => Err(format!("createEvaluationAccounts refused the test account: {text}")),
        (None, None) => Err("createEvaluationAccounts answered without an accountId".into()),
    }
}
