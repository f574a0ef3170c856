//! A stand-in for the update manifest's web server, on loopback: answers one body (or
//! status) at /propdesk/latest.json and counts the requests.

use axum::http::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct ManifestServer {
    pub url: String,
    hits: Arc<AtomicUsize>,
}

impl ManifestServer {
    pub async fn start(status: u16, body: &str) -> ManifestServer {
        let hits = Arc::new(AtomicUsize::new(0));
        let (counter, body) = (hits.clone(), body.to_string());
        let status = StatusCode::from_u16(status).expect("a status code");
        let app = axum::Router::new().route(
            "/propdesk/latest.json",
            axum::routing::get(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                let body = body.clone();
                async move { (status, [("content-type", "application/json")], body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let url = format!("http://{}/propdesk/latest.json", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.expect("the manifest server runs") });
        ManifestServer { url, hits }
    }

    /// A manifest naming `version`.
    pub async fn with_version(version: &str) -> ManifestServer {
        let body = format!(r#"{{"version":"{version}","notes_url":"https://example.com/propdesk/{version}"}}"#);
        Self::start(200, &body).await
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}
