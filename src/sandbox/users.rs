//! `user/createEvaluationUsers` (reference 5.2), `user/find`, and
//! `contactInfo/updateContactInfo` (5.3), which starts the trader's agreement clock.

use super::alerts;
use super::auth::{ADMINS_ONLY, caller_org};
use super::rules::{self, Check};
use super::seed::ENTITLEMENT_GROUP_TRADE;
use super::server::{Ctx, Reply};
use super::state::{ContactRec, Id, PluginRec, SubscriptionRec, UserRec, World};
use super::ws::PushEvent;
use crate::api::Domain;
use crate::api::wire;
use axum::http::StatusCode;
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

pub const MAX_BATCH: usize = 100;

pub fn user_wire(u: &UserRec) -> Value {
    let user = wire::User {
        id: u.id,
        name: u.name.clone(),
        timestamp: u.created.to_rfc3339_opts(SecondsFormat::Millis, true),
        email: u.email.clone(),
        status: "Active".into(),
        professional: false,
        organization_id: Some(u.org_id),
    };
    serde_json::to_value(user).unwrap_or(Value::Null)
}

/// A validated evaluation user, ready to create.
struct NewUser<'a> {
    name: &'a str,
    email: &'a str,
    password: &'a str,
    first: &'a str,
    last: &'a str,
    plan: Option<Id>,
    entitlements: Vec<Id>,
}

fn validate_user<'a>(item: &'a Value, world: &World, org_id: Id) -> Check<NewUser<'a>> {
    if !item.is_object() {
        return Err("Each user must be an object".into());
    }
    let name = rules::req_str(item, "name")?;
    rules::len_between("name", name, 3, 64)?;
    let email = rules::req_str(item, "email")?;
    rules::len_between("email", email, 0, 64)?;
    if !rules::is_email(email) {
        return Err(format!("email {email:?} is not a valid e-mail address"));
    }
    let password = rules::req_str(item, "password")?;
    rules::len_between("password", password, 8, 64)?;
    let first = rules::req_str(item, "firstName")?;
    rules::len_between("firstName", first, 0, 64)?;
    let last = rules::req_str(item, "lastName")?;
    rules::len_between("lastName", last, 2, 64)?;
    rules::combined_name(first, last)?;
    let plan = rules::opt_i64(item, "tradovateSubscriptionPlanId")?;
    if let Some(plan_id) = plan
        && !world.plans.iter().any(|p| p.id == plan_id && p.org_id == org_id)
    {
        return Err(format!("Tradovate subscription plan {plan_id} not found"));
    }
    let entitlements = rules::opt_i64_list(item, "entitlementIds")?;
    for id in &entitlements {
        match world.entitlements.iter().find(|e| e.id == *id) {
            None => return Err(format!("Entitlement {id} not found")),
            Some(e) if e.discontinued => return Err(format!("Entitlement {id} ({}) is discontinued", e.title)),
            // A new user has not signed the market-data agreement yet.
            Some(e) if e.purchase_type == "LiveAccount" => return Err("Live account is required".into()),
            Some(_) => {}
        }
    }
    if world.users.iter().any(|u| u.name.eq_ignore_ascii_case(name)) {
        return Err(format!("User name {name:?} already exists"));
    }
    if world.users.iter().any(|u| u.email.eq_ignore_ascii_case(email)) {
        return Err(format!("E-mail {email:?} is already in use"));
    }
    Ok(NewUser { name, email, password, first, last, plan, entitlements })
}

/// Users are created one by one; `results[i]` answers `users[i]`. Entitlement 22
/// anywhere fails the whole request and creates nobody.
pub fn create_evaluation_users(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let (org_id, is_admin) = caller_org(ctx, world);
    if !is_admin {
        return Reply::error_text(ADMINS_ONLY);
    }
    let Some(items) = ctx.body.get("users").and_then(Value::as_array) else {
        return Reply::error_text("users is required (a list of 1 to 100 users)");
    };
    if items.is_empty() || items.len() > MAX_BATCH {
        return Reply::error_text(format!("users must hold 1 to {MAX_BATCH} users, got {}", items.len()));
    }
    let group_trade = items.iter().any(|u| {
        u.get("entitlementIds")
            .and_then(Value::as_array)
            .is_some_and(|ids| ids.iter().any(|id| id.as_i64() == Some(ENTITLEMENT_GROUP_TRADE)))
    });
    if group_trade {
        return Reply::error_text(
            "Entitlement 22 (GroupTrade) is deprecated and cannot be assigned; no users were created",
        );
    }
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        match validate_user(item, world, org_id) {
            Err(e) => results.push(json!({ "errorText": e })),
            Ok(new) => {
                let id = create_user(ctx, world, org_id, new);
                results.push(json!({ "userId": id }));
            }
        }
    }
    Reply::ok(json!({ "results": results }))
}

