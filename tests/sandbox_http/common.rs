//! Helpers: a signed-in raw HTTP client and a raw WebSocket.

use futures_util::{SinkExt, StreamExt};
use propdesk::sandbox::{self, Sandbox, SandboxConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

pub async fn start() -> Sandbox {
    start_with(SandboxConfig::for_tests()).await
}

pub async fn start_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).await.expect("sandbox starts")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum D {
    Live,
    Demo,
}

pub struct Api {
    pub http: reqwest::Client,
    pub live: String,
    pub demo: String,
    pub token: String,
}

pub fn admin_credentials() -> Value {
    json!({
        "name": sandbox::ADMIN_NAME,
        "password": sandbox::ADMIN_PASSWORD,
        "appId": sandbox::APP_ID,
        "appVersion": sandbox::APP_VERSION,
        "cid": sandbox::CID,
        "sec": sandbox::SECRET,
    })
}

pub fn member_credentials() -> Value {
    json!({
        "name": sandbox::MEMBER_NAME,
        "password": sandbox::MEMBER_PASSWORD,
        "appId": sandbox::MEMBER_APP_ID,
        "appVersion": "1.0",
        "cid": sandbox::MEMBER_CID,
        "sec": sandbox::MEMBER_SECRET,
    })
}

impl Api {
    pub fn anonymous(sb: &Sandbox) -> Self {
        Self { http: reqwest::Client::new(), live: sb.live_url(), demo: sb.demo_url(), token: String::new() }
    }

    pub async fn admin(sb: &Sandbox) -> Self {
        Self::sign_in(sb, admin_credentials()).await
    }

    pub async fn member(sb: &Sandbox) -> Self {
        Self::sign_in(sb, member_credentials()).await
    }

    pub async fn sign_in(sb: &Sandbox, credentials: Value) -> Self {
        let mut api = Self::anonymous(sb);
        let (status, body) = api.post(D::Live, "auth/accesstokenrequest", credentials).await;
        assert_eq!(status, StatusCode::OK);
        api.token = body["accessToken"].as_str().unwrap_or_else(|| panic!("no token in {body}")).to_string();
        api
    }

    pub fn url(&self, d: D, path: &str) -> String {
        format!("{}/{path}", if d == D::Live { &self.live } else { &self.demo })
    }

    pub async fn post_raw(&self, d: D, path: &str, body: Value) -> reqwest::Response {
        let mut req = self.http.post(self.url(d, path)).json(&body);
        if !self.token.is_empty() {
            req = req.bearer_auth(&self.token);
        }
        req.send().await.expect("request sent")
    }

    pub async fn post(&self, d: D, path: &str, body: Value) -> (StatusCode, Value) {
        decode(self.post_raw(d, path, body).await).await
    }

    pub async fn get(&self, d: D, path_and_query: &str) -> (StatusCode, Value) {
        let mut req = self.http.get(self.url(d, path_and_query));
        if !self.token.is_empty() {
            req = req.bearer_auth(&self.token);
        }
        decode(req.send().await.expect("request sent")).await
    }

    /// Creates one evaluation user and returns its id.
    pub async fn create_user(&self, name: &str) -> i64 {
        let (status, body) = self.post(D::Live, "user/createEvaluationUsers", json!({ "users": [user(name)] })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["results"][0]["userId"].as_i64().unwrap_or_else(|| panic!("user not created: {body}"))
    }

    pub async fn set_contact(&self, user_id: i64) -> Value {
        let (status, body) = self.post(D::Live, "contactInfo/updateContactInfo", contact(user_id)).await;
        assert_eq!(status, StatusCode::OK);
        body
    }
}

pub async fn decode(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body read");
    let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("JSON body") };
    (status, value)
}

pub fn user(name: &str) -> Value {
    json!({
        "name": name,
        "email": format!("{name}@traders.example"),
        "password": "Sup3rSecret!",
        "firstName": "Bill",
        "lastName": "Rando",
        "tradovateSubscriptionPlanId": sandbox::PLAN_MONTHLY_ID,
    })
}

pub fn contact(user_id: i64) -> Value {
    json!({
        "userId": user_id,
        "firstName": "Bill",
        "lastName": "Rando",
        "streetAddress1": "123 Maple Avenue",
        "city": "Albany",
        "state": "NY",
        "postCode": "12207",
        "country": "US",
        "phone": "+1-518-555-0199",
    })
}

pub fn error_text(body: &Value) -> &str {
    body["errorText"].as_str().unwrap_or("")
}

/// Waits until `check` holds, polling the sandbox's in-process state (not HTTP).
pub async fn eventually(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + timeout;
    while !check() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(url: &str) -> Socket {
    let (socket, _) = tokio_tungstenite::connect_async(url).await.expect("socket connects");
    socket
}

/// The next text frame that is not a heartbeat; None when the socket closed.
pub async fn next_text(socket: &mut Socket, timeout: Duration) -> Option<String> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = tokio::time::timeout(remaining, socket.next()).await.expect("frame within the timeout");
        match message {
            Some(Ok(Message::Text(t))) if t.as_str() == "h" => continue,
            Some(Ok(Message::Text(t))) => return Some(t.to_string()),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => continue,
        }
    }
}

pub async fn send(socket: &mut Socket, text: &str) {
    socket.send(Message::Text(text.to_string().into())).await.expect("frame sent");
}

/// Parses an `a[...]` frame.
pub fn messages(frame: &str) -> Vec<Value> {
    let rest = frame.strip_prefix('a').unwrap_or_else(|| panic!("not an a-frame: {frame}"));
    serde_json::from_str(rest).expect("a-frame JSON")
}

/// Connects, checks `o`, authorizes with `token` and syncs `entity_types`; returns the
/// socket and the snapshot.
pub async fn synced_socket(url: &str, token: &str, entity_types: Value) -> (Socket, Value) {
    let mut socket = connect(url).await;
    assert_eq!(next_text(&mut socket, Duration::from_secs(2)).await.as_deref(), Some("o"));
    send(&mut socket, &format!("authorize\n0\n\n{token}")).await;
    let auth = messages(&next_text(&mut socket, Duration::from_secs(2)).await.expect("auth reply"));
    assert_eq!(auth[0]["s"], 200);
    assert_eq!(auth[0]["i"], 0);
    let body = json!({ "splitResponses": true, "entityTypes": entity_types });
    send(&mut socket, &format!("user/syncrequest\n1\n\n{body}")).await;
    let sync = messages(&next_text(&mut socket, Duration::from_secs(2)).await.expect("sync reply"));
    assert_eq!(sync[0]["s"], 200, "{sync:?}");
    assert_eq!(sync[0]["i"], 1);
    (socket, sync[0]["d"].clone())
}
