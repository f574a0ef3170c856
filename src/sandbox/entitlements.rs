//! `userPlugin/addEntitlementSubscription` (reference 5.5, seeds/000 step 5).

use super::auth::{ADMINS_ONLY, caller_org};
use super::rules;
use super::seed::ENTITLEMENT_GROUP_TRADE;
use super::server::{Ctx, Reply};
use super::state::{PluginRec, World};
use super::ws::PushEvent;
use crate::api::Domain;
use crate::api::wire::{TradeDate, UserPlugin};
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
    if world.plugins.iter().any(|p| p.user_id == user_id && p.entitlement_id == entitlement_id && !p.cancelled) {
        return Reply::ok(json!({
            "errorText": format!("User already has an active {} subscription", entitlement.title),
            "errorCode": "ConflictWithExisting",
        }));
    }
    let title = entitlement.title.clone();
    let price = entitlement.price;
    let id = world.new_id();
    let now = Utc::now();
    world.plugins.push(PluginRec { id, user_id, entitlement_id, created: now, cancelled: false });
    let plugin = UserPlugin {
        id,
        user_id,
        timestamp: now.to_rfc3339_opts(SecondsFormat::Millis, true),
        plan_price: price,
        plugin_name: title,
        approval: true,
        entitlement_id: Some(entitlement_id),
        account_id: None,
        start_date: Some(TradeDate { year: now.year(), month: now.month(), day: now.day() }),
        expiration_date: None,
        paid_amount: 0.0,
        autorenewal: Some(true),
    };
    let entity = serde_json::to_value(plugin).unwrap_or(Value::Null);
    ctx.shared.push(PushEvent::new(Domain::Live, "userPlugin", "Created", entity.clone()));
    Reply::ok(json!({ "entitlementSubscription": entity }))
}
