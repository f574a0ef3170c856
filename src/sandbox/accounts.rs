//! Setup lists (plans, entitlements, accounts) and `user/createEvaluationAccounts`
//! (reference 5.4): DEMO, 1..100 accounts, account + trading permission per item.

use super::auth::{ADMINS_ONLY, caller_org};
use super::risk;
use super::rules::{self, Check};
use super::server::{Ctx, Reply};
use super::state::{AccountRec, Id, PermissionRec, World};
use super::users::MAX_BATCH;
use super::ws::PushEvent;
use crate::api::Domain;
use crate::api::wire;
use axum::http::StatusCode;
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

pub const ACCOUNT_NAME_RULE: &str = "Account name should follow ([A-Z])+\\d+";

pub fn plan_list(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let (org_id, _) = caller_org(ctx, world);
    let plans: Vec<Value> = world
        .plans
        .iter()
        .filter(|p| p.org_id == org_id)
        .map(|p| {
            let plan = wire::TradovateSubscriptionPlan {
                id: p.id,
                name: p.name.clone(),
                title: p.title.clone(),
                price: p.price,
                category: "Evaluation".into(),
                trial: p.trial,
                duration: if p.trial { 14 } else { 1 },
                duration_units: if p.trial { "Week".into() } else { "Month".into() },
                organization_id: Some(p.org_id),
                sim_only: Some(true),
                ..Default::default()
            };
            serde_json::to_value(plan).unwrap_or(Value::Null)
        })
        .collect();
    Reply::ok(Value::Array(plans))
}

pub fn entitlement_list(_ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let list: Vec<Value> = world
        .entitlements
        .iter()
        .map(|e| {
            let entitlement = wire::Entitlement {
                id: e.id,
                name: e.name.clone(),
                title: e.title.clone(),
                price: e.price,
                duration: Some(1),
                duration_units: Some("Month".into()),
                autorenewal: Some(true),
                purchase_type: Some(e.purchase_type.into()),
                discontinued_date: e.discontinued.then_some(wire::TradeDate { year: 2024, month: 1, day: 1 }),
            };
            serde_json::to_value(entitlement).unwrap_or(Value::Null)
        })
        .collect();
    Reply::ok(Value::Array(list))
}

pub fn account_wire(a: &AccountRec) -> Value {
    let account = wire::Account {
        id: a.id,
        name: a.name.clone(),
        user_id: a.user_id,
        account_type: "Customer".into(),
        active: true,
        clearing_house_id: 2,
        risk_category_id: a.risk_category_id,
        auto_liq_profile_id: a.auto_liq_profile_id,
        margin_account_type: "Speculator".into(),
        legal_status: "Individual".into(),
        timestamp: a.created.to_rfc3339_opts(SecondsFormat::Millis, true),
        evaluation_size: a.evaluation_size,
        readonly: None,
    };
    serde_json::to_value(account).unwrap_or(Value::Null)
}

pub fn account_list(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let (org_id, _) = caller_org(ctx, world);
    Reply::ok(Value::Array(world.accounts.iter().filter(|a| a.org_id == org_id).map(account_wire).collect()))
}

/// `GET account/find?name=`: same not-found choice as `user/find` (HTTP 404).
pub fn account_find(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let (org_id, _) = caller_org(ctx, world);
    let Some(name) = ctx.query.get("name").filter(|n| !n.is_empty()) else {
        return Reply::status(StatusCode::BAD_REQUEST, "name is required");
    };
    match world.accounts.iter().find(|a| a.name == *name && a.org_id == org_id) {
        Some(a) => Reply::ok(account_wire(a)),
        None => Reply::status(StatusCode::NOT_FOUND, "Not found"),
    }
}

/// `^[A-Z]+[0-9]+$`, at most 64 characters.
pub fn valid_account_name(name: &str) -> bool {
    let letters = name.bytes().take_while(u8::is_ascii_uppercase).count();
    let digits = name.len() - letters;
    letters > 0 && digits > 0 && name.len() <= 64 && name.bytes().skip(letters).all(|b| b.is_ascii_digit())
}

struct NewAccount<'a> {
    user_id: Id,
    template: AccountRec,
    name: &'a str,
    balance: f64,
    /// The request item, for its risk rules.
    item: &'a Value,
}

