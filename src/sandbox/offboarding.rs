//! Revoke and cancel (reference 7). Each domain cancels its own part.

use super::auth::{ADMINS_ONLY, caller_org};
use super::rules;
use super::server::{Ctx, Reply};
use super::state::World;
use crate::api::Domain;
use crate::api::wire::TradingPermission;
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

fn permission_wire(world: &World, p: &super::state::PermissionRec) -> Value {
    let user = world.user(p.user_id);
    let org_id = user.map(|u| u.org_id).unwrap_or_default();
    let admin = world.users.iter().find(|u| u.org_id == org_id && u.is_admin);
    let permission = TradingPermission {
        id: p.id,
        user_id: p.user_id,
        account_id: p.account_id,
        account_holder_contact: user.map(|u| format!("{} {}", u.first_name, u.last_name)).unwrap_or_default(),
        account_holder_email: user.map(|u| u.email.clone()).unwrap_or_default(),
        cta_contact: world.org_name(org_id),
        cta_email: admin.map(|a| a.email.clone()).unwrap_or_default(),
        status: p.status.into(),
        updated: Some(p.updated.to_rfc3339_opts(SecondsFormat::Millis, true)),
    };
    serde_json::to_value(permission).unwrap_or(Value::Null)
}

/// `user/getAccountTradingPermissions {accountId}` (DEMO).
pub fn get_account_trading_permissions(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let (org_id, is_admin) = caller_org(ctx, world);
    if !is_admin {
        return Reply::error_text(ADMINS_ONLY);
    }
    let account_id = match rules::req_i64(&ctx.body, "accountId") {
        Ok(id) => id,
        Err(e) => return Reply::error_text(e),
    };
    if world.account(account_id).is_none_or(|a| a.org_id != org_id) {
        return Reply::error_text(format!("Account {account_id} not found"));
    }
    let list: Vec<Value> =
        world.permissions.iter().filter(|p| p.account_id == account_id).map(|p| permission_wire(world, p)).collect();
    Reply::ok(json!({ "tradingPermissions": list }))
}

/// `user/revokeTradingPermissions {tradingPermissionIds}` (DEMO): all or nothing; an
/// unknown id (or one of another organisation) fails the request and revokes none.
pub fn revoke_trading_permissions(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let (org_id, is_admin) = caller_org(ctx, world);
    let fail = |e: String| Reply::ok(json!({ "ok": false, "errorText": e }));
    if !is_admin {
        return fail(ADMINS_ONLY.into());
    }
    let ids = match rules::opt_i64_list(&ctx.body, "tradingPermissionIds") {
        Ok(ids) if ids.is_empty() => return fail("tradingPermissionIds is required".into()),
        Ok(ids) => ids,
        Err(e) => return fail(e),
    };
    for id in &ids {
        let ours = world
            .permissions
            .iter()
            .find(|p| p.id == *id)
            .is_some_and(|p| world.user(p.user_id).is_some_and(|u| u.org_id == org_id));
        if !ours {
            return fail(format!("Trading permission {id} not found"));
        }
    }
    let now = Utc::now();
    for p in world.permissions.iter_mut().filter(|p| ids.contains(&p.id)) {
        p.status = "Revoked";
        p.updated = now;
    }
    Reply::ok(json!({ "ok": true }))
}

/// `user/cancelEverything {userIds, tradovateSubscriptions?, userPlugins?,
/// marketDataSubscriptions?, tradingPermissions?}` on each domain. DEMO revokes trading
/// permissions; LIVE cancels Tradovate subscriptions and user plug-ins (the sandbox has
/// no market-data subscriptions). A flag left out means "not that part" (UNCONFIRMED:
/// the docs do not say what an absent flag means). Ids of other organisations (or
/// unknown ids) are silently ignored. The reply lists what this domain cancelled now.
pub fn cancel_everything(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let (org_id, is_admin) = caller_org(ctx, world);
    if !is_admin {
        return Reply::error_text(ADMINS_ONLY);
    }
    let body = &ctx.body;
    let user_ids = match rules::opt_i64_list(body, "userIds") {
        Ok(ids) if ids.is_empty() => return Reply::error_text("userIds is required"),
        Ok(ids) => ids,
        Err(e) => return Reply::error_text(e),
    };
    let mut flags = [false; 4];
    for (i, key) in ["tradovateSubscriptions", "userPlugins", "marketDataSubscriptions", "tradingPermissions"]
        .into_iter()
        .enumerate()
    {
        match rules::opt_bool(body, key) {
            Ok(v) => flags[i] = v.unwrap_or(false),
            Err(e) => return Reply::error_text(e),
        }
    }
    let [subscriptions, plugins, _market_data, permissions] = flags;
    let ours: Vec<i64> =
        user_ids.into_iter().filter(|id| world.user(*id).is_some_and(|u| u.org_id == org_id && !u.is_admin)).collect();
    let mut reply = json!({
        "tradovateSubscriptionIds": [],
        "tradingPermissionIds": [],
        "userPluginIds": [],
        "marketDataSubscriptionIds": [],
    });
    match ctx.domain {
        Domain::Demo if permissions => {
            let now = Utc::now();
            let mut ids = Vec::new();
            for p in world.permissions.iter_mut().filter(|p| ours.contains(&p.user_id) && p.status != "Revoked") {
                p.status = "Revoked";
                p.updated = now;
                ids.push(p.id);
            }
            reply["tradingPermissionIds"] = json!(ids);
        }
        Domain::Live => {
            if subscriptions {
                let mut ids = Vec::new();
                for s in world.subscriptions.iter_mut().filter(|s| ours.contains(&s.user_id) && !s.cancelled) {
                    s.cancelled = true;
                    ids.push(s.id);
                }
                reply["tradovateSubscriptionIds"] = json!(ids);
            }
            if plugins {
                let mut ids = Vec::new();
                for p in world.plugins.iter_mut().filter(|p| ours.contains(&p.user_id) && !p.cancelled) {
                    p.cancelled = true;
                    ids.push(p.id);
                }
                reply["userPluginIds"] = json!(ids);
            }
        }
        Domain::Demo => {}
    }
    Reply::ok(reply)
}
