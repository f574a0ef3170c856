//! The market-data agreement signature (seeds/000 step 4): a simulated trader signs a
//! while after contact info is set, which creates an `AdminAlertSignal` (adminAlertId
//! 70, as on staging), visible through `adminAlertSignal/deps?masterid=70` and pushed
//! as a `props` event to LIVE sockets that synced `adminAlertSignal`.

use super::auth::caller_org;
use super::seed::AGREEMENT_ALERT_ID;
use super::server::{Ctx, Reply, Shared, lock, wrong_domain};
use super::state::{Id, SignalRec, World};
use super::ws::PushEvent;
use crate::api::Domain;
use crate::api::wire::AdminAlertSignal;
use axum::http::StatusCode;
use chrono::{SecondsFormat, Utc};
use serde_json::Value;
use std::sync::Arc;

pub fn signal_wire(s: &SignalRec) -> Value {
    let signal = AdminAlertSignal {
        id: s.id,
        timestamp: s.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true),
        admin_alert_id: s.admin_alert_id,
        related_to_user_id: Some(s.related_to_user_id),
        text: s.text.clone(),
        email_sent: false,
        archived: Some(false),
        subject_id: s.subject_id,
        ..AdminAlertSignal::default()
    };
    serde_json::to_value(signal).unwrap_or(Value::Null)
}

/// After `signature_delay` the trader signs (one tokio timer, no polling).
pub fn start_agreement_clock(shared: &Arc<Shared>, user_id: Id, subject_id: Id) {
    let shared = shared.clone();
    let delay = shared.config.signature_delay;
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let entity = {
            let mut world = lock(&shared.world);
            sign(&mut world, user_id, subject_id)
        };
        if let Some(entity) = entity {
            shared.push(PushEvent::new(Domain::Live, "adminAlertSignal", "Created", entity));
        }
    });
}

/// The trader signs now (a test's or a bench's signature at a chosen moment, instead
/// of the clock's): recorded and pushed exactly as the clock does it. False when the
/// user is unknown or signed already.
pub fn sign_now(shared: &Arc<Shared>, user_id: Id) -> bool {
    let entity = {
        let mut world = lock(&shared.world);
        let subject_id = world.contacts.iter().find(|c| c.user_id == user_id).map_or(user_id, |c| c.id);
        sign(&mut world, user_id, subject_id)
    };
    let signed = entity.is_some();
    if let Some(entity) = entity {
        shared.push(PushEvent::new(Domain::Live, "adminAlertSignal", "Created", entity));
    }
    signed
}

/// Records the signature and its signal; returns the signal's wire form.
fn sign(world: &mut World, user_id: Id, subject_id: Id) -> Option<Value> {
    let id = world.new_id();
    let now = Utc::now();
    let user = world.user_mut(user_id)?;
    if user.signed_agreement.is_some() {
        return None;
    }
    user.signed_agreement = Some(now);
    let text = format!(
        "User {} signed non-professional market data form, <br />User name: {} {} <br />Date: {} <br />Timestamp: {} UTC <br />",
        user.name,
        user.first_name,
        user.last_name,
        now.format("%m/%d/%Y"),
        now.format("%Y-%m-%d %H:%M:%S"),
    );
    let signal = SignalRec {
        id,
        timestamp: now,
        admin_alert_id: AGREEMENT_ALERT_ID,
        related_to_user_id: user_id,
        org_id: user.org_id,
        text,
        subject_id,
    };
    let entity = signal_wire(&signal);
    world.signals.push(signal);
    Some(entity)
}

/// `GET adminAlertSignal/deps?masterid=<adminAlertId>`: this organisation's signals
/// of that alert (all of them: the sandbox never archives).
pub fn deps(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    if ctx.domain != ctx.shared.config.deps_domain {
        return wrong_domain("adminalertsignal/deps", ctx.domain);
    }
    let Some(master) = ctx.query.get("masterid") else {
        return Reply::status(StatusCode::BAD_REQUEST, "masterid is required");
    };
    let Ok(master) = master.trim().parse::<Id>() else {
        return Reply::status(StatusCode::BAD_REQUEST, "masterid must be an integer");
    };
    let (org_id, _) = caller_org(ctx, world);
    let signals: Vec<Value> =
        world.signals.iter().filter(|s| s.admin_alert_id == master && s.org_id == org_id).map(signal_wire).collect();
    Reply::ok(Value::Array(signals))
}