fn validate_account<'a>(item: &'a Value, world: &World, org_id: Id) -> Check<NewAccount<'a>> {
    let user_id = rules::req_i64(item, "userId")?;
    if world.user(user_id).is_none_or(|u| u.org_id != org_id) {
        return Err(format!("User {user_id} not found"));
    }
    let template_id = rules::req_i64(item, "templateAccountId")?;
    let Some(template) = world.account(template_id).filter(|a| a.is_template && a.org_id == org_id) else {
        return Err(format!("Template account {template_id} not found"));
    };
    let name = rules::req_str(item, "name")?;
    if world.accounts.iter().any(|a| a.name == name) {
        return Err(format!("Account name {name:?} already exists"));
    }
    let balance = rules::opt_f64(item, "initialBalance")?.ok_or("initialBalance is required")?;
    if balance <= 0.0 {
        return Err("initialBalance must be positive".into());
    }
    risk::check_values(item)?;
    Ok(NewAccount { user_id, template: template.clone(), name, balance, item })
}

/// A bad account name or a mistyped risk field anywhere fails the whole request with
/// HTTP 400 `violations`;
/// everything else is judged per item, in order.
pub fn create_evaluation_accounts(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let (org_id, is_admin) = caller_org(ctx, world);
    if !is_admin {
        return Reply::error_text(ADMINS_ONLY);
    }
    let Some(items) = ctx.body.get("accounts").and_then(Value::as_array) else {
        return Reply::error_text("accounts is required (a list of 1 to 100 accounts)");
    };
    if items.is_empty() || items.len() > MAX_BATCH {
        return Reply::error_text(format!("accounts must hold 1 to {MAX_BATCH} accounts, got {}", items.len()));
    }
    let violations: Vec<Value> = items
        .iter()
        .filter_map(|item| match item.get("name") {
            Some(Value::String(name)) if valid_account_name(name) => None,
            None | Some(Value::Null) => None, // reported per item as "name is required"
            Some(other) => {
                let value = other.clone();
                Some(json!({ "constraint": "name", "value": value, "description": ACCOUNT_NAME_RULE }))
            }
        })
        .chain(items.iter().enumerate().flat_map(|(i, item)| risk::violations(i, item)))
        .collect();
    if !violations.is_empty() {
        return Reply {
            status: StatusCode::BAD_REQUEST,
            body: Some(json!({ "violations": violations })),
            failed: true,
        };
    }
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        match validate_account(item, world, org_id) {
            Err(e) => results.push(json!({ "errorText": e })),
            Ok(new) => {
                let (account_id, permission_id) = create_account(ctx, world, org_id, new);
                results.push(json!({ "accountId": account_id, "tradingPermissionId": permission_id }));
            }
        }
    }
    Reply::ok(json!({ "results": results }))
}

fn create_account(ctx: &Ctx<'_>, world: &mut World, org_id: Id, new: NewAccount<'_>) -> (Id, Id) {
    let now = Utc::now();
    let account_id = world.new_id();
    let account = AccountRec {
        id: account_id,
        name: new.name.to_string(),
        user_id: new.user_id,
        org_id,
        risk_category_id: new.template.risk_category_id,
        auto_liq_profile_id: new.template.auto_liq_profile_id,
        evaluation_size: new.template.evaluation_size,
        is_template: false,
        balance: new.balance,
        created: now,
    };
    let entity = account_wire(&account);
    world.accounts.push(account);
    risk::store(world, account_id, new.item);
    let permission_id = world.new_id();
    world.permissions.push(PermissionRec {
        id: permission_id,
        user_id: new.user_id,
        account_id,
        status: "Approved",
        updated: now,
    });
    ctx.shared.push(PushEvent::new(Domain::Demo, "account", "Created", entity));
    (account_id, permission_id)
}

#[cfg(test)]
mod tests {
    use super::valid_account_name as ok;

    #[test]
    fn account_names() {
        assert!(ok("TESTACCOUNT123"));
        assert!(ok("SIMACCOUNT001"));
        assert!(ok("A1"));
        assert!(!ok("abc123"));
        assert!(!ok("ABC_123"));
        assert!(!ok("A1B2C3"));
        assert!(!ok("ABC"));
        assert!(!ok("123"));
        assert!(!ok(""));
        assert!(!ok(&format!("{}1", "A".repeat(64))));
    }
}