fn create_user(ctx: &Ctx<'_>, world: &mut World, org_id: Id, new: NewUser<'_>) -> Id {
    let id = world.new_id();
    let now = Utc::now();
    let user = UserRec {
        id,
        name: new.name.to_string(),
        email: new.email.to_string(),
        password: new.password.to_string(),
        first_name: new.first.to_string(),
        last_name: new.last.to_string(),
        org_id,
        is_admin: false,
        api_key: None,
        created: now,
        signed_agreement: None,
        agreement_clock_started: false,
    };
    let entity = user_wire(&user);
    world.users.push(user);
    if let Some(plan_id) = new.plan {
        let sub_id = world.new_id();
        world.subscriptions.push(SubscriptionRec { id: sub_id, user_id: id, plan_id, cancelled: false });
    }
    for entitlement_id in new.entitlements {
        let plugin_id = world.new_id();
        world.plugins.push(PluginRec { id: plugin_id, user_id: id, entitlement_id, created: now, cancelled: false });
    }
    for domain in [Domain::Live, Domain::Demo] {
        ctx.shared.push(PushEvent::new(domain, "user", "Created", entity.clone()));
    }
    id
}

/// `GET user/find?name=`. Not found (or a user of another organisation): HTTP 404
/// `{"errorText":"Not found"}`. Tradovate's real reply for a missing entity is not
/// documented for `find` (reference 3.3 lists 404 for `user/item`); 404 is the choice
/// that a client cannot mistake for a user.
pub fn user_find(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let (org_id, _) = caller_org(ctx, world);
    let Some(name) = ctx.query.get("name").filter(|n| !n.is_empty()) else {
        return Reply::status(StatusCode::BAD_REQUEST, "name is required");
    };
    match world.users.iter().find(|u| u.name.eq_ignore_ascii_case(name) && u.org_id == org_id) {
        Some(u) => Reply::ok(user_wire(u)),
        None => Reply::status(StatusCode::NOT_FOUND, "Not found"),
    }
}

fn validate_contact(body: &Value) -> Check<()> {
    let first = rules::req_str(body, "firstName")?;
    rules::len_between("firstName", first, 0, 64)?;
    let last = rules::req_str(body, "lastName")?;
    rules::len_between("lastName", last, 2, 64)?;
    let street = rules::req_str(body, "streetAddress1")?;
    rules::len_between("streetAddress1", street, 3, 61)?;
    if let Some(s2) = rules::opt_str(body, "streetAddress2")? {
        rules::len_between("streetAddress2", s2, 0, 61)?;
    }
    let city = rules::req_str(body, "city")?;
    rules::len_between("city", city, 2, 35)?;
    if let Some(post) = rules::opt_str(body, "postCode")? {
        rules::len_between("postCode", post, 4, 11)?;
    }
    let country = rules::req_str(body, "country")?;
    rules::country("country", country)?;
    match rules::opt_str(body, "state")?.filter(|s| !s.trim().is_empty()) {
        Some(state) => rules::len_between("state", state, 2, 64)?,
        None if country == "US" => return Err("state is required when country is US".into()),
        None => {}
    }
    let phone = rules::req_str(body, "phone")?;
    rules::len_between("phone", phone, 0, 21)?;
    rules::opt_bool(body, "mailingIsDifferent")?;
    for (key, max) in [
        ("mailingStreetAddress1", 8192),
        ("mailingStreetAddress2", 8192),
        ("mailingCity", 64),
        ("mailingState", 64),
        ("mailingPostCode", 64),
        ("mailingCountry", 2),
        ("jointFirstName", 64),
        ("corpName", 64),
    ] {
        if let Some(v) = rules::opt_str(body, key)? {
            rules::len_between(key, v, 0, max)?;
        }
    }
    if let Some(v) = rules::opt_str(body, "jointLastName")? {
        rules::len_between("jointLastName", v, 2, 64)?;
    }
    Ok(())
}

/// Sets a user's contact info. The first time, the simulated trader's agreement clock
/// starts: after `signature_delay` the trader signs the market-data agreement.
pub fn update_contact_info(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let body = &ctx.body;
    let user_id = match rules::req_i64(body, "userId") {
        Ok(id) => id,
        Err(e) => return Reply::error_text(e),
    };
    let (org_id, is_admin) = caller_org(ctx, world);
    let Some(target) = world.user(user_id).filter(|u| u.org_id == org_id) else {
        return Reply::error_text(format!("User {user_id} not found"));
    };
    if target.id != ctx.caller_id() && !is_admin {
        return Reply::error_text(ADMINS_ONLY);
    }
    if let Err(e) = validate_contact(body) {
        return Reply::error_text(e);
    }
    let mut value = body.clone();
    let contact_id = match world.contacts.iter().position(|c| c.user_id == user_id) {
        Some(i) => world.contacts[i].id,
        None => world.new_id(),
    };
    value["id"] = json!(contact_id);
    world.contacts.retain(|c| c.user_id != user_id);
    world.contacts.push(ContactRec { id: contact_id, user_id, value: value.clone() });
    if let Some(user) = world.user_mut(user_id)
        && !user.agreement_clock_started
        && user.signed_agreement.is_none()
    {
        user.agreement_clock_started = true;
        alerts::start_agreement_clock(ctx.shared, user_id, contact_id);
    }
    Reply::ok(json!({ "contactInfo": value }))
}
