//! `userPlugin/addEntitlementSubscription` (reference 5.5, seeds/000 step 5).

use super::auth::{ADMINS_ONLY, caller_org};
use super::rules;
use super::seed::ENTITLEMENT_GROUP_TRADE;
use super::server::{Ctx, Reply};
use super::state::{PluginRec, World};
use super::ws::PushEvent;
use crate::api::Domain;
use crate::api::wire::{TradeDate, UserPlugin};
use axum::http::StatusCode;
use chrono::{Datelike, SecondsFormat, Utc};
use serde_json::{Value, json};

pub fn add_entitlement_subscription(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let body = &ctx.body;
    let entitlement_id = match rules::req_i64(body, "entitlementId") {
        Ok(id) => id,
        Err(e) => return Reply::error_text(e),
    };
    let user_id = match rules::opt_i64(body, "userId") {
        Ok(id) => id.unwrap_or(ctx.caller_id()),
        Err(e) => return Reply::error_text(e),
    };
    for key in ["accountId", "creditCardId"] {
        if let Err(e) = rules::opt_i64(body, key) {
            return Reply::error_text(e);
        }
    }
    if let Err(e) = rules::opt_bool(body, "nonProSigned") {
        return Reply::error_text(e);
    }
    let (org_id, is_admin) = caller_org(ctx, world);
    if user_id != ctx.caller_id() && !is_admin {
        return Reply::error_text(ADMINS_ONLY);
    }
    let Some(user) = world.user(user_id).filter(|u| u.org_id == org_id) else {
        return Reply::error_text(format!("User {user_id} not found"));
    };
    if entitlement_id == ENTITLEMENT_GROUP_TRADE {
        return Reply::error_text("Entitlement 22 (GroupTrade) is deprecated and cannot be assigned");
    }
    let Some(entitlement) = world.entitlements.iter().find(|e| e.id == entitlement_id) else {
        return Reply::error_text(format!("Entitlement {entitlement_id} not found"));
    };
    if entitlement.discontinued {
        return Reply::ok(json!({
            "errorText": format!("Entitlement {} is discontinued", entitlement.title),
            "errorCode": "PlanDiscontinued",
        }));
    }
    // seeds/000: before the trader signed the market-data agreement.
    if entitlement.purchase_type == "LiveAccount" && user.signed_agreement.is_none() {
        return Reply::error_text("Live account is required");
    }
    if entitlement.purchase_type == "LiveAccount" {
        let lagged = world.grant_lag_refusals.entry(user_id).or_default();
        if *lagged < ctx.shared.config.grant_lag_refusals {
            *lagged += 1;
            return Reply::error_text("Live account is required");
        }
    }
    if world.plugins.iter().any(|p| p.user_id == user_id && p.entitlement_id == entitlement_id && !p.cancelled) {
        world.duplicate_grants += 1;
        return Reply::ok(json!({
            "errorText": format!("User already has an active {} subscription", entitlement.title),
            "errorCode": "ConflictWithExisting",
        }));
    }
    let id = world.new_id();
    let record = PluginRec { id, user_id, entitlement_id, created: Utc::now(), cancelled: false };
    let entity = plugin_wire(world, &record);
    world.plugins.push(record);
    ctx.shared.push(PushEvent::new(Domain::Live, "userPlugin", "Created", entity.clone()));
    if ctx.shared.config.bare_entitlement_reply {
        return Reply::ok(json!({}));
    }
    Reply::ok(json!({ "entitlementSubscription": entity }))
}

/// `GET userPlugin/deps?masterid=<userId>`: the active entitlements of one user of the
/// caller's organisation (cancelled ones are gone).
pub fn deps(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let Some(Ok(user_id)) = ctx.query.get("masterid").map(|m| m.trim().parse::<i64>()) else {
        return Reply::status(StatusCode::BAD_REQUEST, "masterid must be a user id");
    };
    let (org_id, _) = caller_org(ctx, world);
    if world.user(user_id).is_none_or(|u| u.org_id != org_id) {
        return Reply::ok(json!([]));
    }
    let plugins: Vec<Value> =
        world.plugins.iter().filter(|p| p.user_id == user_id && !p.cancelled).map(|p| plugin_wire(world, p)).collect();
    Reply::ok(Value::Array(plugins))
}

fn plugin_wire(world: &World, record: &PluginRec) -> Value {
    let entitlement = world.entitlements.iter().find(|e| e.id == record.entitlement_id);
    let created = record.created;
    let plugin = UserPlugin {
        id: record.id,
        user_id: record.user_id,
        timestamp: created.to_rfc3339_opts(SecondsFormat::Millis, true),
        plan_price: entitlement.map(|e| e.price).unwrap_or_default(),
        plugin_name: entitlement.map(|e| e.title.clone()).unwrap_or_default(),
        approval: true,
        entitlement_id: Some(record.entitlement_id),
        account_id: None,
        start_date: Some(TradeDate { year: created.year(), month: created.month(), day: created.day() }),
        expiration_date: None,
        paid_amount: 0.0,
        autorenewal: Some(true),
    };
    serde_json::to_value(plugin).unwrap_or(Value::Null)
}
