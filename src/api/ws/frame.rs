//! The user-data WebSocket's text frames (reference 4.1, 4.2).
//!
//! Server to client: `o` (open), `h` (heartbeat), `a[...]` (a JSON array of responses
//! and events), `c[...]` (close). Client to server: `endpoint\nid\nquery\nbody`, and
//! the heartbeat `[]`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The client's heartbeat, sent about every 2.5 s.
pub const CLIENT_HEARTBEAT: &str = "[]";

#[derive(Clone, Debug, PartialEq)]
pub enum ServerFrame {
    Open,
    Heartbeat,
    /// The messages of an `a` frame, in order.
    Messages(Vec<ServerMessage>),
    Close(Value),
}

/// One element of an `a` frame: a response to a request, or a pushed event.
#[derive(Clone, Debug, PartialEq)]
pub enum ServerMessage {
    Response(Response),
    Event(Event),
}

/// `{"s": status, "i": request id, "d": payload}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub s: u16,
    pub i: u64,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub d: Value,
}

/// `{"e": name, "d": payload}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub e: String,
    #[serde(default)]
    pub d: Value,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FrameError {
    #[error("empty frame")]
    Empty,
    #[error("unknown frame type {0:?}")]
    UnknownType(char),
    #[error("malformed frame payload: {0}")]
    Malformed(String),
}

impl ServerFrame {
    pub fn parse(text: &str) -> Result<Self, FrameError> {
        let mut chars = text.chars();
        let kind = chars.next().ok_or(FrameError::Empty)?;
        let rest = chars.as_str();
        match kind {
            'o' => Ok(ServerFrame::Open),
            'h' => Ok(ServerFrame::Heartbeat),
            'c' => Ok(ServerFrame::Close(serde_json::from_str(rest).unwrap_or(Value::Null))),
            'a' => {
                let items: Vec<Value> = serde_json::from_str(rest).map_err(|e| FrameError::Malformed(e.to_string()))?;
                Ok(ServerFrame::Messages(items.into_iter().filter_map(ServerMessage::from_value).collect()))
            }
            other => Err(FrameError::UnknownType(other)),
        }
    }

    /// The text the server sends for this frame.
    pub fn encode(&self) -> String {
        match self {
            ServerFrame::Open => "o".into(),
            ServerFrame::Heartbeat => "h".into(),
            ServerFrame::Close(v) => format!("c{v}"),
            ServerFrame::Messages(items) => {
                let values: Vec<Value> = items.iter().map(ServerMessage::to_value).collect();
                format!("a{}", Value::Array(values))
            }
        }
    }
}

impl ServerMessage {
    /// Anything that is neither a response nor an event is skipped, not fatal.
    fn from_value(value: Value) -> Option<Self> {
        if value.get("e").is_some() {
            serde_json::from_value(value).ok().map(ServerMessage::Event)
        } else if value.get("i").is_some() {
            serde_json::from_value(value).ok().map(ServerMessage::Response)
        } else {
            None
        }
    }

    fn to_value(&self) -> Value {
        match self {
            ServerMessage::Response(r) => serde_json::to_value(r).unwrap_or(Value::Null),
            ServerMessage::Event(e) => serde_json::to_value(e).unwrap_or(Value::Null),
        }
    }
}

/// A client request: `endpoint\nid\nquery\nbody`, empty lines kept.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub endpoint: String,
    pub id: u64,
    pub query: String,
    pub body: String,
}

impl Request {
    pub fn encode(&self) -> String {
        format!("{}\n{}\n{}\n{}", self.endpoint, self.id, self.query, self.body)
    }

    /// Parses a client request; `None` for the heartbeat or anything malformed.
    pub fn parse(text: &str) -> Option<Self> {
        let mut lines = text.splitn(4, '\n');
        let endpoint = lines.next()?.trim().to_string();
        let id = lines.next()?.trim().parse().ok()?;
        let query = lines.next().unwrap_or("").to_string();
        let body = lines.next().unwrap_or("").to_string();
        if endpoint.is_empty() {
            return None;
        }
        Some(Self { endpoint, id, query, body })
    }
}

/// One change of a `props` event: `{entityType, eventType, entity}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropsChange {
    pub entity_type: String,
    #[serde(default)]
    pub event_type: String,
    #[serde(default)]
    pub entity: Value,
}

/// The changes of a `props` event. `d` may be one change or an array of them
/// (seeds/000 shows an array); elements that do not parse are skipped.
pub fn props_changes(d: &Value) -> Vec<PropsChange> {
    match d {
        Value::Array(items) => items.iter().filter_map(|v| serde_json::from_value(v.clone()).ok()).collect(),
        Value::Object(_) => serde_json::from_value(d.clone()).ok().into_iter().collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_each_frame_type() {
        assert_eq!(ServerFrame::parse("o").unwrap(), ServerFrame::Open);
        assert_eq!(ServerFrame::parse("h").unwrap(), ServerFrame::Heartbeat);
        let f = ServerFrame::parse(r#"a[{"s":200,"i":0}]"#).unwrap();
        assert_eq!(f, ServerFrame::Messages(vec![ServerMessage::Response(Response { s: 200, i: 0, d: Value::Null })]));
        assert!(matches!(ServerFrame::parse("c[1000,\"bye\"]").unwrap(), ServerFrame::Close(_)));
        assert_eq!(ServerFrame::parse("x").unwrap_err(), FrameError::UnknownType('x'));
        assert!(ServerFrame::parse("a[oops").is_err());
    }

    #[test]
    fn request_keeps_empty_lines() {
        let r = Request { endpoint: "authorize".into(), id: 0, query: String::new(), body: "TOKEN".into() };
        assert_eq!(r.encode(), "authorize\n0\n\nTOKEN");
        assert_eq!(Request::parse(&r.encode()).unwrap(), r);
        assert_eq!(Request::parse(CLIENT_HEARTBEAT), None);
    }

    #[test]
    fn props_d_may_be_one_change_or_many() {
        let one = json!({"entityType":"user","eventType":"Updated","entity":{"id":1}});
        assert_eq!(props_changes(&one).len(), 1);
        let many = json!([one.clone(), {"bogus": true}, one]);
        assert_eq!(props_changes(&many).len(), 2);
    }

    #[test]
    fn encodes_what_it_parses() {
        let frame = ServerFrame::Messages(vec![ServerMessage::Event(Event { e: "props".into(), d: json!([]) })]);
        assert_eq!(ServerFrame::parse(&frame.encode()).unwrap(), frame);
    }
}
