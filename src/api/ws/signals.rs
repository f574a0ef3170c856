//! Finding admin alert signals in `props` changes, whichever shape they arrive in.

use super::frame::PropsChange;
use crate::api::wire::AdminAlertSignal;
use serde_json::Value;

/// The signal carried by a change, if it is one. Two shapes exist:
/// - `entityType: "adminAlertSignal"` with the signal as the entity;
/// - `entityType: "OtherEnvAdminAlertSignal"` (the signature happened on the other
///   domain, as seeds/000 shows) with the signal under `entity.adminAlertSignal`.
pub fn admin_alert_signal(change: &PropsChange) -> Option<AdminAlertSignal> {
    let entity = if change.entity_type.eq_ignore_ascii_case("adminAlertSignal") {
        &change.entity
    } else if change.entity_type.eq_ignore_ascii_case("OtherEnvAdminAlertSignal") {
        change.entity.get("adminAlertSignal")?
    } else {
        return None;
    };
    serde_json::from_value(entity.clone()).ok()
}

/// The snapshot keys that may hold agreement signals: the plural of each name we
/// subscribe to (reference 4.4: "keys are plural entity collections").
const SNAPSHOT_SIGNAL_KEYS: [&str; 2] = ["adminAlertSignals", "OtherEnvAdminAlertSignals"];

/// The agreement signals carried by a `user/syncrequest` snapshot, or `None` when it
/// carries no signal collection at all. Whether the real snapshot holds the week's
/// signals, and under which key, is UNCONFIRMED. When it holds none of these keys the
/// caller falls back to its budgeted `deps` call: a missing key never means "nobody signed".
pub fn snapshot_signals(snapshot: &Value) -> Option<Vec<AdminAlertSignal>> {
    let collections: Vec<&Vec<Value>> =
        SNAPSHOT_SIGNAL_KEYS.iter().filter_map(|key| snapshot.get(*key)?.as_array()).collect();
    if collections.is_empty() {
        return None;
    }
    let signal = |item: &Value| {
        // Either the signal itself, or wrapped the way seeds/000 wraps the event's entity.
        let inner = item.get("adminAlertSignal").unwrap_or(item);
        serde_json::from_value(inner.clone()).ok()
    };
    Some(collections.into_iter().flatten().filter_map(signal).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ws::frame::props_changes;
    use serde_json::json;

    #[test]
    fn reads_the_seeds_000_event() {
        // Verbatim from seeds/000, step 4.
        let d = json!([{
            "entityType": "OtherEnvAdminAlertSignal",
            "eventType": "Created",
            "entity": { "adminAlertSignal": {
                "id": 2179591, "timestamp": "2025-10-03T15:18:56.885Z", "adminAlertId": 70,
                "relatedToUserId": 29721,
                "text": "User TPropTestUser1001 signed non-professional market data form, <br />User name: Bill Rando <br />Date: 10/03/2025 <br />Timestamp: 2025-10-03 15:18:56 UTC <br />",
                "emailSent": false, "archived": false, "subjectId": 12081 } }
        }]);
        let changes = props_changes(&d);
        let signal = admin_alert_signal(&changes[0]).unwrap();
        assert_eq!((signal.admin_alert_id, signal.related_to_user_id), (70, Some(29721)));
    }

    #[test]
    fn reads_a_plain_signal_and_skips_other_entities() {
        let d = json!({"entityType":"adminAlertSignal","eventType":"Created","entity":{"id":1,"adminAlertId":68,"relatedToUserId":5,"text":"t","emailSent":false,"subjectId":2,"timestamp":"2025-01-01T00:00:00Z"}});
        let changes = props_changes(&d);
        assert_eq!(admin_alert_signal(&changes[0]).unwrap().admin_alert_id, 68);
        let other = props_changes(&json!({"entityType":"user","eventType":"Created","entity":{"id":1}}));
        assert!(admin_alert_signal(&other[0]).is_none());
    }

    #[test]
    fn a_snapshot_without_the_signal_collection_says_nothing() {
        let signal = json!({"id":1,"adminAlertId":70,"relatedToUserId":5,"text":"t","emailSent":false,"subjectId":2,"timestamp":"2025-01-01T00:00:00Z"});
        assert_eq!(snapshot_signals(&json!({"users": []})), None);
        assert_eq!(snapshot_signals(&json!({"adminAlertSignals": []})), Some(vec![]));
        let plain = snapshot_signals(&json!({"adminAlertSignals": [signal.clone()]})).unwrap();
        let wrapped = snapshot_signals(&json!({"adminAlertSignals": [{"adminAlertSignal": signal.clone()}]})).unwrap();
        assert_eq!(plain, wrapped);
        let other_env = snapshot_signals(&json!({"OtherEnvAdminAlertSignals": [{"adminAlertSignal": signal}]}));
        assert_eq!(other_env.as_ref(), Some(&plain));
        assert_eq!(plain[0].related_to_user_id, Some(5));
    }
}
