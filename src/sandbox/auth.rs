//! Reference 2: access tokens, renewal, `auth/me`. Tokens work on both domains.

use super::rules;
use super::server::{Ctx, Reply, Shared, lock};
use super::state::{Id, Session, World};
use chrono::{SecondsFormat, Utc};
use rand::Rng;
use serde_json::{Value, json};

pub const BAD_CREDENTIALS: &str = "Incorrect username or password. Please try again.";
pub const BAD_API_KEY: &str = "The API key (appId, cid, sec) is not valid for this user";

/// The user behind a token that exists and has not expired.
pub fn session_user(shared: &Shared, token: &str) -> Option<Id> {
    let world = lock(&shared.world);
    world.tokens.get(token).filter(|s| s.expires > Utc::now()).map(|s| s.user_id)
}

fn new_token() -> String {
    rand::rng().sample_iter(rand::distr::Alphanumeric).take(64).map(char::from).collect()
}

fn issue(ctx: &Ctx<'_>, world: &mut World, user_id: Id) -> Value {
    let lifetime = *lock(&ctx.shared.token_lifetime);
    let expires = Utc::now() + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::minutes(80));
    let token = new_token();
    let md_token = new_token();
    world.tokens.insert(token.clone(), Session { user_id, expires });
    let user = world.user(user_id);
    json!({
        "accessToken": token,
        "mdAccessToken": md_token,
        "expirationTime": expires.to_rfc3339_opts(SecondsFormat::Millis, true),
        "passwordExpirationTime": (Utc::now() + chrono::Duration::days(365)).to_rfc3339_opts(SecondsFormat::Millis, true),
        "userStatus": "Active",
        "userId": user_id,
        "name": user.map(|u| u.name.clone()).unwrap_or_default(),
        "hasLive": user.is_some_and(|u| u.is_admin),
        "hasSimPlus": false,
        "showKIDs": false,
    })
}

/// `cid` may travel as a JSON number (the key bundle) or a string (the OpenAPI schema).
fn cid_of(body: &Value) -> rules::Check<Option<String>> {
    match body.get("cid") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Some(n.to_string())),
        Some(_) => Err("cid must be an integer".into()),
    }
}

/// `POST auth/accesstokenrequest`: HTTP 200 with `errorText` on any failure.
pub fn access_token_request(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let body = &ctx.body;
    let (name, password) = match (rules::req_str(body, "name"), rules::req_str(body, "password")) {
        (Ok(n), Ok(p)) => (n, p),
        (Err(e), _) | (_, Err(e)) => return Reply::error_text(e),
    };
    let fields = (rules::opt_str(body, "appId"), cid_of(body), rules::opt_str(body, "sec"));
    let (app_id, cid, sec) = match fields {
        (Ok(Some(a)), Ok(Some(c)), Ok(Some(s))) => (a, c, s),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return Reply::error_text(e),
        _ => return Reply::error_text("appId, cid and sec (the API key) are required"),
    };
    let Some(user) = world.users.iter().find(|u| u.name == name && u.password == password) else {
        return Reply::error_text(BAD_CREDENTIALS);
    };
    let key_ok = user.api_key.as_ref().is_some_and(|k| k.app_id == app_id && k.cid == cid && k.sec == sec);
    if !key_ok {
        return Reply::error_text(BAD_API_KEY);
    }
    let user_id = user.id;
    Reply::ok(issue(ctx, world, user_id))
}

/// `GET auth/renewaccesstoken`: same session, new token and expiry. An expired token
/// never gets here (401 at the gate).
pub fn renew_access_token(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    Reply::ok(issue(ctx, world, ctx.caller_id()))
}

pub fn me(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let Some(user) = world.user(ctx.caller_id()) else {
        return Reply::error_text("User not found");
    };
    Reply::ok(json!({
        "userId": user.id,
        "name": user.name,
        "fullName": format!("{} {}", user.first_name, user.last_name),
        "email": user.email,
        "emailVerified": true,
        "isTrial": false,
        "organizationName": world.org_name(user.org_id),
    }))
}

/// The caller's organisation and whether they administer it.
pub fn caller_org(ctx: &Ctx<'_>, world: &World) -> (Id, bool) {
    world.user(ctx.caller_id()).map(|u| (u.org_id, u.is_admin)).unwrap_or((0, false))
}

pub const ADMINS_ONLY: &str = "Access is denied: only organization administrators may call this endpoint";
