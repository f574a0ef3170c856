//! Reference 2: access tokens, renewal, `auth/me`. Tokens work on both domains.

use super::rules;
use super::server::{Ctx, Reply, Shared, lock};
use super::state::{Id, Session, World};
use chrono::{SecondsFormat, Utc};
use rand::Rng;
use serde_json::{Value, json};

pub const BAD_CREDENTIALS: &str = "Incorrect username or password. Please try again.";
pub const BAD_API_KEY: &str = "The API key (appId, cid, sec) is not valid for this user";

/// The user behind a token that exists, has not expired and whose session is open.
pub fn session_user(shared: &Shared, token: &str) -> Option<Id> {
    let world = lock(&shared.world);
    world.tokens.get(token).filter(|s| s.expires > Utc::now() && !s.closed).map(|s| s.user_id)
}

/// A token that would still be valid had later logins not closed its session.
pub fn is_closed_session(shared: &Shared, token: &str) -> bool {
    let world = lock(&shared.world);
    world.tokens.get(token).is_some_and(|s| s.expires > Utc::now() && s.closed)
}

/// The OpenAPI ("Other Important Notes"): a user may hold 2 concurrent sessions; a third
/// login closes the oldest. Closes the user's oldest open logins beyond `max`.
fn close_oldest_sessions(world: &mut World, user_id: Id, max: usize) {
    let now = Utc::now();
    let mut open: Vec<u64> = world
        .tokens
        .values()
        .filter(|s| s.user_id == user_id && !s.closed && s.expires > now)
        .map(|s| s.login)
        .collect();
    open.sort_unstable();
    open.dedup();
    let excess = open.len().saturating_sub(max);
    let closing = &open[..excess];
    for session in world.tokens.values_mut() {
        if session.user_id == user_id && closing.contains(&session.login) {
            session.closed = true;
        }
    }
}

fn new_token() -> String {
    rand::rng().sample_iter(rand::distr::Alphanumeric).take(64).map(char::from).collect()
}

/// A token for `login` (a renewal), or for a new login that may close older ones.
fn issue(ctx: &Ctx<'_>, world: &mut World, user_id: Id, login: Option<u64>) -> Value {
    let lifetime = *lock(&ctx.shared.token_lifetime);
    let lifetime = chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::days(3650));
    let expires = Utc::now().checked_add_signed(lifetime).unwrap_or(chrono::DateTime::<Utc>::MAX_UTC);
    let token = new_token();
    let md_token = new_token();
    let login = login.unwrap_or_else(|| {
        world.next_login += 1;
        world.next_login
    });
    world.tokens.insert(token.clone(), Session { user_id, expires, login, closed: false });
    close_oldest_sessions(world, user_id, ctx.shared.config.max_sessions_per_user);
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
    Reply::ok(issue(ctx, world, user_id, None))
}

/// `GET auth/renewaccesstoken`: same session, new token and expiry. An expired token
/// never gets here (401 at the gate).
pub fn renew_access_token(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let login = ctx.token.as_deref().and_then(|t| world.tokens.get(t)).map(|s| s.login);
    Reply::ok(issue(ctx, world, ctx.caller_id(), login))
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
